// What a `video_url` may name, resolved to a local file: an uploaded file's id, a `root-…` id or `file://` URL
// of a file under --video-root (checked after resolving symlinks, so a link cannot lead out of it), or a
// `data:video/…;base64,` URL (or `data:image/…` for an image_url; stored as an upload). Nothing else: the server
// fetches no URL.
import { existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import { basename, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { ApiError, badRequest, notFound } from "./errors.ts";
import { UploadStore } from "./uploads.ts";

export interface VideoRef {
  id: string;
  name: string;
  path: string;
  source: "upload" | "root";
  /** Stored just now from a data: URL: removed again if it turns out unreadable (no orphans in uploads/). */
  fresh?: boolean;
}

const VIDEO_EXT = /\.(mp4|m4v|mov|mkv|webm|avi|mpg|mpeg|ts|y4m)$/i;
const forbidden = (message: string, param: string | null) => new ApiError(403, "permission_error", message, param, "outside_video_root");

export class VideoSources {
  private readonly root?: string;
  constructor(
    readonly uploads: UploadStore,
    videoRoot?: string,
  ) {
    this.root = videoRoot ? realpathSync(videoRoot) : undefined;
  }

  get hasRoot(): boolean {
    return this.root !== undefined;
  }

  /** A video_url's (or image_url's) url → the file it names (a data: URL is stored first). */
  resolve(url: string, param: string | null, kind: "video" | "image" = "video"): VideoRef {
    if (url.startsWith("data:")) return this.fromDataUrl(url, param, kind);
    if (url.startsWith("file:")) {
      let path: string;
      try {
        path = fileURLToPath(url);
      } catch {
        throw badRequest(`not a valid file:// URL: ${url.slice(0, 80)}`, param, "invalid_url");
      }
      return this.underRoot(path, param);
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url))
      throw badRequest(
        `${kind}_url must be an uploaded file id, a file:// URL under --video-root or a data:${kind}/… URL; the server fetches no other URL`,
        param,
        "unsupported_url",
      );
    return this.byId(url, param);
  }

  byId(id: string, param: string | null = null): VideoRef {
    if (id.startsWith("root-")) {
      const rel = Buffer.from(id.slice(5), "base64url").toString("utf8");
      if (!this.root || isAbsolute(rel)) throw notFound(`no video with id "${id}"`, "video_not_found", param);
      return this.underRoot(join(this.root, rel), param);
    }
    const f = this.uploads.get(id, param);
    return { id, name: f.filename, path: this.uploads.pathOf(id), source: "upload" };
  }

  /** Uploads, then the video files directly in --video-root and its subfolders (two levels). */
  list(): VideoRef[] {
    const out: VideoRef[] = this.uploads.list().map((f) => ({ id: f.id, name: f.filename, path: this.uploads.pathOf(f.id), source: "upload" as const }));
    const walk = (dir: string, depth: number) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.name.startsWith(".")) continue;
        const p = join(dir, e.name);
        if (e.isDirectory() && depth > 0) walk(p, depth - 1);
        else if (e.isFile() && VIDEO_EXT.test(e.name)) out.push(this.rootRef(p));
      }
    };
    if (this.root) walk(this.root, 2);
    return out;
  }

  private rootRef(real: string): VideoRef {
    const rel = relative(this.root!, real);
    return { id: `root-${Buffer.from(rel).toString("base64url")}`, name: rel, path: real, source: "root" };
  }

  private underRoot(path: string, param: string | null): VideoRef {
    if (!this.root) throw forbidden("file:// videos need the server started with --video-root DIR", param);
    const abs = resolve(path);
    const inside = (p: string) => p === this.root || p.startsWith(this.root + sep);
    if (!inside(abs)) throw forbidden(`${abs} is outside the server's --video-root`, param);
    if (!existsSync(abs)) throw notFound(`no file ${relative(this.root, abs)} under --video-root`, "video_not_found", param);
    const real = realpathSync(abs);
    if (!inside(real)) throw forbidden(`${relative(this.root, abs)} leads outside the server's --video-root`, param);
    if (!statSync(real).isFile()) throw new ApiError(422, "invalid_request_error", `${relative(this.root, abs)} is not a file`, param, "unreadable_video");
    return this.rootRef(real);
  }

  private fromDataUrl(url: string, param: string | null, kind: "video" | "image"): VideoRef {
    const m = new RegExp(`^data:(${kind}\\/[\\w.+-]+)(?:;[\\w-]+=[^;,]*)*;base64,`, "i").exec(url.slice(0, 200));
    if (!m) throw badRequest(`a ${kind}_url data: URL must be data:${kind}/<type>;base64,<data>`, param, "invalid_url");
    const bytes = Buffer.from(url.slice(m[0].length), "base64");
    if (bytes.length === 0) throw badRequest("the data: URL holds no bytes", param, "invalid_url");
    const fresh = !existsSync(this.uploads.pathOf(UploadStore.idOfBytes(bytes)));
    const f = this.uploads.saveBytes(bytes, `data-url.${m[1].split("/")[1]}`);
    return { id: f.id, name: basename(f.filename), path: this.uploads.pathOf(f.id), source: "upload", fresh };
  }

  /** Runs `use` on the media; a data: URL stored for this request is dropped if `use` fails on it. */
  async using<T>(ref: VideoRef, use: () => Promise<T>): Promise<T> {
    try {
      return await use();
    } catch (e) {
      if (ref.fresh) this.uploads.remove(ref.id);
      throw e;
    }
  }
}
