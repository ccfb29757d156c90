// Uploaded videos live under server-made names (`file-<24 hex>`): the caller's file name is kept only as a label
// in a side file, so no upload can name, overwrite or escape to a path. A data: URL becomes an upload named by
// its content hash, so sending the same video again reuses the file (and its cached memory).
import { randomBytes, createHash } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import { notFound } from "./errors.ts";

export interface UploadedFile {
  id: string;
  object: "file";
  bytes: number;
  created_at: number;
  filename: string;
  purpose: string;
}

const ID = /^file-[0-9a-f]{24}$/;

export class UploadStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  static isId(s: string): boolean {
    return ID.test(s);
  }

  /** Writes the stream under a fresh name; the file appears (by rename) only once complete. */
  async save(stream: Readable, filename: string, purpose = "vision"): Promise<UploadedFile> {
    const id = `file-${randomBytes(12).toString("hex")}`;
    const tmp = join(this.dir, `.incoming-${id}`);
    try {
      await pipeline(stream, createWriteStream(tmp));
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    return this.commit(tmp, id, filename, purpose);
  }

  /** The id data: URL bytes are stored under (named by their content). */
  static idOfBytes(bytes: Buffer): string {
    return `file-${createHash("sha256").update(bytes).digest("hex").slice(0, 24)}`;
  }

  /** Stores decoded data: URL bytes, named by their content so a repeat reuses the file. */
  saveBytes(bytes: Buffer, filename: string): UploadedFile {
    const id = UploadStore.idOfBytes(bytes);
    if (existsSync(this.pathOf(id))) return this.get(id);
    const tmp = join(this.dir, `.incoming-${id}-${randomBytes(4).toString("hex")}`);
    writeFileSync(tmp, bytes);
    return this.commit(tmp, id, filename, "vision");
  }

  private commit(tmp: string, id: string, filename: string, purpose: string): UploadedFile {
    const meta: UploadedFile = { id, object: "file", bytes: statSync(tmp).size, created_at: Math.floor(Date.now() / 1000), filename, purpose };
    writeFileSync(join(this.dir, `${id}.json`), JSON.stringify(meta));
    renameSync(tmp, this.pathOf(id));
    return meta;
  }

  pathOf(id: string): string {
    return join(this.dir, id);
  }

  /** The upload's record; a 404 for an unknown or malformed id. */
  get(id: string, param: string | null = null): UploadedFile {
    if (!ID.test(id) || !existsSync(this.pathOf(id))) throw notFound(`no uploaded file with id "${id}"`, "file_not_found", param);
    try {
      return JSON.parse(readFileSync(join(this.dir, `${id}.json`), "utf8")) as UploadedFile;
    } catch {
      return { id, object: "file", bytes: statSync(this.pathOf(id)).size, created_at: 0, filename: id, purpose: "vision" };
    }
  }

  list(): UploadedFile[] {
    return readdirSync(this.dir)
      .filter((n) => ID.test(n))
      .map((n) => this.get(n))
      .sort((a, b) => b.created_at - a.created_at);
  }

  remove(id: string): void {
    this.get(id);
    rmSync(this.pathOf(id), { force: true });
    rmSync(join(this.dir, `${id}.json`), { force: true });
  }
}
