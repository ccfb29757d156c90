// `hourllava train --config FILE`: what to train, on what, how. A `stage` (1, 2 or 3) fills in the official
// tunable parts, learning rates and data of that stage (stages.ts) and refuses settings that contradict it.
import { readFileSync } from "node:fs";
import { formatZodError } from "../util/zod-error.ts";
import { resolveStage } from "./stage-config.ts";
import { trainConfigSchema, type TrainConfig } from "./config-schema.ts";

export { trainConfigSchema, type RawTrainConfig, type TrainConfig } from "./config-schema.ts";

export function parseTrainConfig(json: unknown, source: string): TrainConfig {
  const r = trainConfigSchema.safeParse(json);
  if (!r.success) throw new Error(formatZodError(source, r.error));
  try {
    return resolveStage(r.data);
  } catch (e) {
    throw new Error(`${source}: ${(e as Error).message}`);
  }
}

/** Reads a config file; `overrides` (e.g. the command line's --stage) replace its top-level fields first. */
export function readTrainConfig(path: string, overrides: Record<string, unknown> = {}): TrainConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: cannot read the training config: ${(e as Error).message.split("\n")[0]}`);
  }
  return parseTrainConfig({ ...(json as object), ...overrides }, path);
}
