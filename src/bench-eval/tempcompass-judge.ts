// TempCompass's LLM judge as lmms-eval runs it: lmms_eval/tasks/tempcompass/utils.py at lmms-eval commit
// 75571cfe0fa36ca5ec2e6aa2bb268f9d38295af3. The prompt strings below are facts of that file, byte for byte (Python's
// triple-quoted strings with their indentation, and the backslash line continuations that join a line's end to the
// next line's indentation). Where it is used:
//  - tempcompass_process_results_{multi_choice,yes_no,caption_matching}: only when the task's hand-made rule cannot
//    read the answer (match_success False); the judge's output then gives the rating (llm_output_to_rating), asked
//    again up to 10 more times while it contains neither "Correct" nor "Incorrect" (get_eval_result, maxtry=10),
//    after which the rating is 0 with the last output kept as chatgpt_response;
//  - tempcompass_process_results_captioning: always; the judge answers the video's multi-choice question from the
//    model's caption, and parse_llm_output_for_captioning compares its letter with mc_answer (rating 1, 0, or -1 for
//    an empty output). One request (a request that fails with an HTTP error is retried there, and here by judge.ts).
// Both send get_llm_output's body: the system message below, max_tokens 128, temperature 1.0, top_p 1,
// presence_penalty 1 (judge.ts), to the model lmms-eval hard-codes (gpt-3.5-turbo-1106; here --judge-model).
import { pyStrip } from "./answer-parse.ts";

/** get_llm_output's default sys_prompt (and get_llm_output_for_captioning's system message). */
export const JUDGE_SYSTEM = "You are an AI assistant for question answering.";

/** get_eval_result's maxtry: 1 request and 10 more while the output cannot be read. */
export const FALLBACK_TRIES = 11;

export type RuleTask = "multi-choice" | "yes_no" | "caption_matching";

/** The three base_prompt strings of the rule fallbacks differ only in what kind of question they name. */
const FALLBACK_KIND: Record<RuleTask, { what: string; header: string }> = {
  "multi-choice": { what: "a multi-choice question", header: "Multi-Choice Question" },
  yes_no: { what: "a Yes/No question", header: "Yes/No Question" },
  caption_matching: { what: "a caption matching question", header: "Caption Matching Question" },
};

/** base_prompt of tempcompass_process_results_<task>: a triple-quoted string opening with a newline, its lines
 * indented 8 spaces, the first two ending in " \" (so "model. " runs into the next line's 8 spaces), closing on a line
 * of 8 spaces. */
function fallbackBase(task: RuleTask): string {
  return (
    "\n" +
    `        You will receive ${FALLBACK_KIND[task].what}, the ground-truth answer and the prediction from a question answering (QA) model. ` +
    "        Your task is to determine whether QA model prediction is correct, based on the question and ground-truth answer. " +
    '        If the prediction is correct, respond "Correct". If the prediction is incorrect, respond "Incorrect".\n' +
    "        "
  );
}

/** The fallback judge prompt: f"{base_prompt}\n<Header>:\n{question}\nGround-Truth Answer: {answer}\nModel Prediction: {pred}". */
export function fallbackPrompt(task: RuleTask, question: string, answer: string, pred: string): string {
  return `${fallbackBase(task)}\n${FALLBACK_KIND[task].header}:\n${question}\nGround-Truth Answer: ${answer}\nModel Prediction: ${pred}`;
}

/** llm_output_to_rating; undefined where its assert fails (neither "Correct" nor "Incorrect": asked again). */
export function fallbackRating(output: string): 0 | 1 | undefined {
  if (!output.includes("Correct") && !output.includes("Incorrect")) return undefined;
  if (output.startsWith("Correct")) return 1;
  if (output.startsWith("Incorrect")) return 0;
  if (output.includes("Correct") && !output.includes("Incorrect")) return 1;
  return 0;
}

