// `hourllava pull org/name[@revision]`: downloads a model into the shared Hugging Face hub cache (resumable,
// verified), so later commands take `--model org/name` without touching the network.
import type { Command } from "commander";
import { pullBar } from "../app/app.ts";
import { formatHubId, parseHubId } from "../hub/hub-cache.ts";
import { pullModel } from "../hub/hub-pull.ts";

export function registerPullCommands(program: Command): void {
  program
    .command("pull <id>")
    .description("download a model (org/name[@revision]) into the Hugging Face hub cache; HF_ENDPOINT, HF_TOKEN, HF_HUB_CACHE apply")
    .option("--quiet", "no progress bar")
    .action(async (ref: string, o: { quiet?: boolean }) => {
      const id = parseHubId(ref);
      if (!id) throw new Error(`pull: "${ref}" is not a model id (org/name or org/name@revision)`);
      const r = await pullModel(id, { onProgress: pullBar(o.quiet) });
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
        }) + "\n",
      );
    });
}
