// Opening a named pipe (or a device) for reading blocks until a writer appears, so a FIFO named `talk.mp4` would
// hang any read of its first bytes forever. Files are opened non-blocking and checked before any byte is read.
import { closeSync, constants, fstatSync, openSync } from "node:fs";
import { CodedError } from "./coded-error.ts";

/** An fd of `path` for reading; throws one line when it is not a regular file (a FIFO, a device, a socket). */
export function openRegularFile(path: string): number {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new CodedError("not_regular_file", `${path}: not a regular file`);
  }
  return fd;
}
