// A stand-in for the Hugging Face Hub on loopback, speaking the calls hourllava makes: the model info at a revision
// (GET /api/models/{repo}/revision/{rev}: id, sha, siblings), HEAD/GET /{repo}/resolve/{rev}/{file} (small files
// answered with their git blob sha1 as ETag; LFS-like .safetensors files redirected to a second origin, the
// "CDN", with X-Linked-Etag = sha256 and X-Linked-Size), Range requests (206), 401 for a gated repository without
// the token, 404 for an unknown one. It records each request's Authorization header, and can cut a file's first
// transfer short or corrupt a byte, for the resume and verification tests.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

export interface HubRepo {
  files: Map<string, Buffer>;
  commit: string;
  gated?: boolean;
}

export interface HubServer {
  endpoint: string;
  cdn: string;
  /** [origin kind, path, authorization header] of every request. */
  seen: { origin: "hub" | "cdn"; path: string; auth?: string }[];
  /** Stop after this many bytes the next time this file's bytes are sent (the connection is destroyed). */
  cutAfter: Map<string, number>;
  /** Flip one byte of this file in every transfer. */
  corrupt: Set<string>;
  close(): Promise<void>;
}

export const TOKEN = "hf_test_token";

export function repoFromFolder(dir: string, commit = "0123456789abcdef0123456789abcdef01234567"): HubRepo {
  const files = new Map<string, Buffer>();
  for (const n of readdirSync(dir)) if (/\.(json|safetensors)$/.test(n)) files.set(n, readFileSync(join(dir, n)));
  files.set("README.md", Buffer.from("# a model card, not needed to run\n"));
  return { files, commit };
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const gitSha1 = (b: Buffer) => createHash("sha1").update(`blob ${b.length}\0`).update(b).digest("hex");
const isLfs = (name: string) => name.endsWith(".safetensors");

function listen(s: Server): Promise<string> {
  return new Promise((r) => s.listen(0, "127.0.0.1", () => r(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));
}

export async function startHubServer(repos: Record<string, HubRepo>): Promise<HubServer> {
  const seen: HubServer["seen"] = [];
  const cutAfter = new Map<string, number>();
  const corrupt = new Set<string>();
  const byHash = new Map<string, { name: string; bytes: Buffer }>();
  for (const repo of Object.values(repos)) for (const [name, bytes] of repo.files) byHash.set(sha256(bytes), { name, bytes });

  /** Sends bytes with Range support, cut short or corrupted when asked. */
  function sendBytes(req: IncomingMessage, res: ServerResponse, name: string, bytes: Buffer, headers: Record<string, string>): void {
    let body = bytes;
    if (corrupt.has(name)) {
      body = Buffer.from(bytes);
      body[body.length >> 1] ^= 0xff;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    const from = range ? Number(range[1]) : 0;
    const status = range ? 206 : 200;
    const part = body.subarray(from);
    res.writeHead(status, {
      ...headers,
      "content-length": String(part.length),
      ...(range ? { "content-range": `bytes ${from}-${body.length - 1}/${body.length}` } : {}),
    });
    if (req.method === "HEAD") return void res.end();
    const cut = cutAfter.get(name);
    if (cut !== undefined) {
      cutAfter.delete(name);
      res.write(part.subarray(0, cut), () => res.destroy());
      return;
    }
    res.end(part);
  }

  let cdnUrl = "";
  const cdn = createServer((req, res) => {
    seen.push({ origin: "cdn", path: req.url ?? "", auth: req.headers.authorization });
    const hit = byHash.get((req.url ?? "").replace(/^\/blobs\//, ""));
    if (!hit) return void res.writeHead(404).end();
    sendBytes(req, res, hit.name, hit.bytes, {});
  });
  const hub = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    seen.push({ origin: "hub", path: url.pathname, auth: req.headers.authorization });
    const info = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url.pathname);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const repoName = info?.[1] ?? resolve?.[1];
    const repo = repoName ? repos[repoName] : undefined;
    const json = (status: number, v: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(v));
    if (!repo) return json(404, { error: "Repository not found" });
    if (repo.gated && req.headers.authorization !== `Bearer ${TOKEN}`) return json(401, { error: "Access to this model is restricted" });
    const rev = decodeURIComponent((info ?? resolve)![2]);
    if (rev !== "main" && rev !== repo.commit) return json(404, { error: `Revision not found: ${rev}` });
    if (info)
      return json(200, { _id: "x", id: repoName, sha: repo.commit, private: false, siblings: [...repo.files.keys()].map((rfilename) => ({ rfilename })) });
    const name = decodeURIComponent(resolve![3]);
    const bytes = repo.files.get(name);
    if (!bytes) return json(404, { error: "Entry not found" });
    const common = { "x-repo-commit": repo.commit };
    if (isLfs(name)) {
      res.writeHead(302, {
        ...common,
        location: `${cdnUrl}/blobs/${sha256(bytes)}`,
        "x-linked-etag": `"${sha256(bytes)}"`,
        "x-linked-size": String(bytes.length),
        etag: `"${gitSha1(Buffer.from("pointer"))}"`,
      });
      return void res.end();
    }
    sendBytes(req, res, name, bytes, { ...common, etag: `"${gitSha1(bytes)}"` });
  });
  const endpoint = await listen(hub);
  cdnUrl = await listen(cdn);
  return {
    endpoint,
    cdn: cdnUrl,
    seen,
    cutAfter,
    corrupt,
    close: async () => {
      hub.closeAllConnections();
      cdn.closeAllConnections();
      await Promise.all([new Promise((r) => hub.close(r)), new Promise((r) => cdn.close(r))]);
    },
  };
}
