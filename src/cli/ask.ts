// `hourllava encode|ask|chat`: the main job — a video file in, answers out.
import { createInterface } from "node:readline";
import type { Command } from "commander";
import type { HourLlavaApp } from "../app/app.ts";
import type { AskOptions, ImageMemory, VideoMemory } from "../app/app.ts";
import { isImageFile } from "../image/load-image.ts";
import { checkAskOptions } from "../app/ask-options.ts";
import { choiceOption, intOption, numOption } from "./options.ts";
import { encodeFarm, withFarmOptions, type FarmOpts } from "./encode-farm.ts";
import { open, withModelOptions, type CommonOpts } from "./model-options.ts";
import { checkLiveOptions, liveAsk, liveChat, withLiveOptions, type LiveOpts } from "./live.ts";

function withSampling(c: Command): Command {
  return c
    .option("--max-tokens <n>", "longest answer in tokens (default: generation_config.json's max_new_tokens, else 128)", intOption("max-tokens", 1))
    .option(
      "--temperature <t>",
      "0 = greedy (default); > 0 samples, with generation_config.json's top-p/top-k unless given",
      numOption("temperature", { min: 0 }),
    )
    .option("--top-p <p>", "nucleus sampling", numOption("top-p", { min: 0, exclusiveMin: true, max: 1 }))
    .option("--top-k <k>", "top-k sampling", intOption("top-k", 1))
    .option("--seed <s>", "seed of random spatial forgetting and of sampling", intOption("seed", 0, 2 ** 32 - 1), 0)
    .option(
      "--spatial <kind>",
      "spatial forgetting: uniform | random (default: the config's spatial_sampling_type)",
      choiceOption("spatial", ["uniform", "random"]),
    );
}

const askOptions = (o: CommonOpts): AskOptions => ({
  maxNewTokens: o.maxTokens,
  temperature: o.temperature,
  topP: o.topP,
  topK: o.topK,
  seed: o.seed,
  spatial: o.spatial,
});

/** A photo (by its first bytes, else its extension) or a video: the same question path follows. */
function rememberInput(app: HourLlavaApp, path: string): Promise<VideoMemory | ImageMemory> {
  return isImageFile(path) ? app.rememberImage(path) : app.remember(path);
}

/** A video's probe and frame count, seconds (an image has neither). */
function probeTimings(mem: VideoMemory | ImageMemory): { probe?: number; count_frames?: number } {
  return "image" in mem ? {} : { probe: mem.timings.probeS ?? 0, count_frames: mem.timings.countFramesS ?? 0 };
}

function describe(mem: VideoMemory | ImageMemory, o: CommonOpts) {
  if ("image" in mem) {
    const timings_s = { decode: mem.timings.decodeS, vision_encode: mem.timings.encodeS };
    return { image: mem.image, width: mem.width, height: mem.height, tiles: mem.tiles, grid: mem.grid ?? null, quant: o.quant ?? null, timings_s };
  }
  return {
    video: mem.video,
    duration_s: mem.durationS,
    frames: mem.frames,
    fps: o.fps ?? 1,
    max_frames: o.maxFrames ?? null,
    quant: o.quant ?? null,
    compute_dtype: o.computeDtype ?? "f32",
    cache_dtype: o.cache === false ? null : (o.cacheDtype ?? "f16"),
    cache: mem.cache,
    // How much of what the file's header promises was decodable (1 for a complete file).
    header_duration_s: mem.incomplete?.headerDurationS ?? null,
    decodable_share: mem.incomplete ? Number((mem.incomplete.decodableS / mem.incomplete.headerDurationS).toFixed(4)) : 1,
    frame_count_source: mem.frameCountSource ?? null,
    timings_s: { ...probeTimings(mem), decode: mem.timings.decodeS, vision_encode: mem.timings.encodeS },
  };
}

