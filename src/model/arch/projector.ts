// Video tokens per frame: bilinear 27×27 → 8×8 (F.interpolate, align_corners=False) and the mlp2x_gelu projector.
import type { Graph, Tensor } from "../../graph/graph.ts";
import { gelu } from "../../graph/nn/activations.ts";
import { bilinearResizeTokens } from "../../graph/nn/resize.ts";
import type { WeightStore } from "./weights.ts";
import type { WeightSpec } from "../types.ts";

export const POOLED_SIDE = 8;
export const TOKENS_PER_FRAME = POOLED_SIDE * POOLED_SIDE;

/** The memory layout (65 rows per frame, the [::2, ::2] lattice) needs an 8×8 grid after pooling. */
export function checkGrid(grid: number): void {
  if (grid < POOLED_SIDE) {
    throw new Error(
      `the vision tower's ${grid}×${grid} patch grid is smaller than the 8×8 video-token grid Hour-LLaVA's memory uses; use image_size / patch_size >= 8`,
    );
  }
}

/** features [T, grid², C] → pooled [T, 64, C]; an 8×8 grid passes through (as pre-pooled features do). */
export function poolFrames(features: Tensor, grid: number): Tensor {
  checkGrid(grid);
  if (grid === POOLED_SIDE) return features;
  return bilinearResizeTokens(features, grid, grid, POOLED_SIDE, POOLED_SIDE);
}

export function projector(g: Graph, w: WeightStore, x: Tensor): Tensor {
  return w.linear(g, gelu(w.linear(g, x, "model.mm_projector.0")), "model.mm_projector.2");
}

/** mlp2x_gelu: Linear vision width → H, GELU, Linear H → H. */
export function projectorWeightSpec(visionHidden: number, H: number): WeightSpec {
  return [
    ["model.mm_projector.0.weight", [H, visionHidden]],
    ["model.mm_projector.0.bias", [H]],
    ["model.mm_projector.2.weight", [H, H]],
    ["model.mm_projector.2.bias", [H]],
  ];
}

export const PROJECTOR_WEIGHTS = projectorWeightSpec(1, 1).map(([n]) => n);
export const PROJECTOR_LINEARS = ["model.mm_projector.0.weight", "model.mm_projector.2.weight"];
