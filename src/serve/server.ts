// `hourllava serve` as a Fastify instance: one loaded model, a bounded job queue, OpenAI-style routes, the page.
// Fastify: bodies are size-limited and parsed before a handler runs, its errors carry codes we map to OpenAI's
// error shape, and @fastify/multipart streams uploads to disk with a size limit (nothing buffered in memory).
import { basename, join } from "node:path";
import multipart from "@fastify/multipart";
import Fastify from "fastify";
import type { FastifyInstance } from "fastify";
import type { HourLlavaApp } from "../app/app.ts";
import { defaultCacheDir } from "../cache/cache.ts";
import { registerAuth } from "./auth.ts";
import { registerChatRoute } from "./chat-route.ts";
import type { ServeContext } from "./context.ts";
import { notFound, sendError } from "./errors.ts";
import { MemoryShelf } from "./memories.ts";
import { pathRedactor } from "./redact.ts";
import { registerPage } from "./page-route.ts";
import { JobQueue } from "./queue.ts";
import { registerStreamRoutes } from "./stream-routes.ts";
import { LiveStreams, type ApiLiveKind } from "./streams.ts";
import { UploadStore } from "./uploads.ts";
import { VideoSources } from "./video-source.ts";
import { registerVideoRoutes } from "./video-routes.ts";

export interface ServeOptions {
  app: HourLlavaApp;
  apiKey?: string;
  /** Where file:// videos may come from (none: file:// is refused). */
  videoRoot?: string;
  cacheDir?: string;
  /** Uploaded videos (default <cache>/uploads). */
  uploadDir?: string;
  maxUploadBytes?: number;
  /** JSON bodies, which may hold a data: URL video. */
  maxBodyBytes?: number;
  /** Requests waiting beyond the running ones; more get 429. */
  maxWaiting?: number;
  /** Compute jobs at once (default 1: on a CPU one job already keeps every core busy; see bench/serve/run.ts). */
  jobs?: number;
  requestTimeoutS?: number;
  /** Video memories held in the process between questions. */
  keepMemories?: number;
  /** The job queue (default: one job at a time, maxWaiting waiting); given by tests that need to hold it. */
  queue?: JobQueue;
  /** Live source kinds clients may start with POST /v1/streams (default none); `file` ones only under videoRoot. */
  liveSources?: readonly ApiLiveKind[];
  /** Live streams held at once (default 4). */
  maxStreams?: number;
  /** The longest window a stream keeps, seconds (default 2 h); a stream is given it unless it asks for less. */
  streamWindowS?: number;
  /** True when the server will listen on loopback only (then other Host headers are refused). */
  loopback?: boolean;
  logger?: boolean;
}

export async function createServer(o: ServeOptions): Promise<FastifyInstance> {
  const maxBody = o.maxBodyBytes ?? 64 * 2 ** 20;
  const server = Fastify({ logger: o.logger ?? false, bodyLimit: maxBody, forceCloseConnections: true });
  await server.register(multipart, { limits: { fileSize: o.maxUploadBytes ?? 4 * 2 ** 30, files: 1, fields: 8 } });
  const uploadDir = o.uploadDir ?? join(o.cacheDir ?? defaultCacheDir(), "uploads");
  const redact = pathRedactor({ uploads: uploadDir, cache: o.cacheDir ?? defaultCacheDir(), "video-root": o.videoRoot, model: o.app.modelDir });
  const ctx: ServeContext = {
    app: o.app,
    modelName: basename(o.app.modelDir),
    queue: o.queue ?? new JobQueue({ maxWaiting: o.maxWaiting ?? 8, concurrency: o.jobs ?? 1 }),
    sources: new VideoSources(new UploadStore(uploadDir), o.videoRoot),
    memories: new MemoryShelf(o.app, o.keepMemories ?? 2),
    streams: new LiveStreams(o.app, { allowed: o.liveSources, videoRoot: o.videoRoot, maxStreams: o.maxStreams, maxWindowS: o.streamWindowS, redact }),
    requestTimeoutS: o.requestTimeoutS ?? 900,
    redact,
  };
  server.setErrorHandler((e, req, reply) => sendError(reply, e, req, redact));
  server.setNotFoundHandler((req, reply) => sendError(reply, notFound(`no route ${req.method} ${req.url.split("?")[0]}`, "unknown_route"), req, redact));
  registerAuth(server, { apiKey: o.apiKey, loopback: o.loopback ?? true });
  registerPage(server);
  server.get("/health", async () => ({ status: "ok", model: ctx.modelName, queue: ctx.queue.stats }));
  server.get("/v1/models", async () => ({ object: "list", data: [{ id: ctx.modelName, object: "model", created: 0, owned_by: "hourllava" }] }));
  registerChatRoute(server, ctx);
  registerVideoRoutes(server, ctx, { maxUploadBytes: o.maxUploadBytes ?? 4 * 2 ** 30, cacheDir: o.cacheDir });
  registerStreamRoutes(server, ctx);
  return server;
}
