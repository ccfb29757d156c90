// Models by Hugging Face id in the standard hub cache that Python tools share (transformers, vLLM, lmms-eval):
// <cache>/models--org--name/{blobs/<etag>, refs/<revision> (a commit), snapshots/<commit>/<file> → ../../blobs/<etag>}.
// The cache folder and the folder naming come from the official JS client (@huggingface/hub), so a model fetched by
// `huggingface-cli download` is found here and one fetched by `hourllava pull` is found there.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { getHFHubCachePath, getRepoFolderName } from "@huggingface/hub";

export interface HubModelId {
  /** "org/name" */
  repo: string;
  /** A branch, tag or commit; "main" when the id names none. */
  revision: string;
}

const ID = /^([A-Za-z0-9][\w.-]*\/[\w.-]+)(?:@([\w./-]+))?$/;
const COMMIT = /^[0-9a-f]{40}$/;

/** "org/name[@revision]" → its parts; undefined for anything else (a folder path, say). */
export function parseHubId(text: string): HubModelId | undefined {
  const m = ID.exec(text);
  if (!m || m[1].includes("..") || m[1].endsWith(".")) return undefined;
  return { repo: m[1], revision: m[2] ?? "main" };
}

export function formatHubId(id: HubModelId): string {
  return id.revision === "main" ? id.repo : `${id.repo}@${id.revision}`;
}

/** $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub (huggingface_hub's rule). */
export function hubCacheDir(): string {
  return getHFHubCachePath();
}

export function repoFolder(id: HubModelId, cacheDir = hubCacheDir()): string {
  return join(cacheDir, getRepoFolderName({ name: id.repo, type: "model" }));
}

/** The commit a revision points at in the cache (refs/<revision>), or the revision itself when it is a commit. */
export function cachedCommit(id: HubModelId, cacheDir = hubCacheDir()): string | undefined {
  if (COMMIT.test(id.revision)) return id.revision;
  const ref = join(repoFolder(id, cacheDir), "refs", id.revision);
  return existsSync(ref) ? readFileSync(ref, "utf8").trim() : undefined;
}

/** The snapshot folder of a model whose config and every weight file are in the cache (links that resolve), or
 * undefined: a pull cut short leaves no usable snapshot. */
export function cachedSnapshot(id: HubModelId, cacheDir = hubCacheDir()): string | undefined {
  const commit = cachedCommit(id, cacheDir);
  if (!commit) return undefined;
  const dir = join(repoFolder(id, cacheDir), "snapshots", commit);
  if (!existsSync(join(dir, "config.json"))) return undefined;
  if (existsSync(join(dir, "model.safetensors"))) return dir;
  const index = join(dir, "model.safetensors.index.json");
  if (!existsSync(index)) return undefined;
  const shards = new Set(Object.values((JSON.parse(readFileSync(index, "utf8")) as { weight_map?: Record<string, string> }).weight_map ?? {}));
  return [...shards].every((f) => existsSync(join(dir, f))) ? dir : undefined;
}

/** Whether the hub may be asked (HF_HUB_OFFLINE, as huggingface_hub reads it). */
export function hubOffline(): boolean {
  return /^(1|true|yes|on)$/i.test(process.env.HF_HUB_OFFLINE ?? "");
}

/** $HF_ENDPOINT without a trailing slash (default https://huggingface.co). */
export function hubEndpoint(): string {
  return (process.env.HF_ENDPOINT ?? "https://huggingface.co").replace(/\/+$/, "");
}
