// A chat-completions body checked and turned into what the answer path takes: one video or one image (from the
// messages' video_url or image_url parts) or none (a text-only question, answered by the LLM alone), the system
// message (leading "system"/"developer" messages, in place of the template's default), the conversation's
// user/assistant turns as plain text, and the sampling options.
import { z } from "zod";
import type { ChatTurn } from "../io/chat-template.ts";
import type { AskOptions } from "../app/app.ts";
import { checkAskOptions } from "../app/ask-options.ts";
import { badRequest, notFound } from "./errors.ts";

const opt = <T extends z.ZodType>(t: T) => t.nullable().optional();

const Body = z.object({
  model: opt(z.string()),
  messages: z
    .array(
      z.object({
        role: z.string(),
        content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]).nullable(),
      }),
    )
    .min(1),
  stream: opt(z.boolean()),
  stream_options: opt(z.object({ include_usage: opt(z.boolean()) })),
  max_tokens: opt(z.number().int().min(1)),
  max_completion_tokens: opt(z.number().int().min(1)),
  temperature: opt(z.number().min(0).max(2)),
  top_p: opt(z.number().gt(0).max(1)),
  seed: opt(
    z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1),
  ),
  n: opt(z.literal(1)),
});

export type MediaKind = "video" | "image";

export interface ChatRequest {
  /** What the conversation is about: a video_url part's url, or an image_url part's; absent: a text-only conversation. */
  media?: { kind: MediaKind; url: string };
  turns: ChatTurn[];
  /** The sampling options, and `system` when the request has a system message. */
  options: AskOptions;
  stream: boolean;
  includeUsage: boolean;
}

/** Checks the body; every refusal is a 400 naming the parameter (or a 404 for a model this server lacks). */
export function parseChatRequest(body: unknown, modelName: string): ChatRequest {
  const r = Body.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0];
    const param = issue.path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`)).join("");
    throw badRequest(`${param || "body"}: ${issue.message}`, param || null, "invalid_value");
  }
  const b = r.data;
  if (b.model && b.model !== modelName)
    throw notFound(`the model "${b.model}" does not exist here; this server serves "${modelName}"`, "model_not_found", "model");
  const urls = new Map<string, MediaKind>();
  const system: string[] = [];
  const turns: ChatTurn[] = [];
  b.messages.forEach((m, i) => {
    const param = `messages[${i}]`;
    const isSystem = m.role === "system" || m.role === "developer";
    if (!isSystem && m.role !== "user" && m.role !== "assistant")
      throw badRequest(`${param}.role: only "system", "user" and "assistant" messages are taken, got "${m.role}"`, `${param}.role`, "invalid_value");
    if (isSystem && turns.length > 0)
      throw badRequest(
        `${param}.role: a ${m.role} message must come before the conversation's user and assistant turns (the template has one system turn, first)`,
        `${param}.role`,
        "invalid_value",
      );
    const texts: string[] = [];
    for (const [j, part] of (typeof m.content === "string" ? [{ type: "text", text: m.content }] : (m.content ?? [])).entries()) {
      const p = part as { type: string; text?: unknown; video_url?: { url?: unknown }; image_url?: { url?: unknown } };
      const pp = `${param}.content[${j}]`;
      if (p.type === "text" && typeof p.text === "string") texts.push(p.text);
      else if (p.type === "video_url" || p.type === "image_url") {
        const url = p.type === "video_url" ? p.video_url?.url : p.image_url?.url;
        if (m.role !== "user" || typeof url !== "string" || !url)
          throw badRequest(`${pp}: a ${p.type} part belongs in a user message and needs ${p.type}.url`, pp, "invalid_value");
        urls.set(url, p.type === "video_url" ? "video" : "image");
      } else throw badRequest(`${pp}: unsupported content part "${p.type}" (text, video_url and image_url are supported)`, pp, "unsupported_content");
    }
    if (isSystem) system.push(texts.join("\n"));
    else turns.push({ role: m.role as ChatTurn["role"], content: texts.join("\n") });
  });
  if (turns.length === 0) throw badRequest("the messages hold no user turn: the last message must be the user's question", "messages", "invalid_value");
  if (urls.size > 1) throw badRequest(`one video or image per conversation; these messages name ${urls.size}`, "messages", "too_many_videos");
  const last = turns[turns.length - 1];
  if (last.role !== "user") throw badRequest("the last message must be the user's question", "messages", "invalid_value");
  if (!last.content.trim()) throw badRequest("the last user message has no question text", "messages", "missing_question");
  const options: AskOptions = {
    maxNewTokens: b.max_completion_tokens ?? b.max_tokens ?? undefined,
    temperature: b.temperature ?? undefined,
    topP: b.top_p ?? undefined,
    seed: b.seed ?? undefined,
    ...(system.length ? { system: system.join("\n") } : {}),
  };
  try {
    checkAskOptions(options);
  } catch (e) {
    throw badRequest((e as Error).message, null, "invalid_value");
  }
  const [first] = urls;
  return {
    ...(first ? { media: { url: first[0], kind: first[1] } } : {}),
    turns,
    options,
    stream: b.stream === true,
    includeUsage: b.stream_options?.include_usage === true,
  };
}
