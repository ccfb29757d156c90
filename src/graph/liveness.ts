// Which nodes a set of tensors needs. Autodiff drops the rest of its backward (a rule builds the gradients of
// all its inputs, so a frozen weight's gradient would otherwise be built and thrown away), and tests check
// that a graph holds no dead work.
import type { Graph, Node, Tensor } from "./graph.ts";

function within(inner: Graph, outer: Graph): boolean {
  for (let g: Graph | undefined = inner; g; g = g.parent) if (g === outer) return true;
  return false;
}

/** Tensors a subgraph (a Loop body) reads from enclosing graphs, by id rather than as node inputs. */
function outerReads(sub: Graph, out: Tensor[]): void {
  for (const n of sub.nodes) {
    for (const i of n.inputs) if (i && !within(i.graph, sub)) out.push(i);
    for (const a of Object.values(n.attrs)) if (a.kind === "graph") outerReads(a.value, out);
  }
  for (const o of sub.outputs) if (!within(o.tensor.graph, sub)) out.push(o.tensor);
}

export function neededNodes(g: Graph, roots: readonly Tensor[]): Set<Node> {
  const seen = new Set<number>();
  const nodes = new Set<Node>();
  const stack = [...roots];
  while (stack.length) {
    const t = stack.pop()!;
    if (seen.has(t.id)) continue;
    seen.add(t.id);
    const n = t.producer;
    if (!n || nodes.has(n)) continue;
    nodes.add(n);
    for (const i of n.inputs) if (i) stack.push(i);
    for (const a of Object.values(n.attrs)) if (a.kind === "graph") outerReads(a.value, stack);
  }
  // Only this graph's own nodes: a body's nodes belong to its Loop.
  for (const n of nodes) if (n.outputs[0] && n.outputs[0].graph !== g) nodes.delete(n);
  return nodes;
}

/** Nodes of g that no graph output needs. */
export function deadNodes(g: Graph): Node[] {
  const live = neededNodes(
    g,
    g.outputs.map((o) => o.tensor),
  );
  return g.nodes.filter((n) => !live.has(n));
}
