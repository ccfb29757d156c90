// One model, one compute job at a time: requests wait in a bounded queue (full → 429 with Retry-After, from
// the mean job time so far), and a job whose client left or whose time ran out is dropped from the queue, or
// told through its signal while it runs.
import { ApiError } from "./errors.ts";

export interface QueueOptions {
  /** Jobs waiting beyond the running ones; one more gets a 429. */
  maxWaiting: number;
  /** Jobs run at once (the model is shared; on a small CPU one job already uses every core). */
  concurrency?: number;
}

interface Waiting {
  start: () => void;
  signal: AbortSignal;
  onAbort: () => void;
}

export class JobQueue {
  private running = 0;
  private readonly waiting: Waiting[] = [];
  private doneJobs = 0;
  private doneSeconds = 0;
  constructor(private readonly opts: QueueOptions) {}

  get stats() {
    return { running: this.running, waiting: this.waiting.length, max_waiting: this.opts.maxWaiting, done: this.doneJobs };
  }

  /** Seconds until a newcomer would likely start: the mean job time × the jobs ahead of it, at least 1. */
  retryAfterS(): number {
    const mean = this.doneJobs ? this.doneSeconds / this.doneJobs : 1;
    return Math.max(1, Math.ceil((mean * (this.waiting.length + this.running)) / (this.opts.concurrency ?? 1)));
  }

  /** Runs `job` when its turn comes; rejects at once with a 429 when the queue is full, or when `signal` aborts. */
  run<T>(job: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(abortError(signal));
    const limit = this.opts.concurrency ?? 1;
    if (this.running >= limit && this.waiting.length >= this.opts.maxWaiting) {
      const s = this.retryAfterS();
      return Promise.reject(
        new ApiError(429, "rate_limit_error", `the server is busy (${this.waiting.length} requests waiting); retry in ${s} s`, null, "queue_full", {
          "retry-after": String(s),
        }),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        signal.removeEventListener("abort", w.onAbort);
        this.running++;
        const t0 = performance.now();
        // The slot is freed before the caller hears back, so the stats it reads then are already current.
        const finish = () => {
          this.running--;
          this.doneJobs++;
          this.doneSeconds += (performance.now() - t0) / 1000;
          this.next();
        };
        job(signal).then(
          (v) => (finish(), resolve(v)),
          (e) => (finish(), reject(e)),
        );
      };
      const w: Waiting = {
        start,
        signal,
        onAbort: () => {
          const i = this.waiting.indexOf(w);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(abortError(signal));
        },
      };
      if (this.running < limit) return start();
      signal.addEventListener("abort", w.onAbort, { once: true });
      this.waiting.push(w);
    });
  }

  private next(): void {
    while (this.running < (this.opts.concurrency ?? 1) && this.waiting.length) this.waiting.shift()!.start();
  }
}

/** The reason a signal aborted, as an ApiError (a request timeout is a 504; a client gone gets nothing, but say 499). */
export function abortError(signal: AbortSignal): ApiError {
  const r = signal.reason as { name?: string } | undefined;
  if (r?.name === "TimeoutError") return new ApiError(504, "server_error", "the request ran past the server's --request-timeout", null, "timeout");
  return new ApiError(499, "invalid_request_error", "the client closed the request", null, "client_closed");
}

/** Throws the abort error once the signal has fired: called between steps of a job. */
export function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError(signal);
}
