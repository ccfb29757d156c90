// An opened Hour-LLaVA checkpoint as a model: config validated, every expected weight present under the
// official names (a tied lm_head may be absent; the vision tower's unused post_layernorm may be present), and
// the model wired to a runtime. Platform-free: Node opens folders (load.ts), the browser fetched bytes.
import { checkKeys } from "../../io/check-keys.ts";
import type { Checkpoint } from "../../io/checkpoint-core.ts";
import type { GraphRuntime } from "../../graph/runtime-core.ts";
import type { ComputeDType } from "../../graph/dtype.ts";
import { HourLlava } from "../arch/hourllava.ts";
import type { SpatialSampling } from "../arch/forgetting.ts";
import { WeightStore } from "../arch/weights.ts";
import type { WeightSource } from "../arch/weights.ts";
import { VISION_PREFIX } from "../arch/siglip.ts";
import { weightShapes } from "./init.ts";
import { CheckpointWeights } from "./checkpoint-weights.ts";
import { DEFAULT_BLOCK_SIZE, folderQuantization, linearFormats, storedShapes } from "./quant-plan.ts";
import type { QuantScheme } from "./quant-plan.ts";
import { QuantizingSource } from "./quantizing-source.ts";

export interface ModelOptions {
  spatial?: SpatialSampling;
  /** Quantize a float folder while loading (a quantized folder loads as it is). */
  quant?: QuantScheme;
  blockSize?: number;
  /** The float type graphs compute in (f16 for GPU execution providers; f32 by default). */
  computeDtype?: ComputeDType;
  /** How int8 linears compute; default by device: DynamicQuantizeMatMul on the CPU, dequantized weights and MatMul
   * on GPU providers (which have no DynamicQuantizeMatMul kernel). */
  int8Linear?: "dynamic" | "dequantize";
}

/** Extra keys official checkpoints carry that the model does not use. */
export function ignorableKey(name: string): boolean {
  return name.startsWith(`${VISION_PREFIX}post_layernorm.`) || name.startsWith(`${VISION_PREFIX}head.`) || name.endsWith(".rotary_emb.inv_freq");
}

/** Validates an opened checkpoint against its config (keys, shapes, quantization) and wires the model to a
 * runtime; `source` defaults to the checkpoint's weights as stored (file-backed where ORT can read them). */
export function modelFromCheckpoint(
  ckpt: Checkpoint,
  runtime: GraphRuntime,
  opts: ModelOptions = {},
  source: WeightSource = new CheckpointWeights(ckpt),
): HourLlava {
  const dir = ckpt.dir;
  const config = ckpt.hourLlavaConfig();
  const stored = folderQuantization(ckpt.config, `${dir}/config.json`);
  if (stored && opts.quant && opts.quant !== stored.scheme)
    throw new Error(`${dir} is already quantized (${stored.scheme}); load it as it is, or quantize its float original to ${opts.quant}`);
  const storedFormats = stored ? linearFormats(config, stored) : new Map();
  const floatShapes = weightShapes(config);
  const shapes = storedShapes(floatShapes, storedFormats);
  if (stored) {
    const lacking = [...shapes.keys()].filter((n) => !floatShapes.has(n) && !ckpt.has(n)); // quantized parts only
    if (lacking.length)
      throw new Error(
        `${dir}: config.json says the weights are ${stored.scheme}-quantized, but ${lacking.length} quantized tensors are missing (${lacking.slice(0, 3).join(", ")}${lacking.length > 3 ? ", …" : ""})`,
      );
  }
  checkKeys([...shapes.keys()], ckpt.names(), {
    what: `${dir}: checkpoint`,
    allowMissing: (n) => n === "lm_head.weight" && config.tie_word_embeddings,
    allowUnexpected: (n) => ignorableKey(n) || (n === "lm_head.weight" && config.tie_word_embeddings),
  });
  const wrong: string[] = [];
  for (const [n, want] of shapes) {
    if (!ckpt.has(n)) continue;
    const got = ckpt.shape(n);
    if (got.length !== want.length || got.some((d, i) => d !== want[i])) wrong.push(`${n} is [${got.join(", ")}], the config implies [${want.join(", ")}]`);
  }
  if (wrong.length) {
    const more = wrong.length > 4 ? ` … and ${wrong.length - 4} more` : "";
    throw new Error(`${dir}: weights do not match config.json: ${wrong.slice(0, 4).join("; ")}${more}`);
  }
  let formats = storedFormats;
  if (opts.quant && !stored) {
    formats = linearFormats(config, { scheme: opts.quant, block_size: opts.blockSize ?? DEFAULT_BLOCK_SIZE, format_version: 1 });
    source = new QuantizingSource(source, formats);
  }
  return new HourLlava(
    config,
    new WeightStore(source, formats, opts.computeDtype, opts.int8Linear ?? (runtime.device === "cpu" ? "dynamic" : "dequantize")),
    runtime,
    opts.spatial ?? "uniform",
  );
}
