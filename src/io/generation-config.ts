// generation_config.json of a Hugging Face model folder (parsing and the end-token rule: generation-defaults.ts).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseGenerationConfig } from "./generation-defaults.ts";
import type { GenerationDefaults } from "./generation-defaults.ts";

export { endTokenIds, idList, parseGenerationConfig } from "./generation-defaults.ts";
export type { GenerationDefaults } from "./generation-defaults.ts";

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
