// `hourllava pull org/name[@revision]`: the files a model needs, downloaded into the standard hub cache.
// The revision's commit and file list come from the official client (@huggingface/hub's modelInfo); the transfer
// is done here because the client's downloadFileToCacheDir neither resumes (an interrupted multi-GB file starts
// over), nor verifies what it wrote, nor reports progress. Each file: HEAD for its etag and size (the LFS sha256,
// or the git blob sha1 of a small file), then a ranged GET appending to blobs/<etag>.incomplete, the hash checked
// before the blob is renamed into place and linked from snapshots/<commit>/ (relative symlinks, as huggingface_hub
// makes them). The token goes only to the configured endpoint, never to the storage it redirects to.
import { createHash } from "node:crypto";
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, statfsSync, symlinkSync, writeSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { modelInfo } from "@huggingface/hub";
import { writeFileAtomic } from "../io/atomic.ts";
import { CodedError } from "../util/coded-error.ts";
import { formatHubId, hubCacheDir, hubEndpoint, hubOffline, repoFolder, type HubModelId } from "./hub-cache.ts";

/** What a model folder needs: config, generation config, weights (one file or shards + index), tokenizer. */
export const MODEL_FILES =
  /^(config|generation_config|tokenizer|tokenizer_config|special_tokens_map)\.json$|^model(-\d{5}-of-\d{5})?\.safetensors$|^model\.safetensors\.index\.json$/;

export interface PullOptions {
  token?: string;
  endpoint?: string;
  cacheDir?: string;
  /** Bytes done of all files' bytes (already present ones count as done). */
  onProgress?: (doneBytes: number, totalBytes: number) => void;
}

export interface PullResult {
  dir: string;
  commit: string;
  files: { name: string; bytes: number; downloaded: boolean }[];
}

interface Remote {
  name: string;
  etag: string;
  size: number;
}

const authHeaders = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

/** GET or HEAD with redirects followed by hand, so the token is sent to the endpoint's origin only. A HEAD stops
 * at a redirect to another origin: the hub's own headers (X-Linked-Etag…) are on that response, not the storage's. */
async function hubFetch(
  url: string,
  init: { method?: string; headers?: Record<string, string> },
  token: string | undefined,
  origin: string,
): Promise<Response> {
  let target = url;
  for (let hop = 0; hop < 5; hop++) {
    const sameOrigin = new URL(target).origin === origin;
    const res = await fetch(target, { method: init.method, headers: { ...init.headers, ...(sameOrigin ? authHeaders(token) : {}) }, redirect: "manual" });
    if (res.status < 300 || res.status >= 400 || !res.headers.get("location")) return res;
    const next = new URL(res.headers.get("location")!, target).toString();
    if (init.method === "HEAD" && new URL(next).origin !== origin) return res;
    await res.body?.cancel();
    target = next;
  }
  throw new Error(`${url}: too many redirects`);
}

function hubError(id: HubModelId, status: number, what: string): Error {
  if (status === 401 || status === 403)
    return new CodedError("model_not_found", `${formatHubId(id)}: the hub refused access to ${what} (HTTP ${status}); a gated or private model needs HF_TOKEN`);
  if (status === 404) return new CodedError("model_not_found", `${formatHubId(id)}: no such model or revision on ${hubEndpoint()} (${what}: HTTP 404)`);
  return new Error(`${formatHubId(id)}: ${what}: HTTP ${status}`);
}

/** The hash a downloaded file must have: the LFS sha256 (64 hex) or the git blob sha1 (40 hex) of small files. */
async function fileHash(path: string, etag: string, size: number): Promise<string> {
  const h = createHash(etag.length === 64 ? "sha256" : "sha1");
  if (etag.length !== 64) h.update(`blob ${size}\0`);
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest("hex");
}

/** The hub's URL of one file of a repository at a commit (its folders kept as path segments). */
const resolveUrl = (endpoint: string, id: HubModelId, commit: string, name: string) =>
  `${endpoint}/${id.repo}/resolve/${commit}/${encodeURIComponent(name).replace(/%2F/g, "/")}`;

