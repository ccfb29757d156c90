// POST /v1/chat/completions: the conversation is answered by the app's one answer path (HourLlavaApp.respond →
// streamAnswer) about a video or an image, or from the text alone when the messages name neither (the LLM with no
// <image>: what a text-only judge request such as lmms-eval's gets), as one JSON completion or as OpenAI chunks over SSE ending with [DONE]. A request's failures
// before its first token (queue full, bad video, context too long) are HTTP statuses; later ones an SSE error. A
// video_url naming a live stream (`stream-…`) is answered over its memory so far, and the response's `live` field
// (on the completion, or on the first and last chunks) says up to which second of stream it saw and the lag.
import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Answer, ImageMemory, VideoMemory } from "../app/app.ts";
import type { ServeContext } from "./context.ts";
import { parseChatRequest } from "./chat-request.ts";
import { toApiError } from "./errors.ts";
import { abortError } from "./queue.ts";
import { requestSignal } from "./signal.ts";
import { SseStream } from "./sse.ts";
import { seenFields } from "./streams.ts";

const usage = (a: Answer) => ({ prompt_tokens: a.promptTokens, completion_tokens: a.ids.length, total_tokens: a.promptTokens + a.ids.length });
const finish = (a: Answer) => (a.stop === "end" ? "stop" : "length");
const timings = (a: Answer) => ({ memaug_s: a.timings.memAugS, prefill_s: a.timings.prefillS, generation_s: a.timings.generateS });

export function registerChatRoute(server: FastifyInstance, ctx: ServeContext): void {
  server.post("/v1/chat/completions", async (req, reply) => {
    const r = parseChatRequest(req.body, ctx.modelName);
    // A stream's id: the answer is over its memory as it is when the job starts, and says what it saw (`live`).
    const rm = r.media;
    const streamId = rm?.kind === "video" && rm.url.startsWith("stream-") ? ctx.streams.get(rm.url, "messages").id : undefined;
    const media = streamId || !rm ? undefined : ctx.sources.resolve(rm.url, "messages", rm.kind);
    const signal = requestSignal(reply, ctx.requestTimeoutS);
    const head = { id: `chatcmpl-${randomBytes(12).toString("hex")}`, created: Math.floor(Date.now() / 1000), model: ctx.modelName };
    return ctx.queue.run(async (sig) => {
      let live: ReturnType<typeof seenFields> | undefined;
      let mem: VideoMemory | ImageMemory | undefined; // undefined: a text-only question
      if (streamId) {
        const snap = ctx.streams.snapshot(streamId);
        live = seenFields(streamId, snap.live, snap.frames, ctx.streams.get(streamId, "messages").live.status().state);
        mem = snap;
      } else if (media && rm)
        mem = await ctx.sources.using(media, async () =>
          rm.kind === "image" ? await ctx.memories.getImage(media.path) : await ctx.memories.get(media.path, sig),
        );
      const seen = live ? { live } : {};
      const it = ctx.app.respond(mem, r.turns, r.options);
      const next = async () => {
        if (sig.aborted) {
          await it.return(undefined as never); // closes the generator: generation stops here
          throw abortError(sig);
        }
        try {
          return await it.next();
        } catch (e) {
          throw toApiError(e);
        }
      };
      let step = await next(); // MemAug, prefill and the first token: errors here are still an HTTP status
      if (!r.stream) {
        while (!step.done) step = await next();
        const a = step.value;
        const message = { role: "assistant", content: a.text };
        return {
          ...head,
          object: "chat.completion",
          choices: [{ index: 0, message, finish_reason: finish(a), logprobs: null }],
          usage: usage(a),
          timings: timings(a),
          ...seen,
        };
      }
      const sse = new SseStream(reply);
      const chunk = (delta: object, finish_reason: string | null) => ({
        ...head,
        object: "chat.completion.chunk",
        choices: [{ index: 0, delta, finish_reason, logprobs: null }],
      });
      sse.data({ ...chunk({ role: "assistant", content: "" }, null), ...seen });
      try {
        for (; !step.done; step = await next()) sse.data(chunk({ content: step.value }, null));
        const a = step.value;
        sse.data({ ...chunk({}, finish(a)), timings: timings(a), ...seen });
        if (r.includeUsage) sse.data({ ...head, object: "chat.completion.chunk", choices: [], usage: usage(a) });
        sse.end();
      } catch (e) {
        sse.data(toApiError(e).body(ctx.redact)); // the status is sent already: the error travels in the stream, as OpenAI's does
        sse.end(false);
      }
      return reply;
    }, signal);
  });
}
