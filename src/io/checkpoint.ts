// A Hugging Face model folder: config.json plus model.safetensors or a sharded
// model.safetensors.index.json. Only headers are read on open; tensors are read one at a time on demand.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { DTYPE_BYTES } from "./dtype.ts";
import { openSafetensors, writeSafetensors, type SafetensorsFile, type TensorToWrite } from "./safetensors.ts";
import { elementCount } from "./safetensors-header.ts";
import { commitTempDir, removeQuietly, tempPathFor } from "./atomic.ts";
import { MODEL_FOLDER_FILES, assertReplaceable } from "./output-folder.ts";
import { parseHourLlavaConfig } from "./config.ts";
import type { Checkpoint } from "./checkpoint-core.ts";

export { checkKeys } from "./check-keys.ts";

export const EXAMPLE_MODEL_REPO = "jylins/hourllava-qwen25-3b-s3";
const WHAT_TO_PUT = `put a Hugging Face model folder there (config.json, *.safetensors, tokenizer.json), e.g. ${EXAMPLE_MODEL_REPO}`;

export type { Checkpoint } from "./checkpoint-core.ts";

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: cannot read ${what}: ${(e as Error).message.split("\n")[0]}`);
  }
}

export function openCheckpoint(dir: string): Checkpoint {
  if (!existsSync(dir)) throw new Error(`model folder ${dir} does not exist: ${WHAT_TO_PUT}`);
  if (!statSync(dir).isDirectory()) throw new Error(`${dir} is a file, not a model folder: ${WHAT_TO_PUT}`);
  const configPath = join(dir, "config.json");
  if (!existsSync(configPath)) throw new Error(`no config.json in ${dir}: ${WHAT_TO_PUT}`);
  const config = readJson(configPath, "config.json");
  if (config === null || typeof config !== "object" || Array.isArray(config)) throw new Error(`${configPath}: config.json must hold a JSON object`);

  const indexPath = join(dir, "model.safetensors.index.json");
  const singlePath = join(dir, "model.safetensors");
  // name → file (relative to dir)
  const where = new Map<string, string>();
  const opened = new Map<string, SafetensorsFile>();
  const closeAll = () => {
    for (const f of opened.values()) f.close();
  };
  try {
    if (existsSync(indexPath)) {
      const index = readJson(indexPath, "the shard index") as { weight_map?: unknown };
      const wm = index?.weight_map;
      if (wm === null || typeof wm !== "object" || Array.isArray(wm))
        throw new Error(`${indexPath}: field "weight_map" must be an object of tensor name → shard file`);
      const byShard = new Map<string, string[]>();
      for (const [name, file] of Object.entries(wm as Record<string, unknown>)) {
        if (typeof file !== "string" || file.length === 0 || file.includes("..") || file.startsWith("/"))
          throw new Error(`${indexPath}: weight_map["${name}"] must be a shard file name in the folder, got ${JSON.stringify(file)}`);
        where.set(name, file);
        byShard.set(file, [...(byShard.get(file) ?? []), name]);
      }
      const missing = [...byShard.keys()].filter((f) => !existsSync(join(dir, f)));
      if (missing.length > 0)
        throw new Error(
          `${dir}: ${missing.length} of ${byShard.size} shards listed in model.safetensors.index.json are missing (${missing.slice(0, 4).join(", ")}${missing.length > 4 ? ", …" : ""}): fetch them from the same Hugging Face repo into ${dir}`,
        );
      for (const [file, names] of byShard) {
        const f = openSafetensors(join(dir, file));
        opened.set(file, f);
        const absent = names.filter((n) => !f.has(n));
        if (absent.length > 0)
          throw new Error(
            `${join(dir, file)}: ${absent.length} tensor(s) the index maps to this shard are not in it (${absent.slice(0, 4).join(", ")}${absent.length > 4 ? ", …" : ""})`,
          );
      }
    } else if (existsSync(singlePath)) {
      const f = openSafetensors(singlePath);
      opened.set("model.safetensors", f);
      for (const n of f.names()) where.set(n, "model.safetensors");
    } else {
      throw new Error(`no model.safetensors or model.safetensors.index.json in ${dir}: ${WHAT_TO_PUT}`);
    }
  } catch (e) {
    closeAll();
    throw e;
  }

  const fileOf = (name: string): SafetensorsFile => {
    const file = where.get(name);
    if (file === undefined) throw new Error(`${dir}: the checkpoint has no tensor "${name}" (${where.size} tensors)`);
    return opened.get(file)!;
  };
  return {
    dir,
    config: config as Record<string, unknown>,
    files: [...opened.keys()],
    names: () => [...where.keys()],
    has: (name) => where.has(name),
    shape: (name) => [...fileOf(name).info(name).shape],
    dtype: (name) => fileOf(name).info(name).dtype,
    read: (name) => fileOf(name).read(name),
    readRaw: (name) => fileOf(name).readRaw(name),
    location: (name) => fileOf(name).location(name),
    hourLlavaConfig: () => parseHourLlavaConfig(config, configPath),
    close: closeAll,
  };
}

/** Consecutive groups of at most maxBytes each (a larger item stands alone), as Hugging Face shards weights. */
export function shardGroups<T>(items: T[], bytesOf: (item: T) => number, maxBytes: number): T[][] {
  const groups: T[][] = [[]];
  let size = 0;
  for (const it of items) {
    if (size > 0 && size + bytesOf(it) > maxBytes) {
      groups.push([]);
      size = 0;
    }
    groups[groups.length - 1].push(it);
    size += bytesOf(it);
  }
  return groups;
}

/** model-00001-of-00003.safetensors (index i from 0). */
export function shardFileName(i: number, count: number): string {
  const pad = (n: number) => String(n).padStart(5, "0");
  return `model-${pad(i + 1)}-of-${pad(count)}.safetensors`;
}

export interface WriteCheckpointOptions {
  /** Split into shards of at most this many data bytes (plus model.safetensors.index.json). */
  maxShardBytes?: number;
  tokenizerConfig?: Record<string, unknown>;
  metadata?: Record<string, string>;
  /** Called after each shard with data bytes written so far and in all (long writes show progress). */
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

/**
 * Writes config.json, the weights (one file or shards + index) and optionally tokenizer.json /
 * tokenizer_config.json into a temp folder beside `dir`, then moves it into place.
 */
export function writeCheckpoint(
  dir: string,
  config: Record<string, unknown>,
  tensors: Record<string, TensorToWrite>,
  tokenizerJson?: unknown,
  opts: WriteCheckpointOptions = {},
): void {
  const parent = dirname(resolve(dir));
  assertReplaceable(resolve(dir), MODEL_FOLDER_FILES, "model folder");
  mkdirSync(parent, { recursive: true });
  const tmp = tempPathFor(resolve(dir));
  mkdirSync(tmp);
  try {
    const json = (v: unknown) => JSON.stringify(v, null, 2) + "\n";
    writeFileSync(join(tmp, "config.json"), json(config));
    const metadata = { format: "pt", ...(opts.metadata ?? {}) };
    const names = Object.keys(tensors);
    const bytesOf = (n: string) => elementCount(tensors[n].shape) * DTYPE_BYTES[tensors[n].dtype];
    const shards = shardGroups(names, bytesOf, opts.maxShardBytes ?? Infinity);
    const total = names.reduce((s, n) => s + bytesOf(n), 0);
    let done = 0;
    if (shards.length === 1 && opts.maxShardBytes === undefined) {
      writeSafetensors(join(tmp, "model.safetensors"), tensors, metadata);
      opts.onProgress?.(total, total);
    } else {
      const weightMap: Record<string, string> = {};
      shards.forEach((group, i) => {
        const file = shardFileName(i, shards.length);
        writeSafetensors(join(tmp, file), Object.fromEntries(group.map((n) => [n, tensors[n]])), metadata);
        for (const n of group) weightMap[n] = file;
        done += group.reduce((s, n) => s + bytesOf(n), 0);
        opts.onProgress?.(done, total);
      });
      writeFileSync(join(tmp, "model.safetensors.index.json"), json({ metadata: { total_size: total }, weight_map: weightMap }));
    }
    if (tokenizerJson !== undefined)
      writeFileSync(join(tmp, "tokenizer.json"), typeof tokenizerJson === "string" ? tokenizerJson : JSON.stringify(tokenizerJson));
    if (opts.tokenizerConfig) writeFileSync(join(tmp, "tokenizer_config.json"), json(opts.tokenizerConfig));
    commitTempDir(tmp, resolve(dir), MODEL_FOLDER_FILES, "model folder");
  } catch (e) {
    removeQuietly(tmp);
    throw new Error(`cannot write checkpoint ${basename(dir)} into ${parent}: ${(e as Error).message}`);
  }
}
