// How deeply a JSON text nests, found by a flat scan, so that text nested past any real record is rejected
// with a message instead of overflowing the stack in JSON.parse (V8 parses nested objects recursively).

/** VideoMarathon records nest a few levels; anything deeper than this is not one. */
export const MAX_JSON_DEPTH = 512;

/** The deepest nesting of arrays/objects in `text` (strings skipped), stopping early past `limit`. */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}
