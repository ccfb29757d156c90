// Refuses a model whose weights hold NaN or Inf (it would answer garbage and exit 0). The check reads every
// weight file once; the verdict is remembered per file version (path, size, mtime) beside the content hashes,
// so later start-ups skip it.
import { join } from "node:path";
import { memoByFile } from "../cache/file-hash.ts";
import { checkFiniteSafetensors } from "../model/load/finite.ts";
import { safetensorsFiles } from "./model-id.ts";

export async function checkWeightsFinite(modelDir: string, indexDir: string): Promise<void> {
  for (const f of safetensorsFiles(modelDir)) {
    await memoByFile(join(indexDir, "file-hashes.json"), join(modelDir, f), "finite", async (abs) => {
      checkFiniteSafetensors(abs);
      return "yes";
    });
  }
}
