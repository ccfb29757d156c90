// Types the model's parts share (architecture, loading, generation), kept apart from any one module.
import type { Tensor } from "../graph/graph.ts";

/** [official weight name, shape] pairs: what a module reads, declared in one place. */
export type WeightSpec = [string, number[]][];

/** Rotary cos/sin tables as graph tensors ([L, rotaryDim/2] each), as MemAug and the decoder take them. */
export interface Tables {
  cos: Tensor;
  sin: Tensor;
}
