// A synthesis worker in its own process, for the queue test: reports its events as JSON lines on stdout.
// With HANG_AFTER_FIRST_CLIP=1 it captions a video's first clip and then waits forever on the second,
// so the test can kill it in the middle of a job.
import { startWorker } from "../../../src/data/synthesis/queue/synth-queue.ts";
import { testConfig, PNG_1X1 } from "./helpers.ts";

const env = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`worker-child: ${k} is not set`);
  return v;
};
const hang = process.env.HANG_AFTER_FIRST_CLIP === "1";
const say = (o: unknown) => process.stdout.write(JSON.stringify(o) + "\n");

const w = await startWorker({
  redisUrl: env("REDIS_URL"),
  queueName: env("QUEUE"),
  workdir: env("WORKDIR"),
  config: testConfig(env("BASE_URL"), { parallelCalls: 1 }),
  concurrency: 1,
  lockDurationMs: 2000,
  stalledIntervalMs: 500,
  framesForClip: async (video, start) => {
    if (video.id.startsWith("bad-")) throw new Error(`cannot decode ${video.video}`);
    if (hang && start > 0) await new Promise(() => {});
    return [PNG_1X1, PNG_1X1];
  },
  onEvent: (e) => say(e),
});
say({ type: "ready", pid: process.pid });
process.once("SIGTERM", () => {
  w.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
