// One AbortSignal per request: it fires when the client goes away before the response is finished (a closed
// tab, a cancelled stream) or when --request-timeout runs out, so queued work is dropped and running work stops.
import type { FastifyReply } from "fastify";

export function requestSignal(reply: FastifyReply, timeoutS: number): AbortSignal {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new DOMException("request timeout", "TimeoutError")), timeoutS * 1000);
  timer.unref();
  reply.raw.on("close", () => {
    clearTimeout(timer);
    if (!reply.raw.writableFinished) ctl.abort(new DOMException("client closed the connection", "AbortError"));
  });
  return ctl.signal;
}
