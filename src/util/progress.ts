// A small progress reporter for long jobs: redrawn in place on a terminal (throttled), a plain line every
// ~10% otherwise (logs, CI), nothing when quiet. Writes to stderr by default so stdout stays clean for data.
// Not cli-progress: its redraw timer keeps the process alive when a job fails before stop(), its non-terminal
// output is a line every 2 s rather than per 10%, and it has no unknown-total mode (record counts while reading).

export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  label: string;
  /** Units of work in all; 0 or undefined when unknown (then no percentage or ETA). */
  total?: number;
  /** What is counted, e.g. "frames". */
  unit?: string;
  quiet?: boolean;
  stream?: ProgressStream;
  /** Milliseconds between terminal redraws. */
  redrawMs?: number;
  /** Clock in milliseconds; injectable for tests. */
  now?: () => number;
}

export interface Progress {
  tick(n?: number): void;
  done(): void;
  readonly count: number;
}

/** 65 s → "1:05", 3725 s → "1:02:05". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

function formatRate(r: number): string {
  if (!Number.isFinite(r)) return "?";
  return r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2);
}

export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? Date.now;
  const unit = opts.unit ?? "items";
  const total = opts.total && opts.total > 0 ? opts.total : 0;
  const tty = stream.isTTY === true;
  const redrawMs = opts.redrawMs ?? 100;
  const start = now();
  let count = 0;
  let lastDraw = -Infinity;
  let lastDecile = 0;
  let lastLineAt = start;
  let finished = false;

  const status = (final: boolean): string => {
    const elapsed = (now() - start) / 1000;
    const rate = elapsed > 0 ? count / elapsed : NaN;
    const parts = [total ? `${count}/${total} ${unit} (${Math.floor((100 * count) / total)}%)` : `${count} ${unit}`];
    parts.push(`${formatRate(rate)} ${unit}/s`);
    if (final) parts.push(`done in ${formatDuration(elapsed)}`);
    else if (total) parts.push(`ETA ${count > 0 && rate > 0 ? formatDuration((total - count) / rate) : "?"}`);
    return parts.join(", ");
  };

  const draw = (final: boolean) => {
    let line = `${opts.label}: ${status(final)}`;
    const width = stream.columns ?? 0;
    if (width > 1 && line.length >= width) line = line.slice(0, width - 1);
    stream.write(`\r${line}\x1b[K${final ? "\n" : ""}`);
  };

  return {
    get count() {
      return count;
    },
    tick(n = 1) {
      if (finished) return;
      count += n;
      if (opts.quiet) return;
      const t = now();
      if (tty) {
        if (t - lastDraw >= redrawMs) {
          lastDraw = t;
          draw(false);
        }
        return;
      }
      if (total) {
        // One line per 10% crossed (the 100% line is left to done()).
        const decile = Math.floor((10 * count) / total);
        if (decile > lastDecile && count < total) {
          lastDecile = decile;
          stream.write(`${opts.label}: ${status(false)}\n`);
        }
      } else if (t - lastLineAt >= 10_000) {
        lastLineAt = t;
        stream.write(`${opts.label}: ${status(false)}\n`);
      }
    },
    done() {
      if (finished) return;
      finished = true;
      if (opts.quiet) return;
      if (tty) draw(true);
      else stream.write(`${opts.label}: ${status(true)}\n`);
    },
  };
}

/** A `(done, total)` callback drawing one bar, made at the first call (when the total is known); `unitSize` counts
 * in larger units (1e6: bytes shown as MB). The bar ends when done reaches total. */
export function progressCallback(opts: Omit<ProgressOptions, "total">, unitSize = 1): (done: number, total: number) => void {
  let bar: Progress | undefined;
  let shown = 0;
  return (done, total) => {
    bar ??= createProgress({ ...opts, total: Math.ceil(total / unitSize) });
    const now = done === total ? Math.ceil(total / unitSize) : Math.floor(done / unitSize);
    if (now !== shown) bar.tick(now - shown);
    shown = now;
    if (done === total) bar.done();
  };
}
