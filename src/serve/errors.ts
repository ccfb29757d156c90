// OpenAI-style error bodies ({"error":{"message","type","param","code"}}) with the status that says whose fault
// it is; Fastify's own errors (bad JSON, body too large, wrong content type) are mapped to the same shape.
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { errorCode } from "../util/coded-error.ts";

export type ErrorType = "invalid_request_error" | "authentication_error" | "permission_error" | "not_found_error" | "rate_limit_error" | "server_error";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: ErrorType,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    /** Extra response headers (Retry-After on 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** The body a client sees; `redact` takes server paths out of the message (serve/redact.ts). */
  body(redact: (message: string) => string = (m) => m) {
    return { error: { message: redact(this.message), type: this.type, param: this.param, code: this.code } };
  }
}

export const badRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new ApiError(400, "invalid_request_error", message, param, code);
export const notFound = (message: string, code: string | null = null, param: string | null = null) =>
  new ApiError(404, "not_found_error", message, param, code);

/** Fastify's errors by code: what the client did wrong, in words a client can act on. */
function fromFastify(e: FastifyError): ApiError | undefined {
  switch (e.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return badRequest(`the body is not valid JSON: ${e.message}`, null, "invalid_json");
    case "FST_ERR_CTP_BODY_TOO_LARGE":
    case "FST_REQ_FILE_TOO_LARGE":
      return new ApiError(413, "invalid_request_error", `the body is over the size limit: ${e.message}`, null, "payload_too_large");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new ApiError(415, "invalid_request_error", e.message, null, "unsupported_media_type");
    case "FST_INVALID_MULTIPART_CONTENT_TYPE":
      return badRequest("the upload must be multipart/form-data with a 'file' field", "file", "invalid_multipart");
  }
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) return badRequest(e.message);
  return undefined;
}

/** The app's coded errors as HTTP: the status and OpenAI code follow the code, never the message's wording. */
function fromCoded(e: unknown): ApiError | undefined {
  switch (errorCode(e)) {
    case "context_overflow":
      return badRequest((e as Error).message, "messages", "context_length_exceeded");
    case "unreadable_video":
    case "not_regular_file":
      return new ApiError(422, "invalid_request_error", (e as Error).message, "messages", "unreadable_video");
    case "model_not_found":
      return notFound((e as Error).message, "model_not_found", "model");
  }
  return undefined;
}

export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  const coded = fromCoded(e);
  if (coded) return coded;
  return fromFastify(e as FastifyError) ?? new ApiError(500, "server_error", (e as Error).message?.split("\n")[0] ?? String(e));
}

export function sendError(reply: FastifyReply, e: unknown, req?: FastifyRequest, redact?: (message: string) => string): FastifyReply {
  const err = toApiError(e);
  if (err.status >= 500) req?.log.error(e);
  return reply.code(err.status).headers(err.headers).send(err.body(redact));
}
