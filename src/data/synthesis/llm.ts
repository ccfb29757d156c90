// Chat calls to an OpenAI-compatible endpoint through the `openai` client, one model per stage. The
// client's own retries are off: transient failures (connection errors, timeouts, 408/409/429/5xx) are
// retried here with exponential backoff and jitter, honouring Retry-After when the server sends it.
import OpenAI, { APIConnectionError, APIError } from "openai";
import type { ChatCompletionContentPart, ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { resolveApiKey, type Stage, type SynthConfig } from "./config.ts";
import { withBackoff, type BackoffOptions } from "./retry.ts";

export type ChatMessage = ChatCompletionMessageParam;
export type ContentPart = ChatCompletionContentPart;

export interface LlmClient {
  /** The assistant's reply text. */
  complete(stage: Stage, messages: readonly ChatMessage[]): Promise<string>;
}

export interface LlmClientOptions {
  /** Overrides backoff timing (tests). */
  backoff?: Partial<BackoffOptions>;
  onRetry?: (stage: Stage, error: unknown, attempt: number, delayMs: number) => void;
}

function headerDelayMs(h: Headers | undefined): number {
  if (!h) return 0;
  const ms = Number(h.get("retry-after-ms"));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const ra = h.get("retry-after");
  if (!ra) return 0;
  const s = Number(ra);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(ra);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : 0;
}

/** undefined: do not retry; otherwise the delay the server asked for (0 when it asked none). */
export function transientDelay(e: unknown): number | undefined {
  if (e instanceof APIConnectionError) return 0; // includes timeouts
  if (e instanceof APIError) {
    const s = e.status;
    if (s === 408 || s === 409 || s === 429 || (s !== undefined && s >= 500)) return headerDelayMs(e.headers);
  }
  return undefined;
}

export function createLlmClient(config: SynthConfig, opts: LlmClientOptions = {}): LlmClient {
  const client = new OpenAI({
    baseURL: config.baseURL,
    apiKey: resolveApiKey(config),
    maxRetries: 0,
    timeout: config.network.timeoutMs,
  });
  const backoff: BackoffOptions = {
    maxRetries: config.network.maxRetries,
    baseDelayMs: config.network.baseDelayMs,
    maxDelayMs: config.network.maxDelayMs,
    ...opts.backoff,
  };
  return {
    async complete(stage, messages) {
      const s = config[stage];
      const res = await withBackoff(
        () =>
          client.chat.completions.create({
            model: s.model,
            messages: messages as ChatMessage[],
            ...(s.temperature !== undefined ? { temperature: s.temperature } : {}),
            ...(s.maxTokens !== undefined ? { max_tokens: s.maxTokens } : {}),
          }),
        transientDelay,
        backoff,
        (e, attempt, delay) => opts.onRetry?.(stage, e, attempt, delay),
      );
      const content = res.choices?.[0]?.message?.content;
      // An empty reply is the model's fault, not the network's: the caller's validation retry handles it.
      return typeof content === "string" ? content : "";
    },
  };
}
