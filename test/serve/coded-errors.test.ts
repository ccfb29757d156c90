// Typed errors: the server's status and OpenAI code follow the error's code, whatever its message says, so a
// reworded message can never turn a client's mistake into a 500.
import { test } from "node:test";
import assert from "node:assert/strict";
import { toApiError } from "../../src/serve/errors.ts";
import { CodedError } from "../../src/util/coded-error.ts";

test("coded errors map to their status, type and code by code, not by wording", () => {
  const overflow = toApiError(new CodedError("context_overflow", "any wording at all"));
  assert.deepEqual([overflow.status, overflow.type, overflow.code, overflow.param], [400, "invalid_request_error", "context_length_exceeded", "messages"]);
  const unreadable = toApiError(new CodedError("unreadable_video", "x"));
  assert.deepEqual([unreadable.status, unreadable.code], [422, "unreadable_video"]);
  assert.equal(toApiError(new CodedError("model_not_found", "x")).status, 404);
  // The old rule matched the text; an uncoded error with that text is a server error now.
  assert.equal(toApiError(new Error("needs 9 tokens, over the model's context of 4")).status, 500);
});
