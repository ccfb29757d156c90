// One frame of a video as a small JPEG, for the page's timeline: ffmpeg seeks to the time and scales the frame.
// The input goes through localInputArgs, so only that local file is read (no protocols, no playlists).
import { spawnFfmpeg } from "../video/ffmpeg-spawn.ts";
import { localInputArgs, refuseReferencingFile } from "../video/local-input.ts";

export function thumbnail(path: string, atS: number, width: number): Promise<Buffer> {
  refuseReferencingFile(path);
  const args = ["-hide_banner", "-nostdin", "-v", "error", "-ss", atS.toFixed(3), ...localInputArgs(path)];
  args.push("-frames:v", "1", "-vf", `scale=${width}:-2`, "-f", "image2pipe", "-c:v", "mjpeg", "-q:v", "5", "pipe:1");
  return new Promise((resolve, reject) => {
    const child = spawnFfmpeg(args, ["ignore", "pipe", "pipe"]);
    const out: Buffer[] = [];
    let err = "";
    child.stdout!.on("data", (b: Buffer) => out.push(b));
    child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const jpeg = Buffer.concat(out);
      if (code === 0 && jpeg.length) resolve(jpeg);
      else reject(new Error(`no frame at ${atS} s: ${err.trim().split("\n")[0] || `ffmpeg exited with ${code}`}`));
    });
  });
}
