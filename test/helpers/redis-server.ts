// A throwaway redis-server on a free port for queue tests (skip the suite with missingProgram when absent),
// and a poll-until helper for what workers in other processes do.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { openRedis } from "../../src/data/synthesis/queue/synth-queue.ts";

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Polls `f` until it gives a value other than undefined/false; throws naming `what` after timeoutMs. */
export async function until<T>(what: string, f: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, everyMs = 25): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

/** redis-server without persistence on a free local port, answering before this resolves. */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const proc: ChildProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  const url = `redis://127.0.0.1:${port}`;
  await until(
    "redis-server to answer",
    async () => {
      try {
        (await openRedis(url, 500)).disconnect();
        return true;
      } catch {
        return undefined;
      }
    },
    10_000,
  );
  return {
    url,
    async stop() {
      if (proc.exitCode !== null) return;
      const gone = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      await gone;
    },
  };
}
