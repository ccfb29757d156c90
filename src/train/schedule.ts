// Learning-rate schedule: linear warmup over the first warmup_ratio of steps, then cosine decay to zero
// (the HF "cosine" schedule the official recipe uses, warmup ratio 0.03).
export function cosineWithWarmup(step: number, totalSteps: number, warmupRatio: number): number {
  const warmup = Math.ceil(totalSteps * warmupRatio);
  if (step < warmup) return (step + 1) / warmup;
  const progress = (step - warmup) / Math.max(1, totalSteps - warmup);
  return 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
}
