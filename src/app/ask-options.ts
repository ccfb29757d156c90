// Answer options checked up front, so a bad --top-p fails in a moment instead of after an hour-long encode.
import { Sampler } from "../model/arch/sampling.ts";
import type { AskOptions } from "./app.ts";

export function checkAskOptions(opts: AskOptions): void {
  new Sampler(opts); // its constructor holds the sampling rules (temperature, top-k, top-p)
  const n = opts.maxNewTokens;
  if (n !== undefined && !(Number.isInteger(n) && n >= 1)) throw new Error(`max tokens must be a positive integer, got ${n}`);
}
