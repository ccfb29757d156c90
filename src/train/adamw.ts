// AdamW on host Float32Arrays (decoupled weight decay, bias correction) with clipping by global gradient norm.
// State is plain arrays so the trainer can save and restore it exactly.
export interface AdamWOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** Clip gradients so their global L2 norm is at most this (0 or undefined: no clipping). */
  maxGradNorm?: number;
}

/** The betas and epsilon every run uses (torch.optim.AdamW's defaults); tools/train_torch reads them from the export. */
export const ADAMW_DEFAULTS = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };

export interface AdamWState {
  step: number;
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
}

export function newAdamWState(): AdamWState {
  return { step: 0, m: new Map(), v: new Map() };
}

export function globalNorm(grads: Iterable<Float32Array>): number {
  let s = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) s += g[i] * g[i];
  return Math.sqrt(s);
}

/**
 * One update of every parameter in `params` (in place) from `grads`. `lrScale` lets a schedule or per-group
 * learning rates scale the base rate per parameter. Returns the gradient norm before clipping.
 */
export function adamwStep(
  params: Map<string, Float32Array>,
  grads: Map<string, Float32Array>,
  state: AdamWState,
  opts: AdamWOptions,
  lrScale: (name: string) => number = () => 1,
): number {
  const { lr, beta1 = ADAMW_DEFAULTS.beta1, beta2 = ADAMW_DEFAULTS.beta2, eps = ADAMW_DEFAULTS.eps, weightDecay = 0, maxGradNorm = 0 } = opts;
  const norm = globalNorm(grads.values());
  if (!Number.isFinite(norm)) throw new Error(`AdamW: gradient norm is ${norm}; refusing to update`);
  const clip = maxGradNorm > 0 && norm > maxGradNorm ? maxGradNorm / (norm + 1e-6) : 1;
  state.step += 1;
  const bc1 = 1 - Math.pow(beta1, state.step);
  const bc2 = 1 - Math.pow(beta2, state.step);
  for (const [name, p] of params) {
    const g = grads.get(name);
    if (!g) continue;
    if (g.length !== p.length) throw new Error(`AdamW: gradient of ${name} has ${g.length} values, parameter ${p.length}`);
    let m = state.m.get(name);
    let v = state.v.get(name);
    if (!m) state.m.set(name, (m = new Float32Array(p.length)));
    if (!v) state.v.set(name, (v = new Float32Array(p.length)));
    const a = lr * lrScale(name);
    if (a === 0) continue;
    const decay = 1 - a * weightDecay;
    const stepSize = a / bc1;
    const sq = Math.sqrt(bc2);
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] * clip;
      m[i] = beta1 * m[i] + (1 - beta1) * gi;
      v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
      p[i] = p[i] * decay - (stepSize * m[i]) / (Math.sqrt(v[i]) / sq + eps);
    }
  }
  return norm;
}
