// config.json of an Hour-LLaVA model folder: the Qwen2 LLM fields, the Hour-LLaVA multimodal fields
// (notes §5.10) and the vision tower, either explicit (`vision_config`, our own tiny models) or derived
// from the known `mm_vision_tower` name. Unknown fields are kept: Hugging Face configs carry many.
import { z } from "zod";

const posInt = z.int().positive();

/** HF SiglipVisionConfig fields. `num_hidden_layers` counts the full tower; Hour-LLaVA drops the last layer. */
const visionConfigSchema = z
  .object({
    hidden_size: posInt,
    intermediate_size: posInt,
    num_hidden_layers: z.int().min(2),
    num_attention_heads: posInt,
    patch_size: posInt,
    image_size: posInt,
    layer_norm_eps: z.number().positive(),
    num_channels: posInt.default(3),
    hidden_act: z.enum(["gelu_pytorch_tanh", "gelu"]).default("gelu_pytorch_tanh"),
  })
  .loose();

const pinpointsSchema = z.union([z.array(z.tuple([posInt, posInt])), z.string()]);

export const hourLlavaConfigSchema = z
  .object({
    // Qwen2 decoder. The q/k/v projections of Qwen2 always carry a bias; there is no field for it.
    hidden_size: posInt,
    intermediate_size: posInt,
    num_hidden_layers: posInt,
    num_attention_heads: posInt,
    num_key_value_heads: posInt,
    vocab_size: posInt,
    rms_norm_eps: z.number().positive(),
    rope_theta: z.number().positive(),
    max_position_embeddings: posInt.default(32768),
    tie_word_embeddings: z.boolean().default(false),
    hidden_act: z.literal("silu").default("silu"),
    bos_token_id: z.int().min(0).nullable().default(null),
    eos_token_id: z
      .union([z.int().min(0), z.array(z.int().min(0))])
      .nullable()
      .default(null),
    head_dim: posInt.optional(),
    use_sliding_window: z.literal(false).optional(),
    // Hour-LLaVA
    model_type: z.literal("hour_llava_qwen"),
    mm_vision_tower: z.string().min(1),
    mm_projector_type: z.literal("mlp2x_gelu"),
    mm_resampler_type: z.literal("memaug"),
    memaug_depth: posInt.default(4),
    spatial_sampling_type: z.enum(["random", "uniform"]).default("random"),
    mm_newline_position: z.enum(["grid", "frame", "one_token", "no_token"]).default("grid"),
    mm_patch_merge_type: z
      .string()
      .regex(/^(flat|spatial|unires)/)
      .default("spatial_unpad"),
    mm_spatial_pool_mode: z.enum(["bilinear", "average", "max"]).default("bilinear"),
    mm_spatial_pool_stride: posInt.nullable().default(null),
    mm_vision_select_layer: z.int().default(-2),
    mm_vision_select_feature: z.enum(["patch", "cls_patch"]).default("patch"),
    mm_hidden_size: posInt.optional(),
    mm_use_im_start_end: z.boolean().default(false),
    mm_use_im_patch_token: z.boolean().default(false),
    image_aspect_ratio: z.string().min(1).default("anyres_max_9"),
    image_grid_pinpoints: pinpointsSchema.nullable().optional(),
    tokenizer_model_max_length: posInt.default(32768),
    tokenizer_padding_side: z.enum(["right", "left"]).default("right"),
    add_time_instruction: z.boolean().optional(),
    use_pos_skipping: z.boolean().default(false),
    add_faster_video: z.boolean().default(false),
    vision_config: visionConfigSchema.optional(),
  })
  .loose();

export type RawHourLlavaConfig = z.output<typeof hourLlavaConfigSchema>;

/** The vision tower as the model uses it. */
export interface VisionConfig {
  /** `mm_vision_tower`, e.g. "google/siglip-so400m-patch14-384". */
  name: string;
  hidden_size: number;
  intermediate_size: number;
  /** Layers of the full HF tower (27 for so400m). */
  num_hidden_layers: number;
  /** Layers Hour-LLaVA keeps and the checkpoint holds: the last one is deleted (26 for so400m). */
  num_layers_used: number;
  num_attention_heads: number;
  head_dim: number;
  patch_size: number;
  image_size: number;
  /** Patches per side: floor(image_size / patch_size), as the stride-`patch_size` conv gives (27 for so400m). */
  grid_size: number;
  num_patches: number;
  layer_norm_eps: number;
  num_channels: number;
  hidden_act: "gelu_pytorch_tanh" | "gelu";
}

export type HourLlavaConfig = RawHourLlavaConfig & {
  vision: VisionConfig;
  /** hidden_size / num_attention_heads (or an explicit `head_dim`). */
  headDim: number;
};

type VisionFields = Omit<VisionConfig, "name" | "num_layers_used" | "head_dim" | "grid_size" | "num_patches">;

/** Towers whose architecture is fixed by their name (official checkpoints only name the tower). */
export const KNOWN_VISION_TOWERS: Record<string, VisionFields> = {
  "google/siglip-so400m-patch14-384": {
    hidden_size: 1152,
    intermediate_size: 4304,
    num_hidden_layers: 27,
    num_attention_heads: 16,
    patch_size: 14,
    image_size: 384,
    layer_norm_eps: 1e-6,
    num_channels: 3,
    hidden_act: "gelu_pytorch_tanh",
  },
};

function knownTower(name: string): VisionFields | undefined {
  if (KNOWN_VISION_TOWERS[name]) return KNOWN_VISION_TOWERS[name];
  // Training scripts often point at a local copy: match on the last path component.
  const base = name.replace(/\/+$/, "").split("/").pop();
  for (const [k, v] of Object.entries(KNOWN_VISION_TOWERS)) if (k.split("/").pop() === base) return v;
  return undefined;
}

