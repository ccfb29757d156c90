// Asks for JSON and insists on it: the reply is parsed and checked against a zod schema; on failure the
// bad reply and the reason go back to the model and it tries again, up to `maxAttempts` replies.
import type { z } from "zod";
import type { Stage } from "./config.ts";
import type { ChatMessage, LlmClient } from "./llm.ts";
import { extractJson } from "./json-reply.ts";

export interface AskOptions {
  maxAttempts: number;
  /** Names the step in errors, e.g. "video abc: event-02". */
  label: string;
}

function issueText(e: z.ZodError): string {
  return e.issues
    .slice(0, 8)
    .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
}

export async function askJson<T>(llm: LlmClient, stage: Stage, messages: readonly ChatMessage[], schema: z.ZodType<T>, o: AskOptions): Promise<T> {
  const convo: ChatMessage[] = [...messages];
  let last = "";
  for (let attempt = 1; attempt <= o.maxAttempts; attempt++) {
    const reply = await llm.complete(stage, convo);
    let problem: string;
    try {
      const r = schema.safeParse(extractJson(reply));
      if (r.success) return r.data;
      problem = `the JSON does not match the required format: ${issueText(r.error)}`;
    } catch (e) {
      problem = (e as Error).message;
    }
    last = problem;
    convo.push(
      { role: "assistant", content: reply },
      { role: "user", content: `Your reply could not be used (${problem}). Reply again with only the corrected JSON, in the format asked for above.` },
    );
  }
  throw new Error(`${o.label}: no valid reply after ${o.maxAttempts} attempt${o.maxAttempts === 1 ? "" : "s"}; last problem: ${last}`);
}
