// The lmms-eval revision whose task code the benchmark prompts, generation lengths and answer rules follow, and
// the prompt presets (`lmms_eval_specific_kwargs`) one can pick. Both are recorded in run.json and results.json.

/** EvolvingLMMs-Lab/lmms-eval commit followed (2026-08-06, "[Model] Add Neo-OV model support…", #1403). */
export const LMMS_EVAL_COMMIT = "75571cfe0fa36ca5ec2e6aa2bb268f9d38295af3";

/** lmms-eval picks a task's preset by the model's name, else `default`. `llava_vid` is the LLaVA-Video family
 * Hour-LLaVA belongs to; among the five tasks only Video-MME has a `llava_vid` preset, so the others use
 * `default` under either name, as lmms-eval does. */
export const PROMPT_PRESETS = ["llava_vid", "default"] as const;
export type PromptPreset = (typeof PROMPT_PRESETS)[number];
export const DEFAULT_PROMPT_PRESET: PromptPreset = "llava_vid";

export function parsePromptPreset(s: string): PromptPreset {
  if (!(PROMPT_PRESETS as readonly string[]).includes(s)) throw new Error(`--prompt-preset must be ${PROMPT_PRESETS.join(" | ")}, got "${s}"`);
  return s as PromptPreset;
}
