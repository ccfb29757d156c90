// `hourllava encode|ask|chat`: the main job — a video file in, answers out.
import { createInterface } from "node:readline";
import type { Command } from "commander";
import { HourLlavaApp } from "../app/app.ts";
import type { AppOptions, AskOptions, VideoMemory } from "../app/app.ts";
import type { Device } from "../graph/runtime.ts";
import { checkAskOptions } from "../app/ask-options.ts";

interface CommonOpts {
  model?: string;
  device?: Device;
  threads?: number;
  cache?: boolean;
  cacheDir?: string;
  quiet?: boolean;
  lockTimeout?: number;
  json?: boolean;
  verbose?: boolean;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  seed?: number;
}

const int = (v: string) => {
  const n = Number.parseInt(v, 10);
  if (!Number.isFinite(n)) throw new Error(`not an integer: ${v}`);
  return n;
};
const num = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`not a number: ${v}`);
  return n;
};

function withModelOptions(c: Command): Command {
  return c
    .option("--model <dir>", "model folder (config.json, *.safetensors, tokenizer.json); default: the embedded tiny model")
    .option("--device <name>", "cpu | webgpu | cuda", "cpu")
    .option("--threads <n>", "intra-op threads (default: all cores)", int)
    .option("--no-cache", "do not read or write the memory cache")
    .option("--cache-dir <dir>", "memory cache folder (default $HOURLLAVA_CACHE or ~/.cache/hourllava)")
    .option("--quiet", "no progress bar")
    .option("--lock-timeout <seconds>", "longest wait for another process encoding the same video (default 24 h)", num);
}

function withSampling(c: Command): Command {
  return c
    .option("--max-tokens <n>", "longest answer in tokens", int, 128)
    .option("--temperature <t>", "0 = greedy", num, 0)
    .option("--top-p <p>", "nucleus sampling", num)
    .option("--top-k <k>", "top-k sampling", int)
    .option("--seed <s>", "sampling seed", int, 0);
}

async function open(o: CommonOpts, batch?: number): Promise<HourLlavaApp> {
  if (batch !== undefined && !(batch > 0)) throw new Error(`--batch must be a positive integer, got ${batch}`);
  if (o.lockTimeout !== undefined && !(o.lockTimeout >= 0)) throw new Error(`--lock-timeout must be a number of seconds ≥ 0, got ${o.lockTimeout}`);
  const quiet = o.quiet || o.json;
  const opts: AppOptions = {
    device: o.device,
    threads: o.threads,
    cacheDir: o.cacheDir,
    noCache: o.cache === false,
    quiet,
    batch,
    lockTimeoutS: o.lockTimeout,
  };
  return HourLlavaApp.load(o.model, opts);
}

const sampling = (o: CommonOpts): AskOptions => ({ maxNewTokens: o.maxTokens, temperature: o.temperature, topP: o.topP, topK: o.topK, seed: o.seed });

function describe(mem: VideoMemory) {
  return {
    video: mem.video,
    duration_s: mem.durationS,
    frames: mem.frames,
    cache: mem.cache,
    timings_s: { decode: mem.timings.decodeS, vision_encode: mem.timings.encodeS },
  };
}

export function registerAskCommands(program: Command): void {
  withModelOptions(program.command("encode <video>").description("build the video's memory repository (cached for later questions)"))
    .option("--json", "print one JSON object")
    .option("--batch <n>", "frames per vision batch and per saved cache part", int, 16)
    .action(async (video: string, o: CommonOpts & { batch: number }) => {
      const app = await open(o, o.batch);
      const mem = await app.remember(video);
      if (o.json) process.stdout.write(JSON.stringify({ ...describe(mem), model: app.modelDir }) + "\n");
      else
        process.stdout.write(
          `${video}: ${mem.frames} frames, ${mem.durationS.toFixed(2)} s, memory ${(mem.cache.bytes / 2 ** 20).toFixed(1)} MiB${mem.cache.hit ? " (cached)" : ""}\n`,
        );
    });

  withSampling(withModelOptions(program.command("ask <video> <question>").description("answer a question about a video, streamed")))
    .option("--json", "print one JSON object with the answer, timings and cache info")
    .action(async (video: string, question: string, _o: CommonOpts, cmd: Command) => {
      const o = cmd.optsWithGlobals() as CommonOpts; // --verbose is a program-wide option
      if (!question.trim()) throw new Error("the question is empty");
      checkAskOptions(sampling(o));
      const app = await open(o);
      const mem = await app.remember(video);
      let answer = "";
      for await (const piece of app.ask(mem, question, sampling(o))) {
        answer += piece;
        if (!o.json) process.stdout.write(piece);
      }
      const t = app.lastTimings!;
      if (o.json) {
        const timings = { decode: mem.timings.decodeS, vision_encode: mem.timings.encodeS, memaug: t.memAugS, prefill: t.prefillS, generation: t.generateS };
        process.stdout.write(JSON.stringify({ answer, question, model: app.modelDir, ...describe(mem), timings_s: timings, tokens: t.tokens }) + "\n");
      } else process.stdout.write("\n");
      if (o.verbose) {
        process.stderr.write(
          `decode ${mem.timings.decodeS.toFixed(2)} s, vision encode ${mem.timings.encodeS.toFixed(2)} s, MemAug ${t.memAugS.toFixed(2)} s, prefill ${t.prefillS.toFixed(2)} s, generation ${t.generateS.toFixed(2)} s (${t.tokens} tokens); cache ${mem.cache.hit ? "hit" : "miss"} ${mem.cache.key}\n`,
        );
      }
    });

  withSampling(withModelOptions(program.command("chat <video>").description("interactive questions about one video (/exit to leave)"))).action(
    async (video: string, o: CommonOpts) => {
      checkAskOptions(sampling(o));
      const app = await open(o);
      const mem = await app.remember(video);
      const chat = app.chat(mem);
      // Lines are read as a stream (not rl.question), so piped input is not lost while an answer is generated.
      const rl = createInterface({ input: process.stdin, terminal: process.stdin.isTTY === true });
      process.stdout.write(`${video}: ${mem.frames} frames in memory. Ask away; /exit to leave.\n> `);
      try {
        for await (const line of rl) {
          const q = line.trim();
          if (q === "/exit" || q === "/quit") break;
          if (q) {
            // A failed turn (e.g. over the context) is reported and left out of the history; the chat goes on.
            try {
              for await (const piece of chat.send(q, sampling(o))) process.stdout.write(piece);
              process.stdout.write("\n");
            } catch (e) {
              process.stdout.write("\n");
              process.stderr.write(`hourllava: ${(e as Error).message.split("\n")[0]}\n`);
            }
          }
          process.stdout.write("> ");
        }
      } finally {
        rl.close();
      }
    },
  );
}
