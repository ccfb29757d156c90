// A model folder's files in a browser: fetched from the page's origin (a folder URL) or picked from disk. Only
// single-file folders (model.safetensors) are read; sharded checkpoints are for Node.
export interface ModelFiles {
  /** How errors name the folder. */
  name: string;
  config: Uint8Array;
  safetensors: Uint8Array;
  tokenizer: Uint8Array;
  tokenizerConfig?: Uint8Array;
  generationConfig?: Uint8Array;
}

const REQUIRED = ["config.json", "model.safetensors", "tokenizer.json"] as const;
const OPTIONAL = ["tokenizer_config.json", "generation_config.json"] as const;
type FileName = (typeof REQUIRED)[number] | (typeof OPTIONAL)[number];

function assemble(name: string, got: Map<FileName, Uint8Array>): ModelFiles {
  const missing = REQUIRED.filter((f) => !got.has(f));
  if (missing.length) throw new Error(`${name}: ${missing.join(", ")} missing; a model folder for the browser holds ${REQUIRED.join(", ")}`);
  return {
    name,
    config: got.get("config.json")!,
    safetensors: got.get("model.safetensors")!,
    tokenizer: got.get("tokenizer.json")!,
    tokenizerConfig: got.get("tokenizer_config.json"),
    generationConfig: got.get("generation_config.json"),
  };
}

/** Fetches the folder at `base` (e.g. "models/hourllava-tiny/"); optional files may be absent (404). */
export async function fetchModelFiles(base: string, onProgress?: (file: string) => void): Promise<ModelFiles> {
  const folder = base.endsWith("/") ? base : `${base}/`;
  const got = new Map<FileName, Uint8Array>();
  for (const f of [...REQUIRED, ...OPTIONAL]) {
    onProgress?.(f);
    const r = await fetch(folder + f);
    if (r.ok) got.set(f, new Uint8Array(await r.arrayBuffer()));
    else if ((REQUIRED as readonly string[]).includes(f)) throw new Error(`${folder}${f}: HTTP ${r.status}`);
  }
  return assemble(folder, got);
}

/** The files a user picked (a folder through webkitdirectory, or the files themselves). */
export async function pickedModelFiles(files: Iterable<File>): Promise<ModelFiles> {
  const got = new Map<FileName, Uint8Array>();
  const known = new Set<string>([...REQUIRED, ...OPTIONAL]);
  let name = "the picked files";
  for (const f of files) {
    if (!known.has(f.name)) continue;
    got.set(f.name as FileName, new Uint8Array(await f.arrayBuffer()));
    const rel = (f as File & { webkitRelativePath?: string }).webkitRelativePath;
    if (rel) name = rel.slice(0, rel.lastIndexOf("/")) || name;
  }
  return assemble(name, got);
}
