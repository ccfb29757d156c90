// Loads tokenizer.json (+ tokenizer_config.json) from a model folder; the tokenizer itself is tokenizer-core.ts, shared with the browser.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { EXAMPLE_MODEL_REPO } from "./checkpoint.ts";
import { tokenizerFromJson } from "./tokenizer-core.ts";
import type { TextTokenizer } from "./tokenizer-core.ts";

export { IMAGE_TOKEN, IMAGE_TOKEN_INDEX, tokenizerFromJson } from "./tokenizer-core.ts";
export type { TextTokenizer } from "./tokenizer-core.ts";

/** Loads tokenizer.json and, when present, tokenizer_config.json from a model folder. */
export function loadTokenizer(dir: string): TextTokenizer {
  const path = join(dir, "tokenizer.json");
  if (!existsSync(path))
    throw new Error(`no tokenizer.json in ${dir}: put the model's tokenizer.json (and tokenizer_config.json) there, e.g. from ${EXAMPLE_MODEL_REPO}`);
  const read = (p: string) => {
    try {
      return JSON.parse(readFileSync(p, "utf8")) as unknown;
    } catch (e) {
      throw new Error(`${p}: cannot read: ${(e as Error).message.split("\n")[0]}`);
    }
  };
  const cfgPath = join(dir, "tokenizer_config.json");
  const cfg = existsSync(cfgPath) ? read(cfgPath) : {};
  if (cfg === null || typeof cfg !== "object" || Array.isArray(cfg)) throw new Error(`${cfgPath}: must hold a JSON object`);
  return tokenizerFromJson(read(path), cfg as Record<string, unknown>, path);
}
