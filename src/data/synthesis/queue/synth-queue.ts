// Scale-out of the synthesis over BullMQ on Redis. One job per video (job id = video id, so a video is
// queued at most once); a worker runs the resumable per-video pipeline, and a job whose qa.jsonl already
// exists completes at once. Failed attempts are retried with exponential backoff; a job that has used
// up its attempts is copied to a dead-letter queue ("<queue>-dead") with its error.
import { Queue, UnrecoverableError, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { synthesizeVideo, type FramesForClip, type VideoResult } from "../pipeline.ts";
import { createLlmClient, type LlmClient } from "../llm.ts";
import type { SynthConfig } from "../config.ts";
import { parseVideoSpec, type VideoSpec } from "../video-spec.ts";

export const DEFAULT_QUEUE = "hourllava-synth";
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
const JOB_NAME = "synthesize";

export const deadQueueName = (queue: string) => `${queue}-dead`;

export interface RedisTarget {
  redisUrl?: string;
  queueName?: string;
}

export interface DeadLetter {
  video: VideoSpec;
  error: string;
  attemptsMade: number;
  failedAt: string;
}

/** A connected client (ioredis, as BullMQ expects), or one clear error when Redis cannot be reached. */
export async function openRedis(url = DEFAULT_REDIS_URL, timeoutMs = 5000): Promise<Redis> {
  let protocol = "";
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new Error(`redis url "${url}" is not a URL (redis://host:port)`);
  }
  if (protocol !== "redis:" && protocol !== "rediss:") throw new Error(`redis url "${url}": protocol must be redis:, got ${protocol}`);
  // BullMQ needs maxRetriesPerRequest null for blocking commands; the first connect is tried once.
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null, connectTimeout: timeoutMs, retryStrategy: () => null });
  let socketError: NodeJS.ErrnoException | undefined;
  client.on("error", (e: NodeJS.ErrnoException) => {
    socketError = e; // the cause of a failed connect (ECONNREFUSED…); later drops are retried
  });
  // connectTimeout covers the TCP connect only: a port that accepts and never answers would hang here forever.
  let timer: NodeJS.Timeout | undefined;
  const silent = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`connected, but no answer to PING within ${timeoutMs / 1000} s: is it a Redis server?`)), timeoutMs);
  });
  try {
    await Promise.race([client.connect().then(() => client.ping()), silent]);
  } catch (e) {
    client.disconnect();
    const err = socketError ?? (e as NodeJS.ErrnoException);
    throw new Error(`cannot reach Redis at ${url}: ${err.code ?? err.message}`);
  } finally {
    clearTimeout(timer);
  }
  // From here on, reconnect after drops.
  client.options.retryStrategy = (times: number) => Math.min(times * 200, 5000);
  return client;
}