function valueAt(json: unknown, path: PropertyKey[]): unknown {
  let v: unknown = json;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

const TYPE_WORDS: Record<string, string> = {
  int: "an integer",
  number: "a number",
  boolean: "true or false",
  string: "a string",
  array: "a list",
  object: "an object",
  tuple: "a list",
};

type SchemaNode = { _zod: { def: { innerType?: SchemaNode; shape?: Record<string, SchemaNode> } }; isInt?: boolean };

/** Whether the schema at `path` is an integer (zod reports a string given for an int as "expected number"). */
function isIntField(path: PropertyKey[]): boolean {
  let s = hourLlavaConfigSchema as unknown as SchemaNode | undefined;
  const unwrap = () => {
    while (s?._zod.def.innerType) s = s._zod.def.innerType;
  };
  for (const k of path) {
    unwrap();
    s = s?._zod.def.shape?.[String(k)];
  }
  unwrap();
  return s?.isInt === true;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.expected === "number" && isIntField(issue.path)) return "must be an integer";
      return `must be ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
    case "invalid_value":
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      if (issue.origin === "string") return "must not be empty";
      return `must be ${issue.inclusive ? ">=" : ">"} ${issue.minimum}`;
    case "too_big":
      return `must be ${issue.inclusive ? "<=" : "<"} ${issue.maximum}`;
    case "invalid_format":
      return issue.format === "regex" && "pattern" in issue ? `must match ${issue.pattern}` : `must be a valid ${issue.format}`;
    case "invalid_union":
      return "has the wrong form";
    default:
      return issue.message;
  }
}

/**
 * Validates a parsed config.json. `source` names it in errors (usually its path). Throws one line listing
 * every missing required field and every field with a wrong type or value (with the value found).
 */
export function parseHourLlavaConfig(json: unknown, source: string): HourLlavaConfig {
  if (json === null || typeof json !== "object" || Array.isArray(json))
    throw new Error(`${source}: config must be a JSON object, got ${json === null ? "null" : Array.isArray(json) ? "a list" : typeof json}`);
  const r = hourLlavaConfigSchema.safeParse(json);
  if (!r.success) {
    const missing: string[] = [];
    const wrong: string[] = [];
    for (const issue of r.error.issues) {
      const path = issue.path.map(String).join(".");
      const value = valueAt(json, issue.path);
      if (value === undefined && issue.code === "invalid_type") missing.push(`"${path}"`);
      else wrong.push(`field "${path}" ${describeIssue(issue)}, got ${JSON.stringify(value)}`);
    }
    const parts = [...(missing.length ? [`missing required field${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`] : []), ...wrong];
    throw new Error(`${source}: ${parts.join("; ")}`);
  }
  const c = r.data;
  const fail = (msg: string): never => {
    throw new Error(`${source}: ${msg}`);
  };

  if (c.hidden_size % c.num_attention_heads !== 0 && c.head_dim === undefined)
    fail(`field "hidden_size" ${c.hidden_size} is not divisible by num_attention_heads ${c.num_attention_heads}`);
  const headDim = c.head_dim ?? c.hidden_size / c.num_attention_heads;
  if (headDim * c.num_attention_heads !== c.hidden_size)
    fail(`field "head_dim" ${headDim} × num_attention_heads ${c.num_attention_heads} != hidden_size ${c.hidden_size}`);
  if (c.num_attention_heads % c.num_key_value_heads !== 0)
    fail(`field "num_key_value_heads" ${c.num_key_value_heads} does not divide num_attention_heads ${c.num_attention_heads}`);
  if (headDim % 4 !== 0)
    fail(`head dim ${headDim} (hidden_size / num_attention_heads) must be divisible by 4: MemAug rotates the first head_dim/2 dims in pairs`);

  let fields: VisionFields;
  if (c.vision_config) fields = c.vision_config;
  else {
    const known = knownTower(c.mm_vision_tower);
    if (!known)
      fail(
        `field "mm_vision_tower" ${JSON.stringify(c.mm_vision_tower)} is not a known vision tower (${Object.keys(KNOWN_VISION_TOWERS).join(", ")}) and there is no "vision_config": add a vision_config object (hidden_size, intermediate_size, num_hidden_layers, num_attention_heads, patch_size, image_size, layer_norm_eps)`,
      );
    fields = known!;
  }
  if (fields.hidden_size % fields.num_attention_heads !== 0)
    fail(`field "vision_config.hidden_size" ${fields.hidden_size} is not divisible by vision_config.num_attention_heads ${fields.num_attention_heads}`);
  if (fields.patch_size > fields.image_size) fail(`field "vision_config.patch_size" ${fields.patch_size} is larger than image_size ${fields.image_size}`);
  if (c.mm_hidden_size !== undefined && c.mm_hidden_size !== fields.hidden_size)
    fail(`field "mm_hidden_size" ${c.mm_hidden_size} does not match the vision tower's hidden_size ${fields.hidden_size}`);
  const grid = Math.floor(fields.image_size / fields.patch_size);
  const vision: VisionConfig = {
    name: c.mm_vision_tower,
    hidden_size: fields.hidden_size,
    intermediate_size: fields.intermediate_size,
    num_hidden_layers: fields.num_hidden_layers,
    num_layers_used: fields.num_hidden_layers - 1,
    num_attention_heads: fields.num_attention_heads,
    head_dim: fields.hidden_size / fields.num_attention_heads,
    patch_size: fields.patch_size,
    image_size: fields.image_size,
    grid_size: grid,
    num_patches: grid * grid,
    layer_norm_eps: fields.layer_norm_eps,
    num_channels: fields.num_channels,
    hidden_act: fields.hidden_act,
  };
  return { ...c, vision, headDim };
}