async function remoteFile(id: HubModelId, commit: string, name: string, token: string | undefined, endpoint: string): Promise<Remote> {
  const res = await hubFetch(
    resolveUrl(endpoint, id, commit, name),
    { method: "HEAD", headers: { "accept-encoding": "identity" } },
    token,
    new URL(endpoint).origin,
  );
  // huggingface_hub reads the same headers: X-Linked-Etag / X-Linked-Size for LFS files, ETag / Content-Length else.
  const etag = (res.headers.get("x-linked-etag") ?? res.headers.get("etag") ?? "").replace(/^W\//, "").replace(/"/g, "");
  const size = Number(res.headers.get("x-linked-size") ?? res.headers.get("content-length"));
  if (!res.ok && !(res.status >= 300 && res.status < 400)) throw hubError(id, res.status, name);
  if (!/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(etag) || !Number.isSafeInteger(size))
    throw new Error(`${formatHubId(id)}: ${name}: the hub sent no usable ETag/size (etag ${JSON.stringify(etag)})`);
  return { name, etag, size };
}

/** Appends the missing bytes of `f` to `incomplete` (a Range request from its current size). */
async function download(
  id: HubModelId,
  commit: string,
  f: Remote,
  incomplete: string,
  token: string | undefined,
  endpoint: string,
  tick: (n: number) => void,
): Promise<void> {
  const have = existsSync(incomplete) ? statSync(incomplete).size : 0;
  if (have > f.size) rmSync(incomplete);
  const from = have > f.size ? 0 : have;
  if (from === f.size) return;
  const res = await hubFetch(
    resolveUrl(endpoint, id, commit, f.name),
    { headers: from > 0 ? { range: `bytes=${from}-` } : {} },
    token,
    new URL(endpoint).origin,
  );
  if (!res.ok || !res.body) throw hubError(id, res.status, f.name);
  const resumed = res.status === 206;
  if (from > 0 && !resumed) tick(-from); // the server sent the whole file: start over
  const fd = openSync(incomplete, resumed ? "a" : "w");
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      writeSync(fd, chunk);
      tick(chunk.length);
    }
  } finally {
    closeSync(fd);
  }
}

function linkSnapshot(snapshot: string, name: string, blob: string): void {
  const link = join(snapshot, name);
  mkdirSync(dirname(link), { recursive: true });
  rmSync(link, { force: true });
  symlinkSync(relative(dirname(link), blob), link);
}

/** Downloads what the model needs at `id`'s revision; files already in the cache are not fetched again. */
export async function pullModel(id: HubModelId, o: PullOptions = {}): Promise<PullResult> {
  if (hubOffline()) throw new Error(`${formatHubId(id)}: HF_HUB_OFFLINE is set, so nothing is downloaded; pull it where the hub can be reached`);
  const endpoint = (o.endpoint ?? hubEndpoint()).replace(/\/+$/, "");
  const token = o.token ?? process.env.HF_TOKEN ?? undefined;
  const cacheDir = o.cacheDir ?? hubCacheDir();
  let info: { sha?: string; filePaths?: string[] };
  try {
    info = await modelInfo({ name: id.repo, revision: id.revision, hubUrl: endpoint, accessToken: token, additionalFields: ["sha", "filePaths"] });
  } catch (e) {
    const status = (e as { statusCode?: number }).statusCode;
    throw status ? hubError(id, status, "the model's file list") : new Error(`${formatHubId(id)}: cannot reach ${endpoint}: ${(e as Error).message}`);
  }
  const commit = info.sha;
  if (!commit || !/^[0-9a-f]{40}$/.test(commit)) throw new Error(`${formatHubId(id)}: the hub named no commit for revision ${id.revision}`);
  const names = (info.filePaths ?? []).filter((n) => MODEL_FILES.test(n));
  if (!names.includes("config.json")) throw new Error(`${formatHubId(id)}: not a model repository (no config.json at ${commit.slice(0, 8)})`);
  const remote = await Promise.all(names.map((n) => remoteFile(id, commit, n, token, endpoint)));
  const folder = repoFolder(id, cacheDir);
  const blobOf = (f: Remote) => join(folder, "blobs", f.etag);
  const total = remote.reduce((s, f) => s + f.size, 0);
  const missing = remote
    .filter((f) => !existsSync(blobOf(f)))
    .reduce((s, f) => s + f.size - (existsSync(`${blobOf(f)}.incomplete`) ? statSync(`${blobOf(f)}.incomplete`).size : 0), 0);
  mkdirSync(join(folder, "blobs"), { recursive: true });
  const fs = statfsSync(join(folder, "blobs"));
  if (fs.bavail * fs.bsize < missing)
    throw new Error(
      `${formatHubId(id)}: needs ${(missing / 1e9).toFixed(2)} GB more in ${cacheDir} but only ${((fs.bavail * fs.bsize) / 1e9).toFixed(2)} GB are free`,
    );
  let done = total - missing;
  const tick = (n: number) => {
    done += n;
    o.onProgress?.(done, total);
  };
  o.onProgress?.(done, total);
  const snapshot = join(folder, "snapshots", commit);
  const files: PullResult["files"] = [];
  for (const f of remote) {
    const blob = blobOf(f);
    const fetched = !existsSync(blob);
    if (fetched) {
      const incomplete = `${blob}.incomplete`;
      await download(id, commit, f, incomplete, token, endpoint, tick);
      const got = await fileHash(incomplete, f.etag, f.size);
      if (got !== f.etag) {
        rmSync(incomplete, { force: true });
        throw new Error(
          `${formatHubId(id)}: ${f.name} arrived corrupted (hash ${got.slice(0, 12)}…, the hub says ${f.etag.slice(0, 12)}…); it was deleted, run pull again`,
        );
      }
      renameSync(incomplete, blob);
    }
    linkSnapshot(snapshot, f.name, blob);
    files.push({ name: f.name, bytes: f.size, downloaded: fetched });
  }
  if (id.revision !== commit) {
    mkdirSync(join(folder, "refs"), { recursive: true });
    writeFileAtomic(join(folder, "refs", id.revision), commit);
  }
  return { dir: snapshot, commit, files };
}