/** caption_evaluation_prompt of tempcompass_process_results_captioning: a triple-quoted string opening with a
 * newline, its lines indented 4 spaces (blank lines empty), the first two ending in " \", closing on a line of 4
 * spaces. The examples' spelling ("palying", "backwark", "coices") is the source's. */
const CAPTION_EVALUATION_PROMPT =
  "\n" +
  "    You will receive a video description and a multi-choice question. Your task is to choose the correct answer and briefly explain the reason why you choose the answer. " +
  '    If none of the choice candidates are correct or the video description lacks enough information to answer the question, just answer "None of the choices are correct". ' +
  [
    "    Please organize your response in this format:",
    "    ```",
    "    Reasoning: [Your reason to obtain the answer]",
    "    Answer: [Your answer]",
    "    ```",
    "",
    "    Here are some examples of video description, multi-choice question and the expected answer:",
    "    ```",
    "    Video Description: A person is palying football.",
    "    Multi-Choice Question:",
    "    What is the person doing in the video?",
    "    A. cooking",
    "    B. palying football",
    "    C. playing basketball",
    "    D. reading book",
    "    Reasoning: The video description mentions that the person is playing football.",
    "    Answer: B. palying football",
    "",
    "    Video Description: A bird is flying clockwise.",
    "    Multi-Choice Question:",
    "    In which direction is the bird flying?",
    "    A. backwark",
    "    B. counter-clockwise",
    "    C. clockwise",
    "    D. downward",
    "    Reasoning: The video description mentions that the bird is flying clockwise",
    "    Answer: C. clockwise",
    "",
    "    Video Description: An air balloon is inflating.",
    "    Multi-Choice Question:",
    "    What is happening to the air balloon?",
    "    A. exploding",
    "    B. getting smaller",
    "    C. flying",
    "    Reasoning: The video description mentions that the air balloon is inflating, while none of the coices can be explained as inflating.",
    "    Answer: None of the choices are correct",
    "    ```",
    "    ",
  ].join("\n");

/** The captioning judge prompt: f"{caption_evaluation_prompt}\nVideo Description:{pred}\nMulti-Choice Question:\n{mc_question}\nAnswer:". */
export function captioningPrompt(pred: string, mcQuestion: string): string {
  return `${CAPTION_EVALUATION_PROMPT}\nVideo Description:${pred}\nMulti-Choice Question:\n${mcQuestion}\nAnswer:`;
}

export interface CaptioningVerdict {
  rating: -1 | 0 | 1;
  "chatgpt-answer": string | null;
  "chatgpt-reasoning": string | null;
}

/** Python's str.replace (every occurrence). */
const replaceAll = (s: string, a: string, b: string) => s.split(a).join(b);

/** parse_llm_output_for_captioning(llm_output, gt_answer=mc_answer). The output is already strip()ped (get_llm_output_for_captioning);
 * "invalid_request_error" is what lmms-eval puts there for an API error of that type. */
export function parseCaptioningOutput(output: string, mcAnswer: string): CaptioningVerdict {
  if (output === "invalid_request_error" || !output) return { rating: -1, "chatgpt-answer": null, "chatgpt-reasoning": null };
  let reasoning: string | undefined;
  let answer: string | undefined;
  for (const raw of output.split("\n")) {
    const line = pyStrip(raw);
    if (line.includes("Reasoning")) reasoning = pyStrip(replaceAll(line, "Reasoning:", ""));
    if (line.includes("Answer")) answer = pyStrip(replaceAll(line, "Answer:", ""));
  }
  const chatgptAnswer = answer ?? output;
  // str.count of "A.", "B.", "C.", "D." (non-overlapping; these two-character patterns cannot overlap themselves).
  const answerCounts = ["A.", "B.", "C.", "D."].reduce((n, p) => n + chatgptAnswer.split(p).length - 1, 0);
  const rating = chatgptAnswer.split(". ")[0] === mcAnswer.split(". ")[0] && answerCounts === 1 ? 1 : 0;
  return { rating, "chatgpt-answer": chatgptAnswer, "chatgpt-reasoning": reasoning ?? null };
}
