// A tiny static file server on 127.0.0.1 (ephemeral port) for the browser tests and benchmark: serves folders
// under URL prefixes, with the headers that make the page cross-origin isolated (WASM threads need them).
import { createServer } from "node:http";
import type { Server } from "node:http";
import { createReadStream, statSync } from "node:fs";
import { extname, join, normalize, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".map": "application/json",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".mp4": "video/mp4",
};

export interface StaticServer {
  url: string;
  /** Paths served so far (tests check what the page fetched). */
  requests: string[];
  /** While true every request gets 503, as a site that went away. */
  offline: boolean;
  close(): Promise<void>;
}

/** `mounts`: URL prefix ("/", "/samples/") → folder. */
export async function serveStatic(mounts: Record<string, string>): Promise<StaticServer> {
  const requests: string[] = [];
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const state = { offline: false };
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    requests.push(path);
    if (state.offline) {
      res.writeHead(503).end();
      return;
    }
    const prefix = prefixes.find((p) => path.startsWith(p));
    const rel = prefix === undefined ? undefined : normalize(path.slice(prefix.length) || "index.html");
    if (rel === undefined || rel.startsWith("..") || rel.split(sep).includes("..")) {
      res.writeHead(404).end();
      return;
    }
    const file = join(mounts[prefix!], rel);
    let size: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new Error("not a file");
      size = st.size;
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "content-length": size,
      "cross-origin-opener-policy": "same-origin",
      "cross-origin-embedder-policy": "require-corp",
      "cache-control": "no-store",
    });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  if (!addr || typeof addr === "string") throw new Error("the static server has no TCP address");
  return {
    url: `http://127.0.0.1:${addr.port}/`,
    requests,
    get offline() {
      return state.offline;
    },
    set offline(v: boolean) {
      state.offline = v;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
