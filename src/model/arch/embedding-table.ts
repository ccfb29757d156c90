// The token embedding table on the host (text embeddings are gathered in JS so MemAug's video tokens can be
// spliced in), kept in its stored form — f32, bf16/f16 bits or 8-bit blocks — and widened row by row.
import { halfBitsToF32 } from "../../io/dtype.ts";
import { dequantizeRows } from "../../graph/quant/nbits.ts";
import type { NBitsWeight } from "../../graph/quant/nbits.ts";
import { partName } from "./quant-format.ts";
import { gatherRows } from "./token-flow.ts";
import type { WeightStore } from "./weights.ts";

type Stored = { kind: "f32"; data: Float32Array } | { kind: "half"; dtype: "F16" | "BF16"; bits: Uint16Array } | { kind: "nbits"; q: NBitsWeight };

export class EmbeddingTable {
  private constructor(
    private readonly stored: Stored,
    readonly rows: number,
    readonly width: number,
  ) {}

  /** `width`: the model's hidden size (a quantized table's rows are padded to whole blocks). */
  static load(store: WeightStore, name: string, width: number): EmbeddingTable {
    const f = store.formats.get(name);
    const src = store.source;
    if (f?.kind === "nbits") {
      const [N, blocks] = store.shape(partName(name, "scales"));
      const raw = (p: "qweight" | "scales" | "qzeros") => src.raw!(partName(name, p));
      if (blocks !== Math.ceil(width / f.blockSize)) throw new Error(`${name}: ${blocks} blocks per row do not cover a width of ${width}`);
      const q: NBitsWeight = {
        bits: f.bits,
        blockSize: f.blockSize,
        N,
        K: width,
        qweight: raw("qweight") as Uint8Array,
        scales: raw("scales") as Float32Array,
        zeros: raw("qzeros") as Uint8Array,
      };
      return new EmbeddingTable({ kind: "nbits", q }, N, width);
    }
    if (f) throw new Error(`${name}: embeddings are kept as 8-bit blocks or floats, not ${f.kind}`);
    const [rows, stored] = store.shape(name);
    if (stored !== width) throw new Error(`${name} has rows of ${stored}, the model's hidden size is ${width}`);
    const half = src.halfBits?.(name);
    return new EmbeddingTable(half ? { kind: "half", ...half } : { kind: "f32", data: src.read(name) }, rows, width);
  }

  /** Resident bytes of the table. */
  get bytes(): number {
    const s = this.stored;
    if (s.kind === "f32") return s.data.byteLength;
    if (s.kind === "half") return s.bits.byteLength;
    return s.q.qweight.byteLength + s.q.scales.byteLength + s.q.zeros.byteLength;
  }

  /** Rows `ids` into out[outRow…] (f32, `width` values each). */
  gather(ids: ArrayLike<number>, out: Float32Array, outRow = 0): void {
    const s = this.stored;
    const W = this.width;
    for (let i = 0; i < ids.length; i++) {
      const r = ids[i];
      if (!(r >= 0 && r < this.rows)) throw new Error(`token id ${r} is outside the vocabulary (0..${this.rows - 1})`);
    }
    if (s.kind === "f32") return gatherRows(s.data, W, ids, out, outRow);
    for (let i = 0; i < ids.length; i++) {
      const r = ids[i];
      if (s.kind === "half") halfBitsToF32(s.dtype, s.bits.subarray(r * W, (r + 1) * W), out, (outRow + i) * W);
      else dequantizeRows(s.q, r, r + 1, out, (outRow + i) * W);
    }
  }
}