export interface EnqueueOptions extends RedisTarget {
  /** Tries per video (default 3). */
  attempts?: number;
  /** First retry delay in ms, doubled each time (default 30 s). */
  backoffMs?: number;
  /** Put videos whose job failed for good back in the queue (and off the dead-letter list). */
  retryFailed?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface EnqueueResult {
  added: string[];
  /** Already queued, running or done: left as they are. */
  existing: string[];
  retried: string[];
}

export async function enqueueVideos(videos: readonly VideoSpec[], o: EnqueueOptions = {}): Promise<EnqueueResult> {
  const name = o.queueName ?? DEFAULT_QUEUE;
  const attempts = o.attempts ?? 3;
  if (!Number.isInteger(attempts) || attempts < 1) throw new Error(`enqueue: attempts must be an integer ≥ 1, got ${attempts}`);
  const seen = new Set<string>();
  for (const v of videos) {
    if (seen.has(v.id)) throw new Error(`enqueue: video id "${v.id}" is given twice`);
    seen.add(v.id);
  }
  const conn = await openRedis(o.redisUrl);
  const queue = new Queue(name, { connection: conn });
  const dead = new Queue(deadQueueName(name), { connection: conn });
  const res: EnqueueResult = { added: [], existing: [], retried: [] };
  try {
    for (let i = 0; i < videos.length; i++) {
      const v = videos[i];
      const job = await queue.getJob(v.id);
      if (!job) {
        await queue.add(JOB_NAME, v, {
          jobId: v.id,
          attempts,
          backoff: { type: "exponential", delay: o.backoffMs ?? 30_000 },
          removeOnComplete: false,
          removeOnFail: false,
        });
        res.added.push(v.id);
      } else if (o.retryFailed && (await job.isFailed())) {
        await job.retry("failed");
        await (await dead.getJob(v.id))?.remove();
        res.retried.push(v.id);
      } else res.existing.push(v.id);
      o.onProgress?.(i + 1, videos.length);
    }
  } finally {
    await dead.close();
    await queue.close();
    conn.disconnect();
  }
  return res;
}

export type WorkerEvent =
  | { type: "active"; jobId: string; attempt: number }
  | { type: "step"; jobId: string; step: string; done: number; total: number }
  | { type: "completed"; jobId: string; result: VideoResult & { reused: boolean } }
  | { type: "failed"; jobId: string; error: string; attemptsMade: number; final: boolean }
  | { type: "error"; error: string };

export interface WorkerOptions extends RedisTarget {
  workdir: string;
  config: SynthConfig;
  framesForClip: FramesForClip;
  /** Videos processed at once by this worker (default 1). */
  concurrency?: number;
  /** Defaults to an OpenAI client built from `config`. */
  llm?: LlmClient;
  /** A job whose worker stops renewing its lock for this long is handed to another worker (default 60 s). */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for (default 30 s). */
  stalledIntervalMs?: number;
  onEvent?: (e: WorkerEvent) => void;
  promptDir?: string;
}

export interface SynthWorker {
  readonly worker: Worker;
  close(): Promise<void>;
}

export async function toDeadLetter(dead: Queue, job: Job, error: string): Promise<void> {
  const letter: DeadLetter = { video: job.data as VideoSpec, error, attemptsMade: job.attemptsMade, failedAt: new Date().toISOString() };
  // jobId = video id: the processor and the "failed" handler may both report the same job.
  await dead.add("dead", letter, { jobId: String(job.id), removeOnComplete: false, removeOnFail: false });
}

/** In a processor's catch: a job on its last attempt is dead-lettered before it is marked failed, so a crash in
 * between loses nothing. */
export async function deadLetterIfLast(dead: Queue, job: Job, error: string): Promise<void> {
  if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await toDeadLetter(dead, job, error);
}

/** A worker with the scale-out settings: a job whose worker is silent for lockDurationMs goes to another one. */
export function queueWorker(
  name: string,
  processor: (job: Job) => Promise<unknown>,
  conn: Redis,
  o: { concurrency?: number; lockDurationMs?: number; stalledIntervalMs?: number; maxStalledCount: number },
): Worker {
  return new Worker(name, processor, {
    connection: conn,
    concurrency: o.concurrency ?? 1,
    lockDuration: o.lockDurationMs ?? 60_000,
    stalledInterval: o.stalledIntervalMs ?? 30_000,
    maxStalledCount: o.maxStalledCount,
    autorun: true,
  });
}

export async function startWorker(o: WorkerOptions): Promise<SynthWorker> {
  const name = o.queueName ?? DEFAULT_QUEUE;
  const conn = await openRedis(o.redisUrl);
  const dead = new Queue(deadQueueName(name), { connection: conn });
  const llm = o.llm ?? createLlmClient(o.config);
  const emit = (e: WorkerEvent) => o.onEvent?.(e);

  const processor = async (job: Job) => {
    const id = String(job.id);
    emit({ type: "active", jobId: id, attempt: job.attemptsMade + 1 });
    let video: VideoSpec;
    try {
      video = parseVideoSpec(job.data, `job ${id}`);
    } catch (e) {
      await toDeadLetter(dead, job, (e as Error).message);
      throw new UnrecoverableError((e as Error).message);
    }
    try {
      return await synthesizeVideo(video, {
        config: o.config,
        llm,
        framesForClip: o.framesForClip,
        workdir: o.workdir,
        promptDir: o.promptDir,
        onStep: (s) => {
          emit({ type: "step", jobId: id, step: s.step, done: s.done, total: s.total });
          job.updateProgress({ step: s.step, done: s.done, total: s.total }).catch(() => {});
        },
      });
    } catch (e) {
      await deadLetterIfLast(dead, job, (e as Error).message);
      throw e;
    }
  };

  const worker = queueWorker(name, processor, conn, { ...o, maxStalledCount: 1 });
  worker.on("completed", (job, result) => emit({ type: "completed", jobId: String(job.id), result }));
  worker.on("failed", (job, err) => {
    if (!job) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1) || err.name === "UnrecoverableError";
    emit({ type: "failed", jobId: String(job.id), error: err.message, attemptsMade: job.attemptsMade, final });
    // A job failed for stalling too often never reached the processor's catch: dead-letter it here.
    if (final || /stalled/i.test(err.message)) {
      job
        .isFailed()
        .then((failed) => (failed ? toDeadLetter(dead, job, err.message) : undefined))
        .catch((e: Error) => emit({ type: "error", error: `dead-letter for ${job.id}: ${e.message}` }));
    }
  });
  worker.on("error", (err) => emit({ type: "error", error: err.message }));
  await worker.waitUntilReady();

