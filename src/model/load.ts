// Opening a Hugging Face–style Hour-LLaVA folder: config validated, every expected weight present under the
// official names (a tied lm_head may be absent; the vision tower's unused post_layernorm may be present), and
// the model wired to a runtime.
import { checkKeys, openCheckpoint } from "../io/checkpoint.ts";
import type { Checkpoint } from "../io/checkpoint.ts";
import { Runtime } from "../graph/runtime.ts";
import type { RuntimeOptions } from "../graph/runtime.ts";
import { HourLlava, expectedWeightNames } from "./hourllava.ts";
import type { SpatialSampling } from "./forgetting.ts";
import { WeightStore } from "./weights.ts";
import { VISION_PREFIX } from "./siglip.ts";
import { weightShapes } from "./init.ts";

export interface LoadOptions extends RuntimeOptions {
  runtime?: Runtime;
  spatial?: SpatialSampling;
}

/** Extra keys official checkpoints carry that the model does not use. */
export function ignorableKey(name: string): boolean {
  return name.startsWith(`${VISION_PREFIX}post_layernorm.`) || name.startsWith(`${VISION_PREFIX}head.`) || name.endsWith(".rotary_emb.inv_freq");
}

export function loadHourLlava(dir: string, opts: LoadOptions = {}): { model: HourLlava; checkpoint: Checkpoint } {
  const ckpt = openCheckpoint(dir);
  const config = ckpt.hourLlavaConfig();
  checkKeys(expectedWeightNames(config), ckpt.names(), {
    what: `${dir}: checkpoint`,
    allowMissing: (n) => n === "lm_head.weight" && config.tie_word_embeddings,
    allowUnexpected: (n) => ignorableKey(n) || (n === "lm_head.weight" && config.tie_word_embeddings),
  });
  const wrong: string[] = [];
  for (const [n, want] of weightShapes(config)) {
    if (!ckpt.has(n)) continue;
    const got = ckpt.shape(n);
    if (got.length !== want.length || got.some((d, i) => d !== want[i])) wrong.push(`${n} is [${got.join(", ")}], the config implies [${want.join(", ")}]`);
  }
  if (wrong.length) {
    ckpt.close();
    const more = wrong.length > 4 ? ` … and ${wrong.length - 4} more` : "";
    throw new Error(`${dir}: weights do not match config.json: ${wrong.slice(0, 4).join("; ")}${more}`);
  }
  const runtime = opts.runtime ?? new Runtime(opts);
  const model = new HourLlava(config, new WeightStore(ckpt), runtime, opts.spatial ?? "uniform");
  return { model, checkpoint: ckpt };
}
