// `hourllava quantize`: a float model folder → a quantized folder that loads like any other. Tensors stream one
// at a time (read, quantize, write, drop), so a 7B folder is converted within a few GB of memory; the scheme
// is recorded in config.json; tokenizer and other files are copied; the result appears only when complete.
import { copyFileSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { commitTempDir, removeQuietly, tempPathFor } from "../../io/atomic.ts";
import { MODEL_FOLDER_FILES, assertReplaceable } from "../../io/output-folder.ts";
import { openCheckpoint, shardFileName, shardGroups } from "../../io/checkpoint.ts";
import { DTYPE_BYTES } from "../../io/dtype.ts";
import type { SafeDType } from "../../io/dtype.ts";
import { createSafetensorsWriter } from "../../io/safetensors.ts";
import type { TensorSpec } from "../../io/safetensors.ts";
import { elementCount } from "../../io/safetensors-header.ts";
import { DEFAULT_BLOCK_SIZE, QUANT_CONFIG_KEY, folderQuantization, linearFormats, quantizedParts } from "./quant-plan.ts";
import type { QuantizationConfig, QuantScheme } from "./quant-plan.ts";
import { QuantizingSource } from "./quantizing-source.ts";
import { CheckpointWeights } from "./checkpoint-weights.ts";

export interface QuantizeOptions {
  blockSize?: number;
  /** Data bytes per output shard. */
  maxShardBytes?: number;
  onProgress?: (tensorsDone: number, tensorsTotal: number) => void;
}

export interface QuantizeReport {
  scheme: QuantScheme;
  blockSize: number;
  quantized: number;
  bytesIn: number;
  bytesOut: number;
  shards: number;
}

const WEIGHT_FILE = /^model(-\d+-of-\d+)?\.safetensors$|^model\.safetensors\.index\.json$|^config\.json$/;

export function quantizeFolder(src: string, dst: string, scheme: QuantScheme, opts: QuantizeOptions = {}): QuantizeReport {
  if (resolve(src) === resolve(dst)) throw new Error(`quantize: --out must be a new folder, not the model folder ${src}`);
  // The files copied from the source are this output's own too; anything else in --out is refused before any work.
  const copied = new Set(readdirSync(src));
  const own = (n: string) => MODEL_FOLDER_FILES(n) || copied.has(n);
  assertReplaceable(resolve(dst), own, "model folder");
  const ckpt = openCheckpoint(src);
  try {
    const config = ckpt.hourLlavaConfig();
    const already = folderQuantization(ckpt.config, `${src}/config.json`);
    if (already) throw new Error(`${src} is already quantized (${already.scheme}): quantize its float original instead`);
    const q: QuantizationConfig = { scheme, block_size: opts.blockSize ?? DEFAULT_BLOCK_SIZE, format_version: 1 };
    const formats = linearFormats(config, q);

    // What goes where: each quantized weight becomes its parts; everything else is copied as stored.
    // The parts come from the same source `--quant` uses at load, so a saved folder computes what that does.
    const quantized = new QuantizingSource(new CheckpointWeights(ckpt), formats);
    type Out = TensorSpec & { from: string; part: boolean };
    const outs: Out[] = [];
    for (const name of ckpt.names()) {
      const f = formats.get(name);
      if (!f) outs.push({ name, dtype: ckpt.dtype(name), shape: ckpt.shape(name), from: name, part: false });
      else for (const p of quantizedParts(name, ckpt.shape(name), f)) outs.push({ ...p, from: name, part: true });
    }
    const bytesOf = (s: { dtype: SafeDType; shape: number[] }) => elementCount(s.shape) * DTYPE_BYTES[s.dtype];
    const shards = shardGroups(outs, bytesOf, opts.maxShardBytes ?? 2 * 1024 ** 3);

    const out = resolve(dst);
    mkdirSync(dirname(out), { recursive: true });
    const tmp = tempPathFor(out);
    mkdirSync(tmp);
    try {
      const fileName = (i: number) => (shards.length === 1 ? "model.safetensors" : shardFileName(i, shards.length));
      const weightMap: Record<string, string> = {};
      const lastPart = new Map(outs.map((o) => [o.from, o.name]));
      let done = 0;
      shards.forEach((group, i) => {
        const w = createSafetensorsWriter(join(tmp, fileName(i)), group, { format: "pt" });
        try {
          for (const o of group) {
            w.write(o.name, (o.part ? quantized.raw(o.name) : ckpt.readRaw(o.name)) as ArrayLike<number>);
            weightMap[o.name] = fileName(i);
            if (lastPart.get(o.from) === o.name) opts.onProgress?.(++done, lastPart.size);
          }
          w.finish();
        } catch (e) {
          w.abort();
          throw e;
        }
      });
      const bytesOut = outs.reduce((s, o) => s + bytesOf(o), 0);
      if (shards.length > 1)
        writeFileSync(join(tmp, "model.safetensors.index.json"), JSON.stringify({ metadata: { total_size: bytesOut }, weight_map: weightMap }, null, 2) + "\n");
      writeFileSync(join(tmp, "config.json"), JSON.stringify({ ...ckpt.config, [QUANT_CONFIG_KEY]: q }, null, 2) + "\n");
      for (const f of readdirSync(src)) {
        const p = join(src, f);
        if (!WEIGHT_FILE.test(f) && statSync(p).isFile()) copyFileSync(p, join(tmp, f));
      }
      commitTempDir(tmp, out, own, "model folder");
      const bytesIn = ckpt.names().reduce((s, n) => s + bytesOf({ dtype: ckpt.dtype(n), shape: ckpt.shape(n) }), 0);
      return { scheme, blockSize: q.block_size, quantized: formats.size, bytesIn, bytesOut, shards: shards.length };
    } catch (e) {
      removeQuietly(tmp);
      throw e;
    }
  } finally {
    ckpt.close();
  }
}
