// The one place the video layer starts ffmpeg: a seam that tests (and benchmarks) observe to count processes,
// e.g. to check that a whole encode decodes in one pass.
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { ffmpegPath } from "./ffmpeg-path.ts";

type SpawnObserver = (args: readonly string[]) => void;
const observers = new Set<SpawnObserver>();

/** Calls `fn` with the arguments of every ffmpeg started from now on; returns the function that stops it. */
export function observeFfmpegSpawns(fn: SpawnObserver): () => void {
  observers.add(fn);
  return () => observers.delete(fn);
}

export function spawnFfmpeg(args: string[], stdio: StdioOptions): ChildProcess {
  for (const fn of observers) fn(args);
  return spawn(ffmpegPath(), args, { stdio });
}

/** The head of a child's stderr as text (ffmpeg reports all we parse there), kept up to `limit` characters. */
export function collectStderr(child: ChildProcess, limit: number): { text: () => string } {
  let text = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (c: string) => {
    if (text.length < limit) text += c;
  });
  return { text: () => text };
}

/** The child's exit code; rejects with one line when ffmpeg cannot be started (`what`: the input it was for). A
 * rejection nobody awaits is not unhandled: callers surface it when they await. */
export function exitOf(child: ChildProcess, what?: string): Promise<number | null> {
  const p = new Promise<number | null>((resolve, reject) => {
    child.on("error", (err) => reject(new Error(`cannot run ffmpeg (${ffmpegPath()})${what ? ` for ${what}` : ""}: ${err.message}`)));
    child.on("close", (code) => resolve(code));
  });
  p.catch(() => undefined);
  return p;
}
