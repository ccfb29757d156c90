// Queueing encodes on BullMQ (the engine `data synth` uses, and its Redis helpers): one job per (video,
// settings), attempts with exponential backoff, and a wait that eval --redis uses until every job has
// finished or failed for good.
import { Queue } from "bullmq";
import { openRedis, type RedisTarget } from "../data/synthesis/queue/synth-queue.ts";
import { encodeJobId, type EncodeJobData, type EncodeSettings } from "./encode-job.ts";

export const DEFAULT_ENCODE_QUEUE = "hourllava-encode";
const JOB_NAME = "encode";

export interface EnqueueEncodeOptions extends RedisTarget {
  attempts?: number;
  backoffMs?: number;
}

export interface EnqueuedEncodes {
  ids: string[];
  added: number;
  existing: number;
}

export async function enqueueEncodes(videos: readonly string[], settings: EncodeSettings, o: EnqueueEncodeOptions = {}): Promise<EnqueuedEncodes> {
  const conn = await openRedis(o.redisUrl);
  const queue = new Queue(o.queueName ?? DEFAULT_ENCODE_QUEUE, { connection: conn });
  const res: EnqueuedEncodes = { ids: [], added: 0, existing: 0 };
  try {
    for (const video of videos) {
      const data: EncodeJobData = { video, settings };
      const jobId = encodeJobId(data);
      res.ids.push(jobId);
      if (await queue.getJob(jobId)) {
        res.existing++;
        continue;
      }
      await queue.add(JOB_NAME, data, {
        jobId,
        attempts: o.attempts ?? 3,
        backoff: { type: "exponential", delay: o.backoffMs ?? 10_000 },
        removeOnComplete: false,
        removeOnFail: false,
      });
      res.added++;
    }
  } finally {
    await queue.close();
    conn.disconnect();
  }
  return res;
}

export interface EncodeOutcome {
  done: string[];
  failed: { video: string; error: string }[];
}

/** Polls the jobs until each is completed or failed for good; `onProgress` gets the finished count. */
export async function waitForEncodes(
  ids: readonly string[],
  o: RedisTarget & { pollMs?: number; onProgress?: (finished: number, total: number) => void } = {},
): Promise<EncodeOutcome> {
  const conn = await openRedis(o.redisUrl);
  const queue = new Queue(o.queueName ?? DEFAULT_ENCODE_QUEUE, { connection: conn });
  try {
    for (;;) {
      const out: EncodeOutcome = { done: [], failed: [] };
      for (const id of ids) {
        const job = await queue.getJob(id);
        if (!job) throw new Error(`encode job ${id} is gone from queue ${queue.name} (was the queue emptied?)`);
        const state = await job.getState();
        const data = job.data as EncodeJobData;
        if (state === "completed") out.done.push(data.video);
        else if (state === "failed") out.failed.push({ video: data.video, error: job.failedReason });
      }
      o.onProgress?.(out.done.length + out.failed.length, ids.length);
      if (out.done.length + out.failed.length === ids.length) return out;
      await new Promise((r) => setTimeout(r, o.pollMs ?? 1000));
    }
  } finally {
    await queue.close();
    conn.disconnect();
  }
}
