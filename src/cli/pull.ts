// `hourllava pull org/name[@revision]`: downloads a model into the shared Hugging Face hub cache (resumable,
// verified), so later commands take `--model org/name` without touching the network.
import type { Command } from "commander";
import { pullBar } from "../app/app.ts";
import { quantizedCopy } from "../app/quantized-copy.ts";
import { defaultCacheDir } from "../cache/cache.ts";
import type { QuantScheme } from "../model/load/quant-plan.ts";
import { choiceOption } from "./options.ts";
import { cachedSnapshot, formatHubId, hubCacheDir, parseHubId, type HubModelId } from "../hub/hub-cache.ts";
import { listCachedModels, removeCachedModel } from "../hub/hub-models.ts";
import { pullModel } from "../hub/hub-pull.ts";

export function registerPullCommands(program: Command): void {
  program
    .command("pull <id>")
    .description("download a model (org/name[@revision]) into the Hugging Face hub cache; HF_ENDPOINT, HF_TOKEN, HF_HUB_CACHE apply")
    .option("--quiet", "no progress bar")
    .option("--quant <scheme>", "also make the quantized copy now (q4 | q8), kept in hourllava's cache for --quant", choiceOption("quant", ["q4", "q8"]))
    .option("--cache-dir <dir>", "hourllava's cache (quantized copies)", defaultCacheDir())
    .action(async (ref: string, o: { quiet?: boolean; quant?: QuantScheme; cacheDir: string }) => {
      const id = hubIdOrThrow(ref);
      const r = await pullModel(id, { onProgress: pullBar(o.quiet) });
      const quantized = o.quant ? (await quantizedCopy(r.dir, o.quant, o.cacheDir)).dir : undefined;
      const fetched = r.files.filter((f) => f.downloaded);
      process.stdout.write(
        JSON.stringify({
          id: formatHubId(id),
          commit: r.commit,
          dir: r.dir,
          files: r.files.length,
          downloaded_files: fetched.length,
          downloaded_bytes: fetched.reduce((s, f) => s + f.bytes, 0),
          bytes: r.files.reduce((s, f) => s + f.bytes, 0),
          ...(quantized ? { quantized } : {}),
        }) + "\n",
      );
    });
}

export function registerModelsCommands(program: Command): void {
  const models = program.command("models").description("models in the Hugging Face hub cache (shared with Python tools)");
  models
    .command("ls")
    .description("every cached model snapshot: id, revision refs, commit, size, files, last modified")
    .option("--json", "one JSON object per line")
    .action(async (o: { json?: boolean }) => {
      const all = await listCachedModels();
      for (const m of all) {
        if (o.json) process.stdout.write(JSON.stringify(m) + "\n");
        else
          process.stdout.write(
            `${m.id}${m.refs.length ? ` (${m.refs.join(", ")})` : ""}  ${m.commit.slice(0, 8)}  ${(m.bytes / 1e9).toFixed(2)} GB  ${m.files} files  ${m.lastModified.toISOString().slice(0, 19)}\n`,
          );
      }
      if (!o.json) process.stdout.write(`${all.length} snapshots in ${hubCacheDir()}\n`);
    });
  models
    .command("rm <id>")
    .description("remove a cached snapshot (blobs another snapshot uses are kept)")
    .action((ref: string) => {
      const r = removeCachedModel(hubIdOrThrow(ref));
      process.stdout.write(`removed ${ref} at ${r.commit.slice(0, 8)}, ${(r.bytes / 1e9).toFixed(3)} GB freed\n`);
    });
  models
    .command("path <id>")
    .description("the snapshot folder of a cached model (for scripts); exit 1 when it is not cached")
    .action((ref: string) => {
      const dir = cachedSnapshot(hubIdOrThrow(ref));
      if (!dir) throw new Error(`${ref} is not in the hub cache (${hubCacheDir()}); fetch it with \`hourllava pull ${ref}\``);
      process.stdout.write(dir + "\n");
    });
}

function hubIdOrThrow(ref: string): HubModelId {
  const id = parseHubId(ref);
  if (!id) throw new Error(`"${ref}" is not a model id (org/name or org/name@revision)`);
  return id;
}
