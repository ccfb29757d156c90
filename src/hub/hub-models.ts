// What the hub cache holds (`hourllava models ls|rm|path`), read with the official client's scanCacheDir, and the
// removal of one model's snapshot that never breaks another: a blob is deleted only when no remaining snapshot
// links to it (huggingface_hub's own delete strategy).
import { existsSync, readFileSync, readdirSync, readlinkSync, rmSync, lstatSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { scanCacheDir } from "@huggingface/hub";
import { cachedCommit, formatHubId, hubCacheDir, repoFolder, type HubModelId } from "./hub-cache.ts";

export interface CachedModel {
  id: string;
  commit: string;
  refs: string[];
  bytes: number;
  files: number;
  lastModified: Date;
  path: string;
}

export async function listCachedModels(cacheDir = hubCacheDir()): Promise<CachedModel[]> {
  if (!existsSync(cacheDir)) return [];
  const info = await scanCacheDir(cacheDir);
  return info.repos
    .filter((r) => r.id.type === "model")
    .flatMap((r) =>
      r.revisions.map((v) => ({
        id: r.id.name,
        commit: v.commitOid,
        refs: v.refs,
        bytes: v.size,
        files: v.files.length,
        lastModified: v.lastModifiedAt,
        path: v.path,
      })),
    )
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** The blobs one snapshot folder links to, as absolute paths. */
function snapshotBlobs(snapshot: string): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string) => {
    for (const n of readdirSync(dir)) {
      const p = join(dir, n);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) out.add(resolve(dirname(p), readlinkSync(p)));
      else if (st.isDirectory()) walk(p);
    }
  };
  if (existsSync(snapshot)) walk(snapshot);
  return out;
}

/** Removes the snapshot `id` resolves to, its refs, and the blobs no other snapshot uses; returns bytes freed. */
export function removeCachedModel(id: HubModelId, cacheDir = hubCacheDir()): { commit: string; bytes: number } {
  const folder = repoFolder(id, cacheDir);
  const commit = cachedCommit(id, cacheDir);
  const snaps = join(folder, "snapshots");
  if (!commit || !existsSync(join(snaps, commit))) throw new Error(`${formatHubId(id)} is not in the hub cache (${cacheDir})`);
  const mine = snapshotBlobs(join(snaps, commit));
  const others = new Set(
    readdirSync(snaps)
      .filter((c) => c !== commit)
      .flatMap((c) => [...snapshotBlobs(join(snaps, c))]),
  );
  let bytes = 0;
  for (const b of mine) {
    if (others.has(b) || !existsSync(b)) continue;
    bytes += lstatSync(b).size;
    rmSync(b, { force: true });
  }
  rmSync(join(snaps, commit), { recursive: true, force: true });
  const refs = join(folder, "refs");
  if (existsSync(refs)) for (const r of readdirSync(refs)) if (readFileSync(join(refs, r), "utf8").trim() === commit) rmSync(join(refs, r));
  if (readdirSync(snaps).length === 0) rmSync(folder, { recursive: true, force: true });
  return { commit, bytes };
}
