// generation_config.json of a Hugging Face model folder (parsing and the end-token rule: generation-config-core.ts, shared with the browser).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseGenerationConfig } from "./generation-config-core.ts";
import type { GenerationDefaults } from "./generation-config-core.ts";

export { endTokenIds, idList, parseGenerationConfig } from "./generation-config-core.ts";
export type { GenerationDefaults } from "./generation-config-core.ts";

/** Reads generation_config.json when the folder has one; an absent file means no defaults. */
export function readGenerationConfig(dir: string): GenerationDefaults {
  const path = join(dir, "generation_config.json");
  if (!existsSync(path)) return { eosTokenIds: [] };
  let j: unknown;
  try {
    j = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: cannot read: ${(e as Error).message.split("\n")[0]}`);
  }
  return parseGenerationConfig(j, path);
}
