// The package's public API (`import { HourLlavaApp } from "hourllava"`): the app for asking about videos, plus the
// pieces for callers who drive the model themselves. Lean on purpose: the server (`hourllava/serve`) and the CLI
// (`hourllava/cli`) are subpath exports, so importing the library loads no fastify, bullmq, ioredis or openai.
export { HourLlavaApp, Chat } from "./app/app.ts";
export type { AppOptions, AskOptions, VideoMemory, Answer, AnswerTimings } from "./app/app.ts";
export type { LiveMemory, LiveOptions, LiveStatus, LiveSeen, LiveGap } from "./app/live.ts";
export { DEFAULT_MODEL_DIR } from "./app/default-model.ts";
export { loadHourLlava } from "./model/load/load.ts";
export type { HourLlava, Memory } from "./model/arch/hourllava.ts";
export { answer, answerSettings, streamAnswer } from "./model/generate/answer.ts";
export type { AnswerSettings, AnswerVideo } from "./model/generate/answer.ts";
export { loadTokenizer } from "./io/tokenizer.ts";
export type { TextTokenizer } from "./io/tokenizer.ts";
export { readGenerationConfig, endTokenIds } from "./io/generation-config.ts";
export { tokenizeConversation, renderConversation } from "./io/chat-template.ts";
export type { ChatTurnInput } from "./io/chat-template.ts";
