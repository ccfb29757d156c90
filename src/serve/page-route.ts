// The web page: plain HTML, CSS and an ES module from src/serve/page/, served as they are (no build step).
// Only the files listed here are served, so no request path reaches the disk.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { notFound } from "./errors.ts";

const PAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), "page");
const FILES: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "style.css": "text/css; charset=utf-8",
};

export function registerPage(server: FastifyInstance): void {
  const send = (name: string) => ({ type: FILES[name], body: readFileSync(join(PAGE_DIR, name)) });
  server.get("/", async (_req, reply) => {
    const f = send("index.html");
    return reply.type(f.type).send(f.body);
  });
  server.get<{ Params: { name: string } }>("/page/:name", async (req, reply) => {
    if (!Object.hasOwn(FILES, req.params.name)) throw notFound(`no page file ${req.params.name}`);
    const f = send(req.params.name);
    return reply.type(f.type).header("cache-control", "no-cache").send(f.body);
  });
}
