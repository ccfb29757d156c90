// The whole Hour-LLaVA forward as one differentiable graph for instruction tuning: frames → vision tower →
// pooling → projector → memory (frames repeated, newline appended) → decayed queries → MemAug → LLM with the
// augmented tokens spliced in → next-token cross-entropy on the supervised labels. Index inputs (frame
// repetition, query rows, token ids) and rotary tables come from the host, so one compiled session serves
// every video length and prompt length; weights are fed as inputs so updates need no recompilation.
import { Graph } from "../graph/graph.ts";
import type { Tensor } from "../graph/graph.ts";
import { grad } from "../graph/autodiff.ts";
import { concat, dimOf, expandTo, gather, reshape } from "../graph/ops/shape-ops.ts";
import { crossEntropy } from "../graph/nn/loss.ts";
import type { HourLlavaConfig } from "../io/config.ts";
import { memAug, memAugDims } from "../model/arch/memaug.ts";
import { poolFrames, projector } from "../model/arch/projector.ts";
import { qwen2 } from "../model/arch/qwen2.ts";
import { visionTower } from "../model/arch/siglip.ts";
import { NEWLINE_WEIGHT } from "../model/arch/hourllava.ts";
import type { WeightStore } from "../model/arch/weights.ts";

export interface TrainGraph {
  graph: Graph;
  loss: Tensor;
  /** Names of the trained weights, in the order of the graph outputs `grad.<name>`. */
  trained: string[];
}

/** `logits`: also output the logits [L, vocab] (held-out answer accuracy during training; train/held-out.ts). */
export function buildTrainGraph(c: HourLlavaConfig, w: WeightStore, trained: string[], opts: { checkpointing?: boolean; logits?: boolean } = {}): TrainGraph {
  const g = new Graph();
  const v = c.vision;
  const H = c.hidden_size;
  const half = memAugDims(c).rotaryDim / 2;
  const dHalf = c.hidden_size / c.num_attention_heads / 2;
  const ids = (n: string, len: string) => g.input(n, "int64", [len]);
  const table = (n: string, len: string, width: number) => g.input(n, "float32", [len, width]);
  const seg = <T>(fn: () => T): T => (opts.checkpointing ? g.checkpoint(fn) : fn());

  const pixels = g.input("pixels", "float32", ["T", v.num_channels, v.image_size, v.image_size]);
  const tokens = projector(g, w, poolFrames(visionTower(g, w, v, pixels), v.grid_size)); // [T, 64, H]
  const frames = gather(tokens, ids("frame_index", "Tm"), 0); // [Tm, 64, H]
  const nlShape = concat([dimOf(frames, 0), g.ints([1, H])], 0);
  const newline = expandTo(reshape(w.param(g, NEWLINE_WEIGHT), [1, 1, H]), nlShape, ["Tm", 1, H]);
  const memory = reshape(concat([frames, newline], 1), [-1, H]); // [Tm·65, H]

  const emb = w.param(g, "model.embed_tokens.weight");
  const x = concat([gather(emb, ids("prefix_ids", "n0")), gather(memory, ids("query_rows", "Nv"), 0), gather(emb, ids("suffix_ids", "ns"))], 0);
  const out = seg(() =>
    memAug(g, w, c, {
      x,
      memory,
      qRope: { cos: table("q_cos", "Lq", half), sin: table("q_sin", "Lq", half) },
      kRope: { cos: table("k_cos", "Lk", half), sin: table("k_sin", "Lk", half) },
    }),
  );
  const video = gather(out, ids("video_pos", "Nv"), 0);
  const embeds = concat([gather(emb, ids("llm_prefix_ids", "a")), video, gather(emb, ids("llm_suffix_ids", "b"))], 0);
  const { logits } = seg(() => qwen2(g, w, c, { embeds, rope: { cos: table("cos", "L", dHalf), sin: table("sin", "L", dHalf) } }));
  const loss = crossEntropy(logits, ids("targets", "L"));
  g.output("loss", loss);
  if (opts.logits) g.output("logits", logits);
  outputGradients(g, w, loss, trained);
  return { graph: g, loss, trained };
}

/** Outputs `grad.<name>` for each trained weight, in `trained`'s order; autodiff builds nothing for the others. */
export function outputGradients(g: Graph, w: WeightStore, loss: Tensor, trained: string[]): void {
  grad(
    loss,
    trained.map((n) => w.param(g, n)),
  ).forEach((d, i) => g.output(`grad.${trained[i]}`, d));
}
