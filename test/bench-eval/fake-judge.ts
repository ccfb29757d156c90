// A tiny OpenAI-compatible chat-completions server on loopback for the judge tests: it records every request (body
// and Authorization header) and answers with what `reply` says for the request's last user message (a verdict
// text, an HTTP error, a delay), so verdict parsing and scoring can be checked against fixed numbers.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeReply {
  /** The assistant's content (null: a message without content). */
  content?: string | null;
  /** An HTTP error instead of a completion. */
  status?: number;
  error?: { message: string; type: string };
  headers?: Record<string, string>;
  delayMs?: number;
}

export interface SeenRequest {
  path: string;
  body: { model: string; messages: { role: string; content: unknown }[]; [k: string]: unknown };
  authorization: string | undefined;
  /** The last user message's text (its text part when it has several). */
  prompt: string;
}

export interface FakeJudge {
  /** The base URL (…/v1). */
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export const promptOf = (content: unknown): string =>
  typeof content === "string" ? content : ((content as { type: string; text?: string }[]).find((p) => p.type === "text")?.text ?? "");

/** `reply(prompt, n)`: n counts the requests with this prompt so far, this one included (1 for the first). */
export async function startFakeJudge(reply: (prompt: string, n: number, req: SeenRequest) => FakeReply): Promise<FakeJudge> {
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (data += c));
    req.on("end", async () => {
      const body = JSON.parse(data) as SeenRequest["body"];
      const users = body.messages.filter((m) => m.role === "user");
      const seen: SeenRequest = { path: req.url ?? "", body, authorization: req.headers.authorization, prompt: promptOf(users[users.length - 1]?.content) };
      requests.push(seen);
      const n = requests.filter((r) => r.prompt === seen.prompt).length;
      const r = reply(seen.prompt, n, seen);
      if (r.delayMs) await new Promise((ok) => setTimeout(ok, r.delayMs));
      if (r.status && r.status !== 200) {
        res.writeHead(r.status, { "content-type": "application/json", ...r.headers });
        res.end(JSON.stringify({ error: { ...(r.error ?? { message: `status ${r.status}`, type: "server_error" }), param: null, code: null } }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json", ...r.headers });
      res.end(
        JSON.stringify({
          id: `chatcmpl-${requests.length}`,
          object: "chat.completion",
          created: 0,
          model: body.model,
          choices: [{ index: 0, message: { role: "assistant", content: r.content ?? null }, finish_reason: "stop", logprobs: null }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
