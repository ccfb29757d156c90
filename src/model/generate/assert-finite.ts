// A stage's activations must be finite: NaN/Inf would give a garbage answer with no other sign.
/** Throws `STAGE produced a NaN or infinite value (element i)` when an activation is not finite. */
export function assertFinite(values: Float32Array, stage: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new Error(`${stage} produced a NaN or infinite value (element ${i}); the model's weights or inputs are broken`);
  }
}
