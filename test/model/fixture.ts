// Loads a parity fixture written by tools/parity/make_fixtures.py: official-named weights, inputs, and the
// PyTorch reference's output of every stage.
import { openSafetensors } from "../../src/io/safetensors.ts";
import type { SafetensorsFile } from "../../src/io/safetensors.ts";
import { parseHourLlavaConfig } from "../../src/io/config.ts";
import type { HourLlavaConfig } from "../../src/io/config.ts";
import type { WeightSource } from "../../src/model/arch/weights.ts";
import assert from "node:assert/strict";

export interface Fixture {
  file: SafetensorsFile;
  config: HourLlavaConfig;
  weights: WeightSource;
  f32(name: string): Float32Array;
  ints(name: string): number[];
  meta: Record<string, string>;
}

export function loadFixture(path: string, parseConfig = true): Fixture {
  const file = openSafetensors(path);
  const isWeight = (n: string) => n.startsWith("model.") || n.startsWith("lm_head.");
  const weights: WeightSource = {
    names: () => file.names().filter(isWeight),
    has: (n) => isWeight(n) && file.has(n),
    shape: (n) => [...file.info(n).shape],
    read: (n) => file.read(n),
  };
  return {
    file,
    config: parseConfig ? parseHourLlavaConfig(JSON.parse(file.metadata.config), path) : (undefined as unknown as HourLlavaConfig),
    weights,
    f32: (n) => file.read(n),
    ints: (n) => Array.from(file.readRaw(n) as BigInt64Array, (v) => Number(v)),
    meta: file.metadata,
  };
}

/** max |a − b| ≤ tol · max(1e-6, max |b|): the design's "1e-4 relative to the output's scale". */
export function assertParity(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol = 1e-4) {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  let scale = 1e-6;
  let err = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    err = Math.max(err, Math.abs(actual[i] - expected[i]));
  }
  assert.ok(err <= tol * scale, `${what}: max abs error ${err.toExponential(3)} > ${tol} × scale ${scale.toExponential(3)}`);
  return err / scale;
}
