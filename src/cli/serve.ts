// `hourllava serve`: the OpenAI-compatible API and the web page over one loaded model (see src/serve/).
import type { Command } from "commander";
import { checkExposure } from "../serve/exposure.ts";
import { createServer } from "../serve/server.ts";
import { API_LIVE_KINDS, DEFAULT_STREAM_WINDOW_S, parseLiveKinds, type ApiLiveKind } from "../serve/streams.ts";
import { open, withModelOptions, type CommonOpts } from "./model-options.ts";
import { intOption, numOption, retiredOption, secondsOption, sizeOption } from "./options.ts";

interface ServeOpts extends CommonOpts {
  host: string;
  port: number;
  apiKey?: string;
  videoRoot?: string;
  uploadDir?: string;
  maxUpload: number;
  maxBody: number;
  maxWaiting: number;
  jobs: number;
  requestTimeout: number;
  keepMemories: number;
  insecureNoAuth?: boolean;
  liveSources?: ApiLiveKind[];
  maxStreams: number;
  streamWindow: number;
}

const LIVE_HELP = `
Live streams (POST /v1/streams, then ask with the stream's id as the video_url):
  Off by default: a client cannot make the server read local files or connect to any host. --live-sources names
  the kinds clients may start (${API_LIVE_KINDS.join(",")}); others get 403 live_source_not_allowed. Each kind is
  read with its own protocol only. A network kind lets any client (anyone with the key) make the server connect to
  any host that speaks it: allow only what your network expects. A file source must lie under --video-root
  (symlinks resolved; 403 outside_video_root otherwise; a relative path is taken under the root). A pipe (-, the
  server's stdin) is never a source over the API. What a stream recorded stays in the memory cache after DELETE.`;

export function registerServeCommands(program: Command): void {
  const serve = withModelOptions(program.command("serve").description("OpenAI-compatible chat completions with video input, and a web page at /"))
    .option("--host <addr>", "address to listen on (0.0.0.0 opens it to the network)", "127.0.0.1")
    .option("--port <n>", "port (0: any free one, printed)", intOption("port", 0, 65535), 8080)
    .option("--api-key <key>", "require Authorization: Bearer <key> on every route but /health (default $HOURLLAVA_API_KEY); required off loopback")
    .option("--insecure-no-auth", "allow a non-loopback --host without an API key (warned at every start)")
    .option("--video-root <dir>", "folder whose videos file:// URLs may name, listed on the page (default: none)")
    .option("--upload-dir <dir>", "where uploads are stored (default <cache>/uploads)")
    .option("--max-upload <size>", "largest upload", sizeOption("max-upload"), 4 * 2 ** 30)
    .option("--max-body <size>", "largest JSON body (data: URL videos)", sizeOption("max-body"), 64 * 2 ** 20)
    .option("--max-waiting <n>", "requests that may wait for the model; more get 429 with Retry-After", intOption("max-waiting", 0), 8)
    .option("--jobs <n>", "compute jobs at once (1: one job already uses every core of a CPU)", intOption("jobs", 1), 1)
    .option("--request-timeout <seconds>", "longest a request may wait and run", numOption("request-timeout", { min: 0, exclusiveMin: true }), 900)
    .option("--keep-memories <n>", "video memories held in the process between questions", intOption("keep-memories", 0), 2)
    .option(
      "--live-sources <kinds>",
      `live source kinds clients may start with POST /v1/streams, a comma list of ${API_LIVE_KINDS.join(",")} (default none: refused with 403; file: under --video-root only; a pipe never)`,
      parseLiveKinds,
    )
    .option("--max-streams <n>", "live streams held at once; more get 429 until one is deleted", intOption("max-streams", 1), 4)
    .option(
      "--stream-window <duration>",
      "the newest stretch of stream a live stream keeps (older frames evicted), at most and by default",
      secondsOption("stream-window"),
      DEFAULT_STREAM_WINDOW_S,
    )
    .addHelpText("after", LIVE_HELP);
  retiredOption(serve, "--queue <n>", "the number of requests that may wait is --max-waiting <n> (--queue meant a Redis URL elsewhere)");
  serve.action(async (o: ServeOpts) => {
    if (o.liveSources?.includes("file") && !o.videoRoot)
      throw new Error("--live-sources file needs --video-root DIR: a file source is read only from under it");
    const apiKey = o.apiKey ?? process.env.HOURLLAVA_API_KEY;
    const exposure = checkExposure({ host: o.host, apiKey, insecureNoAuth: o.insecureNoAuth }); // before the model loads
    if (exposure.warning) process.stderr.write(exposure.warning + "\n");
    const app = await open(o);
    await app.warmUp(); // the answer path's sessions are built before the first request, not during it
    const server = await createServer({
      app,
      apiKey,
      videoRoot: o.videoRoot,
      cacheDir: o.cacheDir,
      uploadDir: o.uploadDir,
      maxUploadBytes: o.maxUpload,
      maxBodyBytes: o.maxBody,
      maxWaiting: o.maxWaiting,
      jobs: o.jobs,
      requestTimeoutS: o.requestTimeout,
      keepMemories: o.keepMemories,
      loopback: exposure.loopback,
      liveSources: o.liveSources,
      maxStreams: o.maxStreams,
      streamWindowS: o.streamWindow,
    });
    const url = await server.listen({ host: o.host, port: o.port });
    // Fastify names one address; a wildcard bind listens on all of them, so say so rather than print 127.0.0.1.
    const bound = exposure.loopback ? "" : `; bound to ${o.host}, reachable from the network`;
    const live = o.liveSources?.length ? `; live sources: ${o.liveSources.join(",")}` : "";
    process.stderr.write(`hourllava serve: ${url}/ (model ${app.modelDir}${bound}${live})\n`);
    await new Promise<void>((resolve) => {
      const stop = () => void server.close().then(resolve);
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
  });
}
