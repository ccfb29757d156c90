// Exponential backoff with jitter for transient failures (network errors, 429, 5xx).

export interface BackoffOptions {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Uniform [0,1); injectable so tests are deterministic. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Delay before retry `attempt` (0-based): base·2^attempt capped at max, scaled by a jitter factor in [0.5, 1). */
export function backoffDelayMs(attempt: number, o: Pick<BackoffOptions, "baseDelayMs" | "maxDelayMs" | "random">): number {
  const cap = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** attempt);
  return cap * (0.5 + 0.5 * (o.random ?? Math.random)());
}

export const sleepMs = (ms: number) => new Promise<void>((res) => setTimeout(res, ms));

/**
 * Runs `fn`, retrying while `retryAfter(error)` says the error is transient: it returns undefined for a
 * permanent error, or the delay the server asked for (0 = none asked) for a transient one.
 */
export async function withBackoff<T>(
  fn: () => Promise<T>,
  retryAfter: (e: unknown) => number | undefined,
  o: BackoffOptions,
  onRetry?: (e: unknown, attempt: number, delayMs: number) => void,
): Promise<T> {
  const sleep = o.sleep ?? sleepMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const asked = retryAfter(e);
      if (asked === undefined || attempt >= o.maxRetries) throw e;
      const delay = Math.min(o.maxDelayMs, Math.max(asked, backoffDelayMs(attempt, o)));
      onRetry?.(e, attempt + 1, delay);
      await sleep(delay);
    }
  }
}
