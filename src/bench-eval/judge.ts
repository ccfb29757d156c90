// The LLM judge for the answers lmms-eval scores with one (TempCompass's captioning, and its rule fallbacks): any
// OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, `hourllava serve`, which answers such a text-only request
// from the text alone with the given system message), sent lmms-eval's exact request (its system message and the
// prompt, no video), through the `openai` client, which
// times requests out and retries 408/409/429/5xx and lost connections with exponential backoff (honouring
// Retry-After); any other 4xx, or a failure left after the retries, stops the run with one line naming the judge and
// the status. Verdicts are cached in the run folder (judge-cache.ts) before they are used, so a run stopped there
// resumes without asking again. Without a judge, such answers are listed as unjudged and left out of the scores.
import OpenAI from "openai";
import { join } from "node:path";
import { createProgress } from "../util/progress.ts";
import { pyStrip } from "./answer-parse.ts";
import { JUDGE_CACHE_FILE, JudgeCache, judgeKey, type JudgeAsk } from "./judge-cache.ts";
import type { BenchItem, Benchmark, JudgeRequest, ResultRow } from "./types.ts";

/** get_llm_output's request body besides model and messages (lmms_eval/tasks/tempcompass/utils.py at 75571cfe). */
export const JUDGE_SAMPLING = { max_tokens: 128, temperature: 1.0, top_p: 1, presence_penalty: 1 } as const;

export interface JudgeOptions {
  /** The endpoint's base URL (".../v1"); a URL ending in /chat/completions (lmms-eval's OPENAI_API_URL) is taken too,
   * and one with no path gets /v1. */
  url: string;
  model: string;
  /** The environment variable holding the API key (never the key itself); none: no Authorization header. */
  keyEnv?: string;
  /** A video_url sent with every prompt, for a judge that answers only about a video (older `hourllava serve`; today's
   * answers text-only requests, so it needs none); lmms-eval's system message is then left out, as before, so the
   * cached verdicts of such runs still match. */
  video?: string;
  /** Seconds per request before it is given up (and retried). */
  timeoutS?: number;
  /** Retries of a request on 408/409/429/5xx, timeouts and lost connections. */
  maxRetries?: number;
  /** Prompts in flight at once. */
  concurrency?: number;
  /** For tests: the fetch the client uses. */
  fetch?: typeof fetch;
}

export const JUDGE_DEFAULTS = { timeoutS: 120, maxRetries: 5, concurrency: 4 } as const;

/** The base URL the client posts to (…/chat/completions appended by the client). */
export function judgeBaseUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--judge: not a URL: "${url}" (expected e.g. http://127.0.0.1:8000/v1)`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error(`--judge: expected an http(s) URL, got "${url}"`);
  let path = u.pathname.replace(/\/+$/, "").replace(/\/chat\/completions$/, "");
  if (path === "") path = "/v1";
  return `${u.origin}${path}${u.search}`;
}

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, " ").trim();

export class JudgeClient {
  readonly baseURL: string;
  readonly model: string;
  readonly video: string | null;
  readonly keyEnv: string | null;
  readonly concurrency: number;
  /** HTTP requests sent (retries included). */
  httpRequests = 0;
  private readonly client: OpenAI;
  private readonly timeoutS: number;
  private readonly maxRetries: number;

  constructor(o: JudgeOptions, env: NodeJS.ProcessEnv = process.env) {
    this.baseURL = judgeBaseUrl(o.url);
    if (!o.model) throw new Error("--judge needs --judge-model <name> (lmms-eval's TempCompass judge is gpt-3.5-turbo-1106)");
    this.model = o.model;
    this.video = o.video ?? null;
    this.keyEnv = o.keyEnv ?? null;
    this.timeoutS = o.timeoutS ?? JUDGE_DEFAULTS.timeoutS;
    this.maxRetries = o.maxRetries ?? JUDGE_DEFAULTS.maxRetries;
    this.concurrency = o.concurrency ?? JUDGE_DEFAULTS.concurrency;
    let key: string | undefined;
    if (o.keyEnv) {
      key = env[o.keyEnv];
      if (!key) throw new Error(`--judge-key-env ${o.keyEnv}: the environment variable ${o.keyEnv} is not set (it should hold the judge's API key)`);
    }
    const base = o.fetch ?? fetch;
    const counted: typeof fetch = (input, init) => {
      this.httpRequests++;
      if (key === undefined && init?.headers) {
        // The client always sends a bearer token; without a key none goes out.
        const h = new Headers(init.headers);
        h.delete("authorization");
        init = { ...init, headers: h };
      }
      return base(input, init);
    };
    this.client = new OpenAI({
      baseURL: this.baseURL,
      apiKey: key ?? "none",
      timeout: this.timeoutS * 1000,
      maxRetries: this.maxRetries,
      fetch: counted,
      logLevel: "off",
    });
  }

  /** What is asked for a task's request: lmms-eval's system message and prompt (its exact request), or with --judge-video
   * the prompt with the video. */
  ask(req: JudgeRequest): JudgeAsk {
    return { model: this.model, system: this.video ? null : req.system, prompt: req.prompt, video: this.video };
  }

