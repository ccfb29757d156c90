// Opening a Hugging Face–style Hour-LLaVA folder in Node (the checks and wiring: from-checkpoint.ts).
import { openCheckpoint } from "../../io/checkpoint.ts";
import type { Checkpoint } from "../../io/checkpoint.ts";
import { Runtime } from "../../graph/runtime.ts";
import type { RuntimeOptions } from "../../graph/runtime.ts";
import type { HourLlava } from "../arch/hourllava.ts";
import { modelFromCheckpoint } from "./from-checkpoint.ts";
import type { ModelOptions } from "./from-checkpoint.ts";

export { ignorableKey } from "./from-checkpoint.ts";

export interface LoadOptions extends RuntimeOptions, ModelOptions {
  runtime?: Runtime;
}

export function loadHourLlava(dir: string, opts: LoadOptions = {}): { model: HourLlava; checkpoint: Checkpoint } {
  const ckpt = openCheckpoint(dir);
  try {
    return { model: modelFromCheckpoint(ckpt, opts.runtime ?? new Runtime(opts), opts), checkpoint: ckpt };
  } catch (e) {
    ckpt.close();
    throw e;
  }
}
