// Which execution provider ORT gave each node, read from its verbose log (RuntimeOptions.verboseLog): the one
// place a GPU run says which work silently stayed on the CPU.

export interface ProviderShare {
  /** "WebGpuExecutionProvider", "CPUExecutionProvider", … */
  provider: string;
  nodes: number;
  /** Node count per op type (empty when ORT says only "All nodes placed on"). */
  ops: Record<string, number>;
}

/** One session's placements, in the order ORT built the sessions. */
export type SessionPlacement = ProviderShare[];

const START = /VerifyEachNodeIsAssignedToAnEp\] Node placements/;
const SHARE = /VerifyEachNodeIsAssignedToAnEp\]\s+(?:All nodes|Node\(s\)) placed on \[(\w+)\]\. Number of nodes: (\d+)/;
const NODE = /VerifyEachNodeIsAssignedToAnEp\]\s{2,}(\w+) \(/;

export function parsePlacements(log: string): SessionPlacement[] {
  const sessions: SessionPlacement[] = [];
  let share: ProviderShare | undefined;
  for (const line of log.split("\n")) {
    if (START.test(line)) {
      sessions.push([]);
      share = undefined;
      continue;
    }
    const s = SHARE.exec(line);
    if (s && sessions.length) {
      share = { provider: s[1], nodes: Number(s[2]), ops: {} };
      sessions[sessions.length - 1].push(share);
      continue;
    }
    const n = NODE.exec(line);
    if (n && share) share.ops[n[1]] = (share.ops[n[1]] ?? 0) + 1;
  }
  return sessions;
}

/** The ops ORT keeps on the CPU on purpose: shape arithmetic on small int64 tensors, which a GPU would only
 * slow down with transfers (the same op types on floats run on the GPU provider; ORT moves only the ones that
 * compute shapes). Anything else left on the CPU is real compute that missed the GPU. */
export const SHAPE_OPS = new Set([
  "Shape",
  "Size",
  "Slice",
  "Squeeze",
  "Unsqueeze",
  "Concat",
  "Gather",
  "ReduceProd",
  "ConstantOfShape",
  "Range",
  "Less",
  "Equal",
  "Cast",
  "Add",
  "Sub",
  "Mul",
  "Div",
  "Reshape",
  "Max",
  "Min",
  "Identity",
]);

/** Control flow ORT always runs on the CPU: the node itself; its body is partitioned like any graph. */
export const CONTROL_OPS = new Set(["Loop", "If", "Scan"]);

/** CPU nodes of a session whose op is neither shape arithmetic nor control flow (`control: true`: only the
 * control-flow ones), by op type. */
export function computeLeftOnCpu(s: SessionPlacement, control = false): Record<string, number> {
  const out: Record<string, number> = {};
  for (const share of s) {
    if (share.provider !== "CPUExecutionProvider") continue;
    for (const [op, n] of Object.entries(share.ops)) {
      const keep = control ? CONTROL_OPS.has(op) : !SHAPE_OPS.has(op) && !CONTROL_OPS.has(op);
      if (keep) out[op] = (out[op] ?? 0) + n;
    }
  }
  return out;
}
