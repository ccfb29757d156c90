// ffmpeg's rawvideo output cut into whole frames: chunks from a pipe arrive at any size, a frame is handed on only
// when all its bytes are in, each in its own buffer (the consumer may keep it).
/** ffmpeg output options for what rawFrames reads: the video alone, as packed RGB (rgb24); the output name follows. */
export const RGB24_OUTPUT: readonly string[] = ["-an", "-sn", "-dn", "-f", "rawvideo", "-pix_fmt", "rgb24"];

export async function* rawFrames(stdout: AsyncIterable<Buffer>, frameBytes: number): AsyncGenerator<Uint8Array> {
  let frame = new Uint8Array(frameBytes);
  let filled = 0;
  for await (const chunk of stdout) {
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(frameBytes - filled, chunk.length - off);
      frame.set(chunk.subarray(off, off + n), filled);
      filled += n;
      off += n;
      if (filled === frameBytes) {
        yield frame;
        frame = new Uint8Array(frameBytes);
        filled = 0;
      }
    }
  }
}