  return {
    worker,
    async close() {
      await worker.close();
      await dead.close();
      conn.disconnect();
    },
  };
}

export interface ActiveJob {
  id: string;
  step?: string;
  done?: number;
  total?: number;
}

export interface QueueStatus {
  queue: string;
  waiting: number;
  delayed: number;
  active: number;
  completed: number;
  failed: number;
  dead: number;
  activeJobs: ActiveJob[];
  deadLetters: { id: string; error: string }[];
}

export async function queueStatus(o: RedisTarget & { listLimit?: number } = {}): Promise<QueueStatus> {
  const name = o.queueName ?? DEFAULT_QUEUE;
  const limit = o.listLimit ?? 10;
  const conn = await openRedis(o.redisUrl);
  const queue = new Queue(name, { connection: conn });
  const dead = new Queue(deadQueueName(name), { connection: conn });
  try {
    const c = await queue.getJobCounts("wait", "prioritized", "delayed", "active", "completed", "failed");
    const d = await dead.getJobCounts("wait");
    const active = limit > 0 ? await queue.getJobs(["active"], 0, limit - 1) : [];
    const deadJobs = limit > 0 ? await dead.getJobs(["wait"], 0, limit - 1) : [];
    return {
      queue: name,
      waiting: (c.wait ?? 0) + (c.prioritized ?? 0),
      delayed: c.delayed ?? 0,
      active: c.active ?? 0,
      completed: c.completed ?? 0,
      failed: c.failed ?? 0,
      dead: d.wait ?? 0,
      activeJobs: active.filter(Boolean).map((j) => {
        const p = (typeof j.progress === "object" ? j.progress : {}) as { step?: string; done?: number; total?: number };
        return { id: String(j.id), step: p.step, done: p.done, total: p.total };
      }),
      deadLetters: deadJobs.filter(Boolean).map((j) => ({ id: String(j.id), error: String((j.data as DeadLetter).error ?? "") })),
    };
  } finally {
    await dead.close();
    await queue.close();
    conn.disconnect();
  }
}

/** A few aligned lines for a terminal. */
export function renderQueueStatus(s: QueueStatus): string {
  const total = s.waiting + s.delayed + s.active + s.completed + s.failed;
  const pct = total > 0 ? ` (${((100 * s.completed) / total).toFixed(1)}% of ${total})` : "";
  const rows: [string, number, string][] = [
    ["waiting", s.waiting, ""],
    ["delayed", s.delayed, s.delayed ? "  (waiting to retry)" : ""],
    ["active", s.active, ""],
    ["completed", s.completed, pct],
    ["failed", s.failed, ""],
    ["dead", s.dead, s.dead ? "  (attempts used up; see below)" : ""],
  ];
  const w = Math.max(...rows.map((r) => String(r[1]).length));
  const lines = [`queue ${s.queue}`, ...rows.map(([k, n, extra]) => `  ${k.padEnd(10)}${String(n).padStart(w)}${extra}`)];
  for (const j of s.activeJobs) lines.push(`  active ${j.id}${j.step ? `: ${j.step} (${j.done}/${j.total} steps)` : ""}`);
  for (const d of s.deadLetters) lines.push(`  dead ${d.id}: ${d.error.length > 160 ? d.error.slice(0, 157) + "..." : d.error}`);
  return lines.join("\n");
}
