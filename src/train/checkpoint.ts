// Training checkpoints in the layout the model loader reads (config.json, model.safetensors, tokenizer.json)
// plus optimizer.safetensors and trainer_state.json, written as a whole folder atomically; latest.json names
// the newest complete one, so a crash mid-save leaves the previous checkpoint in charge.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { commitTempDir, tempPathFor, writeFileAtomic } from "../io/atomic.ts";
import { CHECKPOINT_FILES } from "../io/output-folder.ts";
import { openCheckpoint, writeCheckpoint } from "../io/checkpoint.ts";
import type { Checkpoint } from "../io/checkpoint.ts";
import { openSafetensors, writeSafetensors } from "../io/safetensors.ts";
import type { AdamWState } from "./adamw.ts";

export interface TrainerState {
  step: number;
  seed: number;
  configHash: string;
}

export interface SavedCheckpoint {
  dir: string;
  weights: Map<string, { data: Float32Array; shape: number[] }>;
  optimizer: AdamWState;
  state: TrainerState;
}

export function saveTrainingCheckpoint(
  out: string,
  modelConfig: Record<string, unknown>,
  weights: Map<string, { data: Float32Array; shape: number[] }>,
  tokenizer: { json: unknown; config: Record<string, unknown> },
  optimizer: AdamWState,
  state: TrainerState,
): string {
  const name = `checkpoint-${state.step}`;
  const final = join(out, name);
  const tmp = tempPathFor(final);
  const tensors = Object.fromEntries([...weights].map(([n, t]) => [n, { dtype: "F32" as const, shape: t.shape, data: t.data }]));
  writeCheckpoint(tmp, modelConfig, tensors, tokenizer.json, { tokenizerConfig: tokenizer.config });
  const opt: Record<string, { dtype: "F32"; shape: number[]; data: Float32Array }> = {};
  for (const [n, m] of optimizer.m) opt[`m.${n}`] = { dtype: "F32", shape: [m.length], data: m };
  for (const [n, v] of optimizer.v) opt[`v.${n}`] = { dtype: "F32", shape: [v.length], data: v };
  writeSafetensors(join(tmp, "optimizer.safetensors"), opt, { step: String(optimizer.step) });
  writeFileAtomic(join(tmp, "trainer_state.json"), JSON.stringify(state, null, 2) + "\n");
  commitTempDir(tmp, final, CHECKPOINT_FILES, "training checkpoint");
  writeFileAtomic(join(out, "latest.json"), JSON.stringify({ checkpoint: name, step: state.step }) + "\n");
  return final;
}

export function latestCheckpoint(out: string): string | undefined {
  const p = join(out, "latest.json");
  if (!existsSync(p)) return undefined;
  const { checkpoint } = JSON.parse(readFileSync(p, "utf8")) as { checkpoint: string };
  const dir = join(out, checkpoint);
  if (!existsSync(join(dir, "trainer_state.json"))) throw new Error(`${p} names ${checkpoint}, which is incomplete or missing`);
  return dir;
}

/** Every weight of a checkpoint as f32 arrays (the trainer keeps and updates them in memory). */
export function readAllWeights(ck: Checkpoint): Map<string, { data: Float32Array; shape: number[] }> {
  const weights = new Map<string, { data: Float32Array; shape: number[] }>();
  for (const n of ck.names()) weights.set(n, { data: ck.read(n), shape: ck.shape(n) });
  return weights;
}

export function loadTrainingCheckpoint(dir: string): SavedCheckpoint {
  const ck = openCheckpoint(dir);
  const weights = readAllWeights(ck);
  ck.close();
  const of = openSafetensors(join(dir, "optimizer.safetensors"));
  const optimizer: AdamWState = { step: Number(of.metadata.step), m: new Map(), v: new Map() };
  for (const n of of.names()) (n.startsWith("m.") ? optimizer.m : optimizer.v).set(n.slice(2), of.read(n));
  of.close();
  const state = JSON.parse(readFileSync(join(dir, "trainer_state.json"), "utf8")) as TrainerState;
  return { dir, weights, optimizer, state };
}
