// A local OpenAI-compatible chat server for the synthesis tests (node:http on 127.0.0.1). Its replies are
// derived from the prompt, so they are the same on every run; it can be told to fail the next N requests
// with an HTTP status or to answer the next N with unusable text first.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type RequestKind = "clip" | "split" | "event" | "global" | "qa-oe" | "qa-mc" | "other";

export interface RecordedCall {
  kind: RequestKind;
  model: string;
  /** Text of the last user message. */
  prompt: string;
  images: string[];
  messages: number;
  status: number;
}

export interface FakeOpenAi {
  url: string;
  calls: RecordedCall[];
  /** The next `n` requests get this HTTP status (optionally with a Retry-After-Ms header). */
  failNext(n: number, status?: number, retryAfterMs?: number): void;
  /** The next `n` requests of this kind get a reply that is not valid for it. */
  invalidNext(n: number, kind?: RequestKind): void;
  /** Number of events the split step returns (default 3). */
  events: number;
  /** Milliseconds to wait before each reply. */
  delayMs: number;
  count(kind?: RequestKind): number;
  close(): Promise<void>;
}

function classify(text: string, hasImages: boolean): RequestKind {
  if (hasImages) return "clip";
  if (text.includes("Divide the whole video into its distinct events")) return "split";
  if (text.includes('"Event-Level Description"')) return "event";
  if (text.includes('"Global-Level Description"')) return "global";
  if (text.includes("You write multiple-choice training questions")) return "qa-mc";
  if (text.includes("You write training questions")) return "qa-oe";
  return "other";
}

function firstUserText(messages: any[]): { text: string; images: string[] } {
  const first = messages.find((m) => m.role === "user");
  if (!first) return { text: "", images: [] };
  if (typeof first.content === "string") return { text: first.content, images: [] };
  const parts = first.content as any[];
  return {
    text: parts
      .filter((p) => p.type === "text")
      .map((p) => p.text)
      .join("\n"),
    images: parts.filter((p) => p.type === "image_url").map((p) => p.image_url.url),
  };
}

function replyFor(kind: RequestKind, text: string, images: number, events: number): string {
  switch (kind) {
    case "clip": {
      const m = /from ([\d.]+) s to ([\d.]+) s/.exec(text);
      const span = m ? `${m[1]}-${m[2]}s` : "?";
      const o = Object.fromEntries(
        ["Temporality", "Spatiality", "Object", "Action", "Scene", "Summary"].map((p) => [p, `${p} of ${span} seen in ${images} frames.`]),
      );
      return "Here is the description:\n```json\n" + JSON.stringify(o, null, 2) + "\n```";
    }
    case "split": {
      const d = Number(/(\d+(?:\.\d+)?) seconds long/.exec(text)?.[1] ?? "90");
      const o: Record<string, string> = {};
      for (let i = 0; i < events; i++) {
        const s = Math.round((d * i) / events);
        const e = Math.round((d * (i + 1)) / events);
        o[`${s}-${e}s`] = `Event ${i + 1} of ${events}`;
      }
      return JSON.stringify(o);
    }
    case "event": {
      const title = /Title of this event: (.*)/.exec(text)?.[1] ?? "?";
      return JSON.stringify({ "Event-Level Description": `Narrative of ${title}.` });
    }
    case "global": {
      const n = (text.match(/^Event from /gm) ?? []).length;
      return JSON.stringify({ "Global-Level Description": `A video told in ${n} events.` });
    }
    case "qa-oe":
    case "qa-mc": {
      const names = [...(/sub-task names (.*), each holding/.exec(text)?.[1] ?? "").matchAll(/"([^"]+)"/g)].map((m) => m[1]);
      const topic = /covers the topic "([^"]+)"/.exec(text)?.[1] ?? "?";
      const o: Record<string, unknown[]> = {};
      for (const t of names) {
        o[t] = [1, 2, 3].map((k) =>
          kind === "qa-oe"
            ? { question: `${topic}/${t} question ${k}?`, answer: `${t} answer ${k}.` }
            : { question: `${topic}/${t} choice ${k}?`, options: ["red", "green", "blue", "black"], answer: "ABCD"[k % 4] },
        );
      }
      return "```json\n" + JSON.stringify(o) + "\n```";
    }
    default:
      return "I do not understand.";
  }
}

function invalidReply(kind: RequestKind): string {
  // Parseable JSON of the wrong shape for QA; plain prose elsewhere.
  return kind === "qa-oe" || kind === "qa-mc" ? JSON.stringify({ "Some Task": [{ question: "q" }] }) : "Sure! Let me think about the video first.";
}

export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  let failures: { n: number; status: number; retryAfterMs?: number } = { n: 0, status: 500 };
  const invalid = new Map<RequestKind | "any", number>();
  const calls: RecordedCall[] = [];
  const state = { events: 3, delayMs: 0 };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "not found" } }));
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    const { text, images } = firstUserText(body.messages);
    const last = [...body.messages].reverse().find((m: any) => m.role === "user");
    const kind = classify(text, images.length > 0);
    const call: RecordedCall = {
      kind,
      model: body.model,
      prompt: typeof last?.content === "string" ? last.content : text,
      images,
      messages: body.messages.length,
      status: 200,
    };
    calls.push(call);
    if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs));
    if (failures.n > 0) {
      failures.n--;
      call.status = failures.status;
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (failures.retryAfterMs !== undefined) headers["retry-after-ms"] = String(failures.retryAfterMs);
      res.writeHead(failures.status, headers).end(JSON.stringify({ error: { message: `injected ${failures.status}`, type: "server_error" } }));
      return;
    }
    let content: string;
    const left = invalid.get(kind) ?? invalid.get("any") ?? 0;
    if (left > 0) {
      invalid.set(invalid.has(kind) ? kind : "any", left - 1);
      content = invalidReply(kind);
    } else content = replyFor(kind, text, images.length, state.events);
    res.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({
        id: `chatcmpl-${calls.length}`,
        object: "chat.completion",
        created: 0,
        model: body.model,
        choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      }),
    );
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e) => res.writeHead(500).end(String(e)));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    calls,
    failNext(n, status = 500, retryAfterMs) {
      failures = { n, status, retryAfterMs };
    },
    invalidNext(n, kind) {
      invalid.set(kind ?? "any", n);
    },
    get events() {
      return state.events;
    },
    set events(n: number) {
      state.events = n;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(ms: number) {
      state.delayMs = ms;
    },
    count(kind) {
      return kind ? calls.filter((c) => c.kind === kind).length : calls.length;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
