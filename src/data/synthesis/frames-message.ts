// A vision chat message: the prompt text followed by the clip's frames as base64 data URLs.
import type { ChatMessage, ContentPart } from "./llm.ts";

/** "image/jpeg" or "image/png" from the file's first bytes, or undefined. */
export function imageMime(b: Buffer): "image/jpeg" | "image/png" | undefined {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a) return "image/png";
  return undefined;
}

export function framesMessage(prompt: string, frames: readonly Buffer[], where: string): ChatMessage {
  if (frames.length === 0) throw new Error(`${where}: no frames were given for the clip`);
  const parts: ContentPart[] = [{ type: "text", text: prompt }];
  frames.forEach((f, i) => {
    if (!Buffer.isBuffer(f)) throw new Error(`${where}: frame ${i} is not a Buffer`);
    const mime = imageMime(f);
    if (!mime) throw new Error(`${where}: frame ${i} is neither JPEG nor PNG (first bytes ${f.subarray(0, 4).toString("hex") || "none"})`);
    parts.push({ type: "image_url", image_url: { url: `data:${mime};base64,${f.toString("base64")}` } });
  });
  return { role: "user", content: parts };
}
