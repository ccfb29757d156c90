// Access checks before any route runs: with --api-key every API route needs `Authorization: Bearer <key>`
// (compared in constant time); /health and the page's static files are open (they hold no data; the page asks for
// the key and sends it on its API calls). On a loopback bind, a Host header naming another site is refused, so a
// web page cannot reach the local server through DNS rebinding.
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { ApiError } from "./errors.ts";

const OPEN = /^\/(health|page\/[\w.-]+)?(\?|$)/;
const LOCAL_HOSTS = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i;
const digest = (s: string) => createHash("sha256").update(s).digest();

export function registerAuth(server: FastifyInstance, o: { apiKey?: string; loopback: boolean }): void {
  const want = o.apiKey ? digest(o.apiKey) : undefined;
  server.addHook("onRequest", async (req) => {
    if (o.loopback && !LOCAL_HOSTS.test(req.headers.host ?? ""))
      throw new ApiError(
        403,
        "permission_error",
        `this server answers only requests addressed to localhost, not to "${req.headers.host}"`,
        null,
        "host_not_allowed",
      );
    if (!want || OPEN.test(req.url)) return;
    const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
    if (!m) throw new ApiError(401, "authentication_error", "this server needs an API key: send Authorization: Bearer <key>", null, "missing_api_key");
    if (!timingSafeEqual(digest(m[1].trim()), want)) throw new ApiError(401, "authentication_error", "the API key is not valid", null, "invalid_api_key");
  });
}
