// The Hugging Face copies lmms-eval loads (each task yaml's dataset_path and test_split at lmms-eval 75571cfe), as
// parquet: a dataset snapshot under --data (downloaded with `huggingface-cli download --local-dir`, or the hub cache's
// datasets--<org>--<name>/snapshots/<rev>/), its split's shards `<split>-00000-of-0000N.parquet` at the snapshot's
// root, under data/ or under the config's folder. The readers try the publisher's files first, then this copy; with
// neither, one error lists every place looked.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { parquetRows, type Row } from "./rows.ts";

/** Where a benchmark's Hugging Face copy keeps the split lmms-eval evaluates. */
export interface HfCopy {
  /** The dataset repos holding it (the yaml's dataset_path first; older or renamed names after). */
  repos: readonly string[];
  /** The yaml's test_split. */
  split: string;
  /** Folders of the snapshot that may hold the split's shards ("" the root), in the order looked. */
  dirs: readonly string[];
}

/** A found copy: the snapshot folder and its split's shard files, in shard order. */
export interface HfFound {
  root: string;
  files: string[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The split's shards in one folder: `<split>.parquet` or `<split>-….parquet` (`-00000-of-00002` and so on), sorted
 * by name, which is shard order for the zero-padded names the hub writes. */
export function splitShards(dir: string, split: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const re = new RegExp(`^${escape(split)}(-[^/]*)?\\.parquet$`);
  // Hub-cache snapshots hold symlinks to blobs: existsSync follows them (a dangling one is left out).
  return names
    .filter((n) => re.test(n) && existsSync(join(dir, n)))
    .sort()
    .map((n) => join(dir, n));
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The hub cache's snapshots of a repo under `repoDir` (datasets--org--name): refs/main's revision first. */
function snapshotsOf(repoDir: string): string[] {
  const snaps = join(repoDir, "snapshots");
  if (!isDir(snaps)) return [];
  let main: string | undefined;
  try {
    main = readFileSync(join(repoDir, "refs", "main"), "utf8").trim();
  } catch {
    main = undefined;
  }
  const revs = readdirSync(snaps).sort();
  const ordered = main && revs.includes(main) ? [main, ...revs.filter((r) => r !== main)] : revs;
  return ordered.map((r) => join(snaps, r)).filter(isDir);
}

/** The folders that may be a snapshot of one of `repos`: --data itself, then the hub cache's snapshots when --data is
 * the repo's cache folder (datasets--org--name), the hub folder, or HF_HOME (holding hub/). */
export function snapshotRoots(dataDir: string, repos: readonly string[]): string[] {
  const out = [dataDir];
  const cacheNames = repos.map((r) => `datasets--${r.replace("/", "--")}`);
  if (cacheNames.includes(basename(dataDir))) out.push(...snapshotsOf(dataDir));
  for (const hub of [dataDir, join(dataDir, "hub")]) for (const n of cacheNames) out.push(...snapshotsOf(join(hub, n)));
  return out;
}

/** The copy's shards under --data, or undefined when there are none. */
export function findHfCopy(dataDir: string, copy: HfCopy): HfFound | undefined {
  for (const root of snapshotRoots(dataDir, copy.repos))
    for (const d of copy.dirs) {
      const files = splitShards(join(root, d), copy.split);
      if (files.length > 0) return { root, files };
    }
  return undefined;
}

/** What findHfCopy looked for, for the error when neither layout is there. */
export function hfCopyLooked(dataDir: string, copy: HfCopy): string {
  const dirs = copy.dirs.map((d) => (d ? `${d}/` : ""));
  const inDir = dirs.length === 1 ? dirs[0] : `{${dirs.join(",")}}`;
  const cache = copy.repos.map((r) => `datasets--${r.replace("/", "--")}`).join(" | ");
  return (
    `${join(dataDir, `${inDir}${copy.split}-*.parquet`)} (the Hugging Face copy ${copy.repos[0]}, split ${copy.split}, ` +
    `also looked for in a hub cache under --data: [hub/]{${cache}}/snapshots/<rev>/)`
  );
}

/** JSON-safe values: parquet INT64 columns come back as bigint; lmms-eval's datasets rows hold Python ints. */
function plain(v: unknown): unknown {
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === "object" && !(v instanceof Date) && !(v instanceof Uint8Array))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** All rows of the split's shards, in shard order (as `datasets` concatenates them, so a row's index is lmms-eval's
 * doc_id), each named "file row N". */
export async function hfRows(found: HfFound): Promise<Row[]> {
  const out: Row[] = [];
  for (const f of found.files) for (const r of await parquetRows(f)) out.push({ where: r.where, value: plain(r.value) });
  return out;
}

/** The publisher's annotation file (the first of `publisher` present), else the Hugging Face copy, else one error
 * naming every place looked, in annotationFile's words ("expected the annotation file A or B … (layout: …)"). */
export function publisherOrHf(dataDir: string, publisher: readonly string[], copy: HfCopy, bench: string, layout: string): { file: string } | { hf: HfFound } {
  if (!isDir(dataDir)) throw new Error(`${bench}: --data ${dataDir} is not a folder (expected ${layout})`);
  const file = publisher.map((p) => join(dataDir, p)).find((p) => existsSync(p));
  if (file) return { file };
  const hf = findHfCopy(dataDir, copy);
  if (hf) return { hf };
  const tried = [hfCopyLooked(dataDir, copy), ...publisher.map((p) => join(dataDir, p))];
  throw new Error(`${bench}: expected the annotation file ${tried.join(" or ")} (layout: ${layout})`);
}