export function registerAskCommands(program: Command): void {
  withFarmOptions(withModelOptions(program.command("encode [video]").description("build the video's memory repository (cached for later questions)")))
    .option("--json", "print one JSON object")
    .option("--batch <n>", "frames per vision batch and per saved cache part", intOption("batch", 1), 16)
    .action(async (video: string | undefined, o: CommonOpts & FarmOpts & { batch: number }) => {
      if (await encodeFarm(video, o)) return;
      if (!video) throw new Error("encode: give a video (or --list videos.txt --redis redis://host:port, or --status)");
      const app = await open(o, o.batch);
      const mem = await app.remember(video);
      if (o.json) process.stdout.write(JSON.stringify({ ...describe(mem, o), model: app.modelDir, device: app.device }) + "\n");
      else
        process.stdout.write(
          `${video}: ${mem.frames} frames, ${mem.durationS.toFixed(2)} s, memory ${(mem.cache.bytes / 2 ** 20).toFixed(1)} MiB${mem.cache.hit ? " (cached)" : ""}\n`,
        );
    });

  withLiveOptions(
    withSampling(
      withModelOptions(
        program
          .command("ask <video> [question]")
          .usage("[options] <video> <question>  |  --live <source> [--every <seconds>] <question>")
          .description("answer a question about a video or an image (jpg, png…), streamed; or about a live stream, as it arrives"),
      ),
    ),
  )
    .option("--json", "print one JSON object with the answer, timings and cache info (with --live: one JSON line per answer)")
    .action(async (first: string, second: string | undefined, _o: CommonOpts, cmd: Command) => {
      const o = cmd.optsWithGlobals() as CommonOpts & LiveOpts; // --verbose is a program-wide option
      checkLiveOptions(o);
      if (o.live !== undefined) {
        if (second !== undefined) throw new Error(`ask --live takes the question only (the source is --live ${o.live}); got "${first}" and "${second}"`);
        if (!first.trim()) throw new Error("the question is empty");
        checkAskOptions(askOptions(o));
        return liveAsk(first, o, askOptions(o));
      }
      if (second === undefined) throw new Error("ask needs a video and a question: hourllava ask <video> <question> (or --live <source> <question>)");
      const [video, question] = [first, second];
      if (!question.trim()) throw new Error("the question is empty");
      checkAskOptions(askOptions(o));
      const t0 = performance.now();
      const app = await open(o);
      const loadS = (performance.now() - t0) / 1000;
      const mem = await rememberInput(app, video);
      await app.model.releaseVision(); // one video per command: its memory is built
      // The answer path's sessions (and any --quant conversion) are built here, so prefill times prefill only.
      const t1 = performance.now();
      await app.warmUp();
      const sessionsS = (performance.now() - t1) / 1000;
      const it = app.ask(mem, question, askOptions(o));
      let r = await it.next();
      for (; !r.done; r = await it.next()) if (!o.json) process.stdout.write(r.value);
      const a = r.value;
      const t = a.timings;
      if (o.json) {
        const timings = {
          load: loadS,
          ...probeTimings(mem),
          decode: mem.timings.decodeS,
          vision_encode: mem.timings.encodeS,
          sessions: sessionsS,
          memaug: t.memAugS,
          prefill: t.prefillS,
          generation: t.generateS,
        };
        const settings = { sampling: o.sampling, spatial: a.spatial, seed: a.seed, stop: a.stop };
        process.stdout.write(
          JSON.stringify({
            answer: a.text,
            question,
            model: app.modelDir,
            device: app.device,
            ...describe(mem, o),
            ...settings,
            timings_s: timings,
            tokens: t.tokens,
          }) + "\n",
        );
      } else process.stdout.write("\n");
      if (o.verbose) {
        const cache = "cache" in mem ? `; cache ${mem.cache.hit ? "hit" : "miss"} ${mem.cache.key}` : `; ${mem.tiles} image tiles`;
        const probe =
          "image" in mem
            ? ""
            : `probe ${(mem.timings.probeS ?? 0).toFixed(2)} s, count frames ${(mem.timings.countFramesS ?? 0).toFixed(2)} s (${mem.frameCountSource}), `;
        process.stderr.write(
          `${probe}decode ${mem.timings.decodeS.toFixed(2)} s, vision encode ${mem.timings.encodeS.toFixed(2)} s, MemAug ${t.memAugS.toFixed(2)} s, prefill ${t.prefillS.toFixed(2)} s, generation ${t.generateS.toFixed(2)} s (${t.tokens} tokens)${cache}\n`,
        );
      }
    });

  withLiveOptions(
    withSampling(
      withModelOptions(
        program.command("chat [video]").description("interactive questions about one video or image, or a live stream with --live (/exit to leave)"),
      ),
    ),
  ).action(async (video: string | undefined, o: CommonOpts & LiveOpts) => {
    checkAskOptions(askOptions(o));
    checkLiveOptions(o);
    if (o.live !== undefined) {
      if (video !== undefined) throw new Error(`chat --live takes no video (the source is --live ${o.live}); got "${video}"`);
      return liveChat(o, askOptions(o));
    }
    if (video === undefined) throw new Error("chat needs a video (or --live <source>)");
    const app = await open(o);
    const mem = await rememberInput(app, video);
    await app.model.releaseVision(); // one video per command: its memory is built
    // Sessions are built before the prompt, so the first answer is as quick as the next ones.
    if (!o.quiet) process.stderr.write("preparing the language model…\n");
    await app.warmUp();
    const chat = app.chat(mem);
    // Lines are read as a stream (not rl.question), so piped input is not lost while an answer is generated.
    const rl = createInterface({ input: process.stdin, terminal: process.stdin.isTTY === true });
    const held = "image" in mem ? `a ${mem.width}×${mem.height} image (${mem.tiles} tiles)` : `${mem.frames} frames`;
    process.stdout.write(`${video}: ${held} in memory. Ask away; /exit to leave.\n> `);
    try {
      for await (const line of rl) {
        const q = line.trim();
        if (q === "/exit" || q === "/quit") break;
        if (q) {
          // A failed turn (e.g. over the context) is reported and left out of the history; the chat goes on.
          try {
            for await (const piece of chat.send(q, askOptions(o))) process.stdout.write(piece);
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
  });
}
