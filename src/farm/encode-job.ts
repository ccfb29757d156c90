// An encode job: one video and the settings its memory is built with (model identity, frame sampling, cache
// precision). The job id hashes both, so a video is queued at most once per setting, and a worker refuses a job
// made for another model or sampling instead of filling the cache with memories nobody asked for.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

export interface EncodeSettings {
  /** HourLlavaApp.modelId: content hashes of the weights, plus the load-time quantization. */
  model: string;
  sampling: string;
  fps: number | null;
  maxFrames: number | null;
  cacheDtype: string;
}

export interface EncodeJobData {
  /** Absolute path, as every worker sees the shared folder. */
  video: string;
  settings: EncodeSettings;
}

export function encodeJobId(d: EncodeJobData): string {
  return createHash("sha256")
    .update(JSON.stringify([d.video, d.settings]))
    .digest("hex")
    .slice(0, 32);
}

/** The setting that differs between a job and a worker, named, or undefined when they agree. */
export function settingsMismatch(job: EncodeSettings, mine: EncodeSettings): string | undefined {
  for (const k of Object.keys(mine) as (keyof EncodeSettings)[]) {
    if (job[k] !== mine[k]) return `the job wants ${k} ${JSON.stringify(job[k])}, this worker has ${JSON.stringify(mine[k])}`;
  }
  return undefined;
}

/** videos.txt: one path a line (blank lines and # comments skipped), relative to the list's own folder. */
export function readVideoList(file: string): string[] {
  if (!existsSync(file)) throw new Error(`--list: no file ${file} (expected one video path a line)`);
  const base = dirname(resolve(file));
  const out: string[] = [];
  for (const raw of readFileSync(file, "utf8").split(/\r?\n/)) {
    const line = raw.trim();
    if (line && !line.startsWith("#")) out.push(resolve(base, line));
  }
  if (out.length === 0) throw new Error(`--list: ${file} names no video`);
  return [...new Set(out)];
}
