// A chat-completions body checked and turned into what the answer path takes: one video or one image (from the
// messages' video_url or image_url parts), the conversation's user/assistant turns as plain text, and the sampling
// options.
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
  /** What the conversation is about: a video_url part's url, or an image_url part's. */
  media: { kind: MediaKind; url: string };
  turns: ChatTurn[];
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
  const turns: ChatTurn[] = b.messages.map((m, i) => {
    const param = `messages[${i}]`;
    if (m.role !== "user" && m.role !== "assistant")
      throw badRequest(
        `${param}.role: only "user" and "assistant" turns are taken (the model's chat template has a fixed system prompt), got "${m.role}"`,
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
    return { role: m.role, content: texts.join("\n") };
  });
  if (urls.size === 0)
    throw badRequest(
      'no video or image: put a {"type":"video_url","video_url":{"url":…}} or {"type":"image_url","image_url":{"url":…}} part in a user message',
      "messages",
      "missing_video",
    );
  if (urls.size > 1) throw badRequest(`one video or image per conversation; these messages name ${urls.size}`, "messages", "too_many_videos");
  const last = turns[turns.length - 1];
  if (last.role !== "user") throw badRequest("the last message must be the user's question", "messages", "invalid_value");
  if (!last.content.trim()) throw badRequest("the last user message has no question text", "messages", "missing_question");
  const options: AskOptions = {
    maxNewTokens: b.max_completion_tokens ?? b.max_tokens ?? undefined,
    temperature: b.temperature ?? undefined,
    topP: b.top_p ?? undefined,
    seed: b.seed ?? undefined,
  };
  try {
    checkAskOptions(options);
  } catch (e) {
    throw badRequest((e as Error).message, null, "invalid_value");
  }
  const [url, kind] = [...urls][0];
  return { media: { kind, url }, turns, options, stream: b.stream === true, includeUsage: b.stream_options?.include_usage === true };
}
