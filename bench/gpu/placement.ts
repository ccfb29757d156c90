// Which nodes of each graph ORT runs on the GPU provider when WebGPU is asked for, and which stay on the CPU:
// vision (tower + projector), MemAug, prefill and one cached decode step of the shipped tiny model, in f32 and with
// q4 and q8 weights. Each variant runs in a child process with ORT's verbose log, whose node placements
// (src/graph/placement.ts) are split per stage by markers. Prints one JSON object.
// Usage: HOURLLAVA_VK_ICD=swiftshader node --import tsx bench/gpu/placement.ts [--model DIR]
import { spawnSync } from "node:child_process";
import { writeSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Runtime } from "../../src/graph/runtime.ts";
import { loadHourLlava } from "../../src/model/load/load.ts";
import { DEFAULT_MODEL_DIR } from "../../src/app/default-model.ts";
import { IMAGE_TOKEN_INDEX } from "../../src/io/chat-template.ts";
import { parsePlacements, computeLeftOnCpu } from "../../src/graph/placement.ts";
import type { QuantScheme } from "../../src/model/load/quant-plan.ts";

// A cached decode step runs prefill's session (one decoder graph with a dynamic past), so it adds no placements.
const STAGES = ["vision", "memaug", "prefill"] as const;
const MARK = "=== placement stage ";
const argOf = (k: string) => {
  const i = process.argv.indexOf(`--${k}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const modelDir = argOf("model") ?? DEFAULT_MODEL_DIR;

/** Child: run each stage once on WebGPU with the verbose log, a marker before each on stderr. */
async function child(quant: QuantScheme | undefined): Promise<void> {
  const runtime = new Runtime({ device: "webgpu", verboseLog: true });
  const { model } = loadHourLlava(modelDir, { runtime, quant });
  const S = model.config.vision.image_size;
  const T = 4;
  // Synchronous, like ORT's native log lines: process.stderr.write to a pipe is asynchronous and would reorder.
  const mark = (s: string) => writeSync(2, `\n${MARK}${s}\n`);
  mark("vision");
  const { tokens } = await model.encodeFrames(
    new Float32Array(T * 3 * S * S).map((_, i) => Math.sin(i)),
    T,
  );
  const memory = model.buildMemory(tokens, T);
  const plan = model.plan(memory, [5, 6, IMAGE_TOKEN_INDEX, 7]);
  mark("memaug");
  const aug = await model.memAug(memory, plan);
  mark("prefill");
  const { present } = await model.decode(model.llmInput(plan, aug), undefined, true);
  mark("decode_step");
  await model.decode(new Float32Array(model.hidden).fill(0.1), present, true);
  mark("end");
  if (runtime.cachedSessions !== 3) throw new Error(`expected 3 sessions (vision, MemAug, decoder), got ${runtime.cachedSessions}`);
  await runtime.release();
}

interface StageCount {
  gpu_nodes: number;
  cpu_nodes: number;
  /** CPU nodes that are not shape arithmetic, by op type: real compute that missed the GPU. */
  cpu_compute: Record<string, number>;
  /** Control flow on the CPU (the chunked attention's Loop; its body is partitioned on its own). */
  cpu_control: Record<string, number>;
}

function parent(): void {
  const out: Record<string, Record<string, StageCount>> = {};
  for (const quant of ["f32", "q4", "q8"] as const) {
    const r = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--child", quant, "--model", modelDir], {
      encoding: "utf8",
      maxBuffer: 1 << 28,
    });
    if (r.status !== 0) throw new Error(`${quant}: the child failed: ${r.stderr.split("\n").slice(-5).join("\n")}`);
    const parts = r.stderr.split(MARK).slice(1);
    out[quant] = {};
    for (const part of parts) {
      const stage = part.split("\n")[0].trim();
      if (!STAGES.includes(stage as (typeof STAGES)[number])) continue;
      const sessions = parsePlacements(part);
      const count = (p: string) => sessions.flat().reduce((s, x) => s + (x.provider === p ? x.nodes : 0), 0);
      const tally = (control: boolean) => {
        const t: Record<string, number> = {};
        for (const s of sessions) for (const [op, n] of Object.entries(computeLeftOnCpu(s, control))) t[op] = (t[op] ?? 0) + n;
        return t;
      };
      out[quant][stage] = {
        gpu_nodes: count("WebGpuExecutionProvider"),
        cpu_nodes: count("CPUExecutionProvider"),
        cpu_compute: tally(false),
        cpu_control: tally(true),
      };
    }
  }
  process.stdout.write(
    JSON.stringify({ model: modelDir, vk_icd: process.env.VK_ICD_FILENAMES ?? process.env.HOURLLAVA_VK_ICD ?? null, placement: out }) + "\n",
  );
}

const c = process.argv.indexOf("--child");
if (c >= 0) {
  const q = process.argv[c + 1];
  await child(q === "f32" ? undefined : (q as QuantScheme));
} else parent();