  /** One completion's text, strip()ped as get_llm_output strips it; an absent content reads as "". */
  async complete(a: JudgeAsk): Promise<string> {
    const user = a.video
      ? [
          { type: "video_url", video_url: { url: a.video } },
          { type: "text", text: a.prompt },
        ]
      : a.prompt;
    const messages = [...(a.system !== null ? [{ role: "system" as const, content: a.system }] : []), { role: "user" as const, content: user }];
    try {
      const r = await this.client.chat.completions.create({
        model: a.model,
        messages: messages as OpenAI.Chat.ChatCompletionMessageParam[], // video_url is the vLLM extension the SDK does not type
        ...JUDGE_SAMPLING,
      });
      const text = r.choices?.[0]?.message?.content ?? "";
      return pyStrip(text);
    } catch (e) {
      throw new Error(this.describe(e));
    }
  }

  private describe(e: unknown): string {
    const where = `judge ${this.baseURL} (model ${this.model})`;
    if (e instanceof OpenAI.APIConnectionTimeoutError) return `${where}: no answer within ${this.timeoutS} s, ${this.maxRetries} retries included`;
    if (e instanceof OpenAI.APIConnectionError)
      return oneLine(`${where}: cannot connect (${(e.cause as Error | undefined)?.message ?? e.message}), ${this.maxRetries} retries included`);
    if (e instanceof OpenAI.APIError && e.status) {
      const body = e.error as { message?: unknown } | undefined;
      const msg = typeof body?.message === "string" ? body.message : e.message.replace(/^\d+\s*/, "");
      const retried = e.status === 408 || e.status === 409 || e.status === 429 || e.status >= 500 ? ` after ${this.maxRetries} retries` : "";
      return oneLine(`${where}: HTTP ${e.status}${retried}: ${msg}`);
    }
    return oneLine(`${where}: ${(e as Error).message}`);
  }
}

export interface JudgeSummary {
  url: string | null;
  model: string | null;
  video: string | null;
  key_env: string | null;
  /** Answers scored by a verdict, and of those, how many verdicts came from the cache. */
  judged: number;
  from_cache: number;
  /** Prompts asked in this invocation, and HTTP requests sent for them (retries and re-asks included). */
  asked: number;
  http_requests: number;
}

export interface JudgedRows {
  rows: ResultRow[];
  /** Answers that need the judge and have no verdict (no --judge), with their lmms-eval task. */
  unjudged: { id: string; task: string }[];
  judge: JudgeSummary | null;
}

/** Scores the answers lmms-eval's rules leave to its judge: each with its cached verdict, else asked (with a judge),
 * else marked unjudged. Rows lmms-eval scores by rule come back as they are. */
export async function judgeRows(
  bench: Benchmark,
  items: readonly BenchItem[],
  rows: readonly ResultRow[],
  o: { outDir: string; judge?: JudgeClient; quiet?: boolean },
): Promise<JudgedRows> {
  const port = bench.judge;
  if (!port) return { rows: [...rows], unjudged: [], judge: null };
  const byId = new Map(items.map((it) => [it.id, it]));
  const needs = rows.map((row) => {
    const item = byId.get(row.id);
    return item ? { row, item, req: port.request(item, row) } : { row, item, req: undefined };
  });
  const judge = o.judge;
  const cache = judge ? JudgeCache.open(join(o.outDir, JUDGE_CACHE_FILE)) : undefined;
  const askedNow = new Set<string>();
  if (judge && cache) {
    const pending = new Map<string, { ask: JudgeAsk; req: JudgeRequest }>();
    for (const n of needs)
      if (n.req) {
        const ask = judge.ask(n.req);
        const key = judgeKey(ask);
        if (!cache.get(key)) pending.set(key, { ask, req: n.req });
      }
    const queue = [...pending.values()];
    const progress = createProgress({ label: `judge ${bench.name}`, total: queue.length, unit: "prompts", quiet: o.quiet || queue.length === 0 });
    let failed: unknown;
    const worker = async () => {
      while (queue.length && failed === undefined) {
        const { ask, req } = queue.shift()!;
        const outputs: string[] = [];
        try {
          // lmms-eval asks again while it cannot read the output (get_eval_result's maxtry).
          do outputs.push(await judge.complete(ask));
          while (!req.readable(outputs[outputs.length - 1]) && outputs.length < req.tries);
        } catch (e) {
          failed ??= e;
          return;
        }
        askedNow.add(cache.add(ask, outputs).key);
        progress.tick();
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(judge.concurrency, queue.length)) }, worker));
    progress.done();
    if (failed !== undefined) throw failed;
  }
  const out: ResultRow[] = [];
  const unjudged: { id: string; task: string }[] = [];
  let judged = 0;
  let fromCache = 0;
  for (const { row, item, req } of needs) {
    if (!req || !item) {
      out.push(row);
      continue;
    }
    const key = judge ? judgeKey(judge.ask(req)) : "";
    const v = cache?.get(key);
    if (!v) {
      out.push({ ...row, unjudged: true });
      unjudged.push({ id: row.id, task: item.lmms?.task ?? String(item.categories.task ?? bench.name) });
      continue;
    }
    judged++;
    if (!askedNow.has(key)) fromCache++;
    out.push({ ...row, ...port.verdict(item, row, v.outputs[v.outputs.length - 1] ?? ""), judge: { model: v.model, outputs: v.outputs } });
  }
  return {
    rows: out,
    unjudged,
    judge: judge
      ? {
          url: judge.baseURL,
          model: judge.model,
          video: judge.video,
          key_env: judge.keyEnv,
          judged,
          from_cache: fromCache,
          asked: askedNow.size,
          http_requests: judge.httpRequests,
        }
      : null,
  };
}
