// Server-sent events on the raw response: the OpenAI stream format is `data: <json>\n\n` lines closed by
// `data: [DONE]`; named events (`event: progress`) carry encode progress. Writes after the client left are dropped.
import type { FastifyReply } from "fastify";

export class SseStream {
  constructor(private readonly reply: FastifyReply) {
    reply.hijack(); // we own the socket from here: Fastify sends nothing more
    reply.raw.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no", // proxies must not hold tokens back
    });
    reply.raw.flushHeaders();
  }

  get closed(): boolean {
    return this.reply.raw.destroyed || this.reply.raw.writableEnded;
  }

  data(value: unknown, event?: string): void {
    if (this.closed) return;
    this.reply.raw.write(`${event ? `event: ${event}\n` : ""}data: ${typeof value === "string" ? value : JSON.stringify(value)}\n\n`);
  }

  end(done = true): void {
    if (this.closed) return;
    if (done) this.reply.raw.write("data: [DONE]\n\n");
    this.reply.raw.end();
  }
}
