// Checkpoint keys against a model's: one error that lists every missing and unexpected name.
function listNames(names: string[], max: number): string {
  const shown = names.slice(0, max).join(", ");
  return names.length > max ? `${shown}, … and ${names.length - max} more` : shown;
}

/**
 * Compares the keys a model expects with those a checkpoint holds; throws one error listing all missing
 * and unexpected keys (the first `max` of each, with counts). `allowMissing` excuses keys such as a tied
 * `lm_head.weight`; `allowUnexpected` excuses extra keys the model ignores.
 */
export function checkKeys(
  expected: string[],
  actual: string[],
  opts: { allowMissing?: (name: string) => boolean; allowUnexpected?: (name: string) => boolean; what?: string; max?: number } = {},
): void {
  const have = new Set(actual);
  const want = new Set(expected);
  const missing = expected.filter((n) => !have.has(n) && !(opts.allowMissing?.(n) ?? false));
  const unexpected = actual.filter((n) => !want.has(n) && !(opts.allowUnexpected?.(n) ?? false));
  if (missing.length === 0 && unexpected.length === 0) return;
  const max = opts.max ?? 8;
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`${missing.length} missing (${listNames(missing, max)})`);
  if (unexpected.length > 0) parts.push(`${unexpected.length} unexpected (${listNames(unexpected, max)})`);
  throw new Error(`${opts.what ?? "checkpoint"} keys do not match the model: ${parts.join("; ")}`);
}
