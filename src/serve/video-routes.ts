// Uploads and videos: POST/GET/DELETE /v1/files, GET /v1/videos[/{id}], POST /v1/videos/{id}/encode (progress as
// SSE), GET /v1/videos/{id}/thumbnail, and the memory cache: GET /v1/memories, DELETE /v1/memories/{key}.
import { basename } from "node:path";
import type { FastifyInstance } from "fastify";
import type {} from "@fastify/multipart"; // its request.file() typings
import { MemoryCache, defaultCacheDir } from "../cache/cache.ts";
import { probeVideo } from "../video/probe.ts";
import type { ServeContext } from "./context.ts";
import { ApiError, badRequest, notFound, toApiError } from "./errors.ts";
import { unreadable } from "./memories.ts";
import { requestSignal } from "./signal.ts";
import { SseStream } from "./sse.ts";
import { thumbnail } from "./thumbnail.ts";
import type { VideoRef } from "./video-source.ts";

export interface VideoRouteOptions {
  maxUploadBytes: number;
  cacheDir?: string;
}

export function registerVideoRoutes(server: FastifyInstance, ctx: ServeContext, o: VideoRouteOptions): void {
  const uploads = ctx.sources.uploads;
  const cache = () => MemoryCache.open(o.cacheDir ?? defaultCacheDir());

  server.post("/v1/files", async (req) => {
    if (!req.isMultipart())
      throw new ApiError(415, "invalid_request_error", "upload a video as multipart/form-data with a 'file' field", "file", "unsupported_media_type");
    const part = await req.file({ limits: { fileSize: o.maxUploadBytes, files: 1 } });
    if (!part) throw badRequest("the upload has no 'file' field", "file", "missing_file");
    const f = await uploads.save(part.file, basename(part.filename || "video"));
    if (part.file.truncated) {
      uploads.remove(f.id); // the limit cut it short: keep nothing
      throw new ApiError(
        413,
        "invalid_request_error",
        `the upload is over the server's --max-upload of ${o.maxUploadBytes} bytes`,
        "file",
        "payload_too_large",
      );
    }
    // A file that is not a video is refused now rather than at the first question.
    try {
      await probeVideo(uploads.pathOf(f.id));
    } catch (e) {
      uploads.remove(f.id);
      throw unreadable(e, "file");
    }
    return f;
  });
  server.get("/v1/files", async () => ({ object: "list", data: uploads.list() }));
  server.get<{ Params: { id: string } }>("/v1/files/:id", async (req) => uploads.get(req.params.id, "id"));
  server.delete<{ Params: { id: string } }>("/v1/files/:id", async (req) => {
    uploads.remove(req.params.id);
    return { id: req.params.id, object: "file", deleted: true };
  });

  const describe = async (v: VideoRef) => {
    try {
      const s = await ctx.app.memoryStatus(v.path);
      const info = await probeVideo(v.path);
      const { durationS, timesS, indices } = s.plan.sample;
      return {
        id: v.id,
        object: "video",
        name: v.name,
        source: v.source,
        duration_s: durationS,
        frames: indices.length,
        frame_times_s: timesS,
        width: info.width,
        height: info.height,
        fps: info.fps,
        cached: s.cached,
        memory_key: s.key,
      };
    } catch (e) {
      throw unreadable(e, "id");
    }
  };
  server.get("/v1/videos", async () => ({
    object: "list",
    data: ctx.sources.list().map((v) => ({ id: v.id, object: "video", name: v.name, source: v.source })),
  }));
  server.get<{ Params: { id: string } }>("/v1/videos/:id", async (req) => describe(ctx.sources.byId(req.params.id, "id")));

  server.post<{ Params: { id: string } }>("/v1/videos/:id/encode", async (req, reply) => {
    const v = ctx.sources.byId(req.params.id, "id");
    const signal = requestSignal(reply, ctx.requestTimeoutS);
    return ctx.queue.run(async (sig) => {
      const before = await describe(v); // an unreadable video is a 422 before the stream opens
      const sse = new SseStream(reply);
      try {
        await ctx.memories.get(v.path, sig, (done, total) => sse.data({ done, total }, "progress"));
        sse.data({ ...before, cached: true }, "done");
      } catch (e) {
        sse.data(toApiError(e).body(ctx.redact), "error");
      }
      sse.end();
      return reply;
    }, signal);
  });

  server.get<{ Params: { id: string }; Querystring: { t?: string; w?: string } }>("/v1/videos/:id/thumbnail", async (req, reply) => {
    const v = ctx.sources.byId(req.params.id, "id");
    const t = Number(req.query.t ?? 0);
    const w = Number(req.query.w ?? 160);
    if (!(Number.isFinite(t) && t >= 0)) throw badRequest("t must be a time in seconds ≥ 0", "t", "invalid_value");
    if (!(Number.isInteger(w) && w >= 16 && w <= 1024 && w % 2 === 0)) throw badRequest("w must be an even width in 16..1024", "w", "invalid_value");
    let jpeg: Buffer;
    try {
      jpeg = await thumbnail(v.path, t, w);
    } catch (e) {
      throw unreadable(e, "t");
    }
    return reply.type("image/jpeg").header("cache-control", "private, max-age=3600").send(jpeg);
  });

  server.get("/v1/memories", async () => {
    const byPath = new Map(ctx.sources.list().map((v) => [v.path, v]));
    const data = cache()
      .list()
      .map((e) => ({
        key: e.key,
        object: "memory",
        video_id: byPath.get(e.video)?.id ?? null,
        video_name: byPath.get(e.video)?.name ?? basename(e.video), // a path outside the server's videos is not shown
        duration_s: e.durationS,
        frames: e.frames,
        bytes: e.bytes,
        last_used: e.lastUsed.toISOString(),
      }));
    return { object: "list", data };
  });
  server.delete<{ Params: { key: string } }>("/v1/memories/:key", async (req) => {
    const key = req.params.key;
    if (!/^[0-9a-f]{32}$/.test(key)) throw notFound(`no cached memory "${key}" (give the whole 32-digit key)`, "memory_not_found", "key");
    let removed: string[];
    try {
      removed = cache().remove(key);
    } catch (e) {
      throw notFound((e as Error).message, "memory_not_found", "key");
    }
    ctx.memories.forget(key);
    return { key, object: "memory", deleted: removed.length > 0 };
  });
}
