// What `--model` (and HourLlavaApp.load) accepts: nothing (the embedded model), a folder, or a hub id
// ("org/name[@revision]") resolved from the shared hub cache, pulled first when it is not there (as `ollama run`
// does), unless HF_HUB_OFFLINE says not to touch the network.
import { existsSync } from "node:fs";
import { resolveModelDir } from "./default-model.ts";
import { CodedError } from "../util/coded-error.ts";
import { cachedSnapshot, hubCacheDir, hubOffline, parseHubId } from "../hub/hub-cache.ts";
import { pullModel, type PullOptions } from "../hub/hub-pull.ts";

export interface ResolveOptions extends PullOptions {
  /** Download a hub id that is not cached (default true); false: say which command fetches it. */
  pull?: boolean;
}

export async function resolveModel(ref: string | undefined, o: ResolveOptions = {}): Promise<string> {
  if (!ref || existsSync(ref)) return resolveModelDir(ref);
  const id = parseHubId(ref);
  if (!id) return ref; // not an id either: the loader says the folder is missing
  const cached = cachedSnapshot(id, o.cacheDir);
  if (cached) return cached;
  if (hubOffline() || o.pull === false) {
    const why = hubOffline() ? "HF_HUB_OFFLINE is set" : "downloading was not asked for";
    throw new CodedError(
      "model_not_found",
      `${ref}: not a folder, and not in the hub cache (${o.cacheDir ?? hubCacheDir()}) while ${why}; fetch it with \`hourllava pull ${ref}\``,
    );
  }
  return (await pullModel(id, o)).dir;
}
