// A UDP port free on loopback now (bound and released), for a stream made by ffmpeg in a test or a benchmark.
import { createSocket } from "node:dgram";

export async function freeUdpPort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
