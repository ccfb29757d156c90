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
