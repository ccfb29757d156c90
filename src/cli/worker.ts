// `hourllava worker encode --redis redis://…`: a long-running encode worker of the farm; any number of them, on
// any machine that reaches Redis and the shared video and cache folders.
import type { Command } from "commander";
import { startEncodeWorker, type EncodeEvent } from "../farm/encode-worker.ts";
import { open, withModelOptions, type CommonOpts } from "./model-options.ts";
import { encodeSettings, redisUrlOf, withQueueOptions } from "./encode-farm.ts";
import { intOption } from "./options.ts";

interface WorkerOpts extends CommonOpts {
  redis?: string;
  queueName: string;
  batch: number;
  concurrency: number;
  lockDuration: number;
  stalledInterval: number;
}

function describe(e: EncodeEvent): string {
  switch (e.type) {
    case "active":
      return `start ${e.video} (attempt ${e.attempt})`;
    case "completed":
      return `done  ${e.result.video}: ${e.result.frames} frames${e.result.hit ? " (already in the cache)" : ""}`;
    case "failed":
      return `fail  ${e.video}${e.final ? " (final: dead-lettered)" : " (will retry)"}: ${e.error}`;
    case "error":
      return `error ${e.error}`;
  }
}

export function registerWorkerCommands(program: Command): void {
  const worker = program.command("worker").description("workers of the scale-out queues");
  withQueueOptions(
    withModelOptions(worker.command("encode").description("encode queued videos into the shared cache until stopped (Ctrl-C finishes the running video)")),
  )
    .option("--batch <n>", "frames per vision batch and per saved cache part", intOption("batch", 1), 16)
    .option("--concurrency <n>", "videos at once", intOption("concurrency", 1), 1)
    .option("--lock-duration <ms>", "a video whose worker is silent this long goes to another worker", intOption("lock-duration", 500), 60_000)
    .option("--stalled-interval <ms>", "how often silent workers are looked for", intOption("stalled-interval", 100), 30_000)
    .action(async (o: WorkerOpts) => {
      const app = await open({ ...o, quiet: true }, o.batch);
      const w = await startEncodeWorker({
        redisUrl: redisUrlOf(o),
        queueName: o.queueName,
        settings: encodeSettings(o, await app.modelId()),
        remember: (video, onProgress) => app.remember(video, { onProgress }),
        concurrency: o.concurrency,
        lockDurationMs: o.lockDuration,
        stalledIntervalMs: o.stalledInterval,
        onEvent: (e) => process.stderr.write(`${new Date().toISOString()} ${describe(e)}\n`),
      });
      process.stderr.write(`encode worker ${process.pid} on queue ${o.queueName} (${redisUrlOf(o)}); Ctrl-C to stop\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.once("SIGINT", () => process.exit(130));
          w.close().then(resolve, resolve);
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
