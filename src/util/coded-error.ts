// Errors that say what went wrong as a code, so a caller (the server's status mapping, a library user) branches on
// the code, never on the message's wording.
export type ErrorCode = "context_overflow" | "unreadable_video" | "not_regular_file" | "model_not_found" | "device_unavailable" | "no_gpu_adapter";

export class CodedError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "CodedError";
  }
}

/** The error's code, when it carries one. */
export function errorCode(e: unknown): ErrorCode | undefined {
  return e instanceof CodedError ? e.code : undefined;
}
