// An encode worker: takes jobs from the queue and builds each video's memory in the shared cache with the
// app's own remember(). The cache writes each batch as a part file and the final entry by rename, so a worker
// killed mid-video leaves only resumable parts; BullMQ hands the stalled job to another worker, which takes
// the dead owner's lock over and resumes. A job that fails its last attempt is copied to the dead-letter queue.
import { existsSync } from "node:fs";
import { Queue, UnrecoverableError, type Job } from "bullmq";
import type { VideoMemory } from "../app/app.ts";
import { deadLetterIfLast, deadQueueName, openRedis, queueWorker, toDeadLetter, type RedisTarget } from "../data/synthesis/queue/synth-queue.ts";
import { settingsMismatch, type EncodeJobData, type EncodeSettings } from "./encode-job.ts";
import { DEFAULT_ENCODE_QUEUE } from "./encode-queue.ts";

export interface EncodeResult {
  video: string;
  key: string;
  frames: number;
  /** The memory was already in the cache (a retried or duplicate job). */
  hit: boolean;
}

export type EncodeEvent =
  | { type: "active"; jobId: string; video: string; attempt: number }
  | { type: "completed"; jobId: string; result: EncodeResult }
  | { type: "failed"; jobId: string; video: string; error: string; final: boolean }
  | { type: "error"; error: string };

export interface EncodeWorkerOptions extends RedisTarget {
  remember: (video: string, onProgress: (done: number, total: number) => void) => Promise<VideoMemory>;
  settings: EncodeSettings;
  concurrency?: number;
  /** A job whose worker stops renewing its lock this long goes to another worker (default 60 s). */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  onEvent?: (e: EncodeEvent) => void;
}

export async function startEncodeWorker(o: EncodeWorkerOptions): Promise<{ close(): Promise<void> }> {
  const name = o.queueName ?? DEFAULT_ENCODE_QUEUE;
  const conn = await openRedis(o.redisUrl);
  const dead = new Queue(deadQueueName(name), { connection: conn });
  const emit = (e: EncodeEvent) => o.onEvent?.(e);
  const giveUp = async (job: Job, message: string): Promise<never> => {
    await toDeadLetter(dead, job, message);
    throw new UnrecoverableError(message);
  };

  const processor = async (job: Job): Promise<EncodeResult> => {
    const data = job.data as EncodeJobData;
    emit({ type: "active", jobId: String(job.id), video: data.video, attempt: job.attemptsMade + 1 });
    const mismatch = settingsMismatch(data.settings, o.settings);
    if (mismatch) return giveUp(job, `${data.video}: queued for other settings (${mismatch}); start a worker with the same --model and frame options`);
    if (!existsSync(data.video)) return giveUp(job, `${data.video}: no such file on this worker`);
    try {
      const mem = await o.remember(data.video, (done, total) => void job.updateProgress({ step: "encode", done, total }).catch(() => {}));
      return { video: data.video, key: mem.cache.key, frames: mem.frames, hit: mem.cache.hit };
    } catch (e) {
      await deadLetterIfLast(dead, job, `${data.video}: ${(e as Error).message.split("\n")[0]}`);
      throw e;
    }
  };

  const worker = queueWorker(name, processor, conn, { ...o, maxStalledCount: 2 });
  worker.on("completed", (job, result: EncodeResult) => emit({ type: "completed", jobId: String(job.id), result }));
  worker.on("failed", (job, err) => {
    if (!job) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1) || err.name === "UnrecoverableError";
    emit({ type: "failed", jobId: String(job.id), video: (job.data as EncodeJobData).video, error: err.message, final });
    // A job failed for stalling too often (its workers kept dying) never reached the processor's catch.
    if (/stalled/i.test(err.message)) void toDeadLetter(dead, job, err.message).catch((e: Error) => emit({ type: "error", error: e.message }));
  });
  worker.on("error", (err) => emit({ type: "error", error: err.message }));
  await worker.waitUntilReady();
  return {
    async close() {
      await worker.close();
      await dead.close();
      conn.disconnect();
    },
  };
}
