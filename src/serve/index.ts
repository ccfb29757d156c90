// `hourllava/serve`: the OpenAI-compatible server as a library (its own entry, so the main one stays lean).
export { createServer } from "./server.ts";
export type { ServeOptions } from "./server.ts";
export { checkExposure } from "./exposure.ts";
export { JobQueue } from "./queue.ts";
