// `hourllava features export`: official-layout feature files (vid_feat [T, 64, 1152] + duration) per video.
import { existsSync, mkdirSync } from "node:fs";
import { basename, extname, join } from "node:path";
import type { Command } from "commander";
import { readVideoList } from "../farm/encode-job.ts";
import { exportFeatures } from "../features/export.ts";
import { createProgress } from "../util/progress.ts";
import { open, withModelOptions, type CommonOpts } from "./model-options.ts";
import { choiceOption, intOption } from "./options.ts";

interface FeatureOpts extends CommonOpts {
  out: string;
  list?: string;
  batch: number;
  dtype: "f32" | "f16";
  overwrite?: boolean;
}

export function registerFeatureCommands(program: Command): void {
  const features = program.command("features").description("pre-extracted video features for the official PyTorch training code");
  withModelOptions(
    features.command("export [videos...]").description("per video <out>/<name>.safetensors: vid_feat [T, 64, vision width] after 8×8 pooling, and duration"),
  )
    .requiredOption("--out <dir>", "folder for the feature files")
    .option("--list <file>", "videos to export, one path a line (relative to the file)")
    .option("--batch <n>", "frames per vision batch", intOption("batch", 1), 8)
    .option("--dtype <dtype>", "f32 | f16", choiceOption("dtype", ["f32", "f16"]), "f32")
    .option("--overwrite", "replace feature files that exist (default: keep them, so a rerun resumes)")
    .action(async (videos: string[], o: FeatureOpts) => {
      const all = [...videos, ...(o.list ? readVideoList(o.list) : [])];
      if (all.length === 0) throw new Error("features export: give videos or --list videos.txt");
      const names = all.map((v) => basename(v, extname(v)));
      const twice = names.find((n, i) => names.indexOf(n) !== i);
      if (twice) throw new Error(`features export: two videos are named "${twice}"; their files would collide in ${o.out}`);
      mkdirSync(o.out, { recursive: true });
      const app = await open({ ...o, quiet: true });
      for (const [i, video] of all.entries()) {
        const out = join(o.out, `${names[i]}.safetensors`);
        if (existsSync(out) && !o.overwrite) {
          process.stderr.write(`${out}: exists, kept\n`);
          continue;
        }
        const p = createProgress({ label: `features ${names[i]}`, unit: "frames", quiet: o.quiet });
        const r = await exportFeatures(app.model, video, out, { batch: o.batch, dtype: o.dtype === "f16" ? "F16" : "F32", onProgress: (n) => p.tick(n) });
        p.done();
        process.stdout.write(`${r.path}: ${r.frames} frames × 64 × ${r.width}, ${r.durationS.toFixed(2)} s\n`);
      }
    });
}
