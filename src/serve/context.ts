// What every route shares: the one loaded model, the job queue, where videos come from, held memories and live streams.
import type { HourLlavaApp } from "../app/app.ts";
import type { MemoryShelf } from "./memories.ts";
import type { Redact } from "./redact.ts";
import type { JobQueue } from "./queue.ts";
import type { LiveStreams } from "./streams.ts";
import type { VideoSources } from "./video-source.ts";

export interface ServeContext {
  app: HourLlavaApp;
  /** The id clients name in `model` (the model folder's name). */
  modelName: string;
  queue: JobQueue;
  sources: VideoSources;
  memories: MemoryShelf;
  /** Live streams started over the API. */
  streams: LiveStreams;
  /** Longest a request may wait plus run. */
  requestTimeoutS: number;
  /** Takes server paths out of client-facing messages. */
  redact: Redact;
}
