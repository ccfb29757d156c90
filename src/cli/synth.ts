// `hourllava data synth …`: queue videos for QA synthesis, run workers, show progress. Thin: parsing,
// printing and signals only; the work is in the pipeline and the queue module.
import type { Command } from "commander";
import { readVideoSpecs } from "../data/synthesis/video-spec.ts";
import { loadSynthConfig } from "../data/synthesis/config.ts";
import { ffmpegFramesForClip } from "../data/synthesis/ffmpeg-frames.ts";
import {
  DEFAULT_QUEUE,
  DEFAULT_REDIS_URL,
  enqueueVideos,
  queueStatus,
  renderQueueStatus,
  startWorker,
  type WorkerEvent,
} from "../data/synthesis/queue/synth-queue.ts";
import { createProgress } from "../util/progress.ts";
import { intOption, retiredOption } from "./options.ts";

interface Common {
  redis: string;
  queueName: string;
}

function addCommon(c: Command): Command {
  c.option("--redis <url>", "Redis server (env HOURLLAVA_REDIS_URL)", process.env.HOURLLAVA_REDIS_URL ?? DEFAULT_REDIS_URL).option(
    "--queue-name <name>",
    "queue name",
    DEFAULT_QUEUE,
  );
  return retiredOption(c, "--queue <name>", "the queue's name is --queue-name <name> (--queue meant a Redis URL elsewhere)");
}

function describe(e: WorkerEvent): string | undefined {
  switch (e.type) {
    case "active":
      return `start ${e.jobId} (attempt ${e.attempt})`;
    case "completed":
      return e.result.skipped
        ? `skip  ${e.jobId}: ${e.result.skipped}`
        : `done  ${e.jobId}: ${e.result.qaCount} QA, ${e.result.events} events${e.result.reused ? " (already on disk)" : ""}`;
    case "failed":
      return `fail  ${e.jobId} (attempt ${e.attemptsMade}${e.final ? ", final: dead-lettered" : ", will retry"}): ${e.error}`;
    case "error":
      return `error ${e.error}`;
    default:
      return undefined;
  }
}

export function registerSynthCommands(program: Command): void {
  const data = program.commands.find((c) => c.name() === "data") ?? program.command("data").description("VideoMarathon data tools");
  const synth = data.command("synth").description("VideoMarathon-style QA synthesis (hierarchical captions → QA) over a Redis queue");

  addCommon(
    synth
      .command("enqueue")
      .description("queue one synthesis job per video (JSON lines: id, video, duration, data_source[, path]); queued videos are left as they are")
      .argument("<videos.jsonl>")
      .option("--attempts <n>", "tries per video", intOption("attempts", 1), 3)
      .option("--backoff <ms>", "first retry delay, doubled each retry", intOption("backoff", 0), 30_000)
      .option("--retry-failed", "requeue videos whose job failed for good")
      .option("--quiet", "no progress"),
  ).action(async (file: string, o: Common & { attempts: number; backoff: number; retryFailed?: boolean; quiet?: boolean }) => {
    const videos = readVideoSpecs(file);
    const p = createProgress({ label: "enqueue", total: videos.length, unit: "videos", quiet: o.quiet });
    let last = 0;
    const r = await enqueueVideos(videos, {
      redisUrl: o.redis,
      queueName: o.queueName,
      attempts: o.attempts,
      backoffMs: o.backoff,
      retryFailed: o.retryFailed,
      onProgress: (done) => {
        p.tick(done - last);
        last = done;
      },
    });
    p.done();
    console.log(
      `${r.added.length} added, ${r.existing.length} already queued${o.retryFailed ? `, ${r.retried.length} failed jobs requeued` : ""} (queue ${o.queueName})`,
    );
  });

  addCommon(
    synth
      .command("worker")
      .description("process queued videos until stopped (Ctrl-C finishes the running videos first)")
      .requiredOption("--config <file>", "synthesis config JSON (endpoint, captioner and summarizer models, clip settings)")
      .requiredOption("--workdir <dir>", "where <videoId>/<step>.json and <videoId>/qa.jsonl are written")
      .option("--video-root <dir>", "folder the videos' paths are relative to", ".")
      .option("--concurrency <n>", "videos at once", intOption("concurrency", 1), 1)
      .option("--lock-duration <ms>", "a video whose worker is silent this long goes to another worker", intOption("lock-duration", 1000), 60_000),
  ).action(async (o: Common & { config: string; workdir: string; videoRoot: string; concurrency: number; lockDuration: number }) => {
    const config = loadSynthConfig(o.config);
    const w = await startWorker({
      redisUrl: o.redis,
      queueName: o.queueName,
      workdir: o.workdir,
      config,
      concurrency: o.concurrency,
      lockDurationMs: o.lockDuration,
      framesForClip: ffmpegFramesForClip({ framesPerClip: config.framesPerClip, videoRoot: o.videoRoot }),
      onEvent: (e) => {
        const line = describe(e);
        if (line) process.stderr.write(`${new Date().toISOString()} ${line}\n`);
      },
    });
    process.stderr.write(`worker on queue ${o.queueName} (${o.redis}), ${o.concurrency} at a time; Ctrl-C to stop\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.stderr.write("stopping: waiting for running videos to finish (Ctrl-C again to abort)\n");
        process.once("SIGINT", () => process.exit(130));
        w.close().then(resolve, resolve);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
  });

  addCommon(
    synth
      .command("status")
      .description("job counts (waiting, delayed, active, completed, failed, dead), running videos and dead letters")
      .option("--json", "print JSON")
      .option("--list <n>", "active jobs and dead letters to list", intOption("list", 0), 10),
  ).action(async (o: Common & { json?: boolean; list: number }) => {
    const s = await queueStatus({ redisUrl: o.redis, queueName: o.queueName, listLimit: o.list });
    console.log(o.json ? JSON.stringify(s, null, 2) : renderQueueStatus(s));
  });
}
