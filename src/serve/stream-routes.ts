// Live streams: POST /v1/streams starts recording a source the operator allowed (--live-sources), GET lists them or
// tells one's progress (seconds covered, lag, state, gaps), DELETE stops one; GET /v1/config tells the page what
// this server allows. Chat completions name a stream's id as their video_url (chat-route.ts).
import type { FastifyInstance } from "fastify";
import type { ServeContext } from "./context.ts";

export function registerStreamRoutes(server: FastifyInstance, ctx: ServeContext): void {
  server.get("/v1/config", async () => ({
    object: "config",
    model: ctx.modelName,
    live_sources: ctx.streams.kinds,
    video_root: ctx.sources.hasRoot,
  }));
  server.post("/v1/streams", async (req, reply) => reply.code(201).send(await ctx.streams.create(req.body)));
  server.get("/v1/streams", async () => ({ object: "list", data: ctx.streams.list() }));
  server.get<{ Params: { id: string } }>("/v1/streams/:id", async (req) => ctx.streams.status(req.params.id));
  server.delete<{ Params: { id: string } }>("/v1/streams/:id", async (req) => ctx.streams.remove(req.params.id));
  server.addHook("onClose", async () => ctx.streams.stopAll());
}
