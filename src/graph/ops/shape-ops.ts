// Shape and indexing ONNX ops: reshape, transpose, slice, concat, gather, scatter, expand, split, pad.
import type { DType } from "../dtype.ts";
import type { Tensor } from "../graph.ts";
import { attr } from "../graph.ts";
import type { Dim } from "../shape.ts";
import { broadcastShapes, dimsConflict, fmtShape, mulDims, normAxis, numel, ShapeError } from "../shape.ts";

let fresh = 0;
const freshDim = (hint: string): string => `${hint}#${++fresh}`;

/** Runtime shape of x as an int64 vector. */
export function shapeOf(x: Tensor): Tensor {
  return x.graph.addNode("Shape", [x], {}, [{ dtype: "int64", shape: [x.rank] }])[0];
}

/** Runtime size of one axis as an int64 vector of length 1. */
export function dimOf(x: Tensor, axis: number): Tensor {
  const a = normAxis("dimOf", axis, x.rank);
  if (typeof x.shape[a] === "number") return x.graph.ints([x.shape[a] as number]);
  return x.graph.addNode("Shape", [x], { start: attr.int(a), end: attr.int(a + 1) }, [{ dtype: "int64", shape: [1] }])[0];
}

/** Reshape to dims given as numbers, -1 (inferred), or names of x's symbolic dims (products "A*B" allowed). */
export function reshape(x: Tensor, target: Dim[]): Tensor {
  const g = x.graph;
  if (target.filter((d) => d === -1).length > 1) throw new ShapeError("Reshape", `more than one -1 in ${fmtShape(target)}`);
  const needsDynamic = target.some((d, i) => typeof d === "string" && x.shape[i] !== d);
  let shapeT: Tensor;
  if (!needsDynamic) {
    shapeT = g.ints(target.map((d, i) => (typeof d === "number" ? d : x.shape[i] === d ? 0 : -1)));
  } else {
    const parts = target.map((d) => {
      if (typeof d === "number") return g.ints([d]);
      const factors = d.split("*");
      let acc: Tensor | undefined;
      for (const f of factors) {
        const j = x.shape.indexOf(f);
        if (j < 0) throw new ShapeError("Reshape", `target dim "${f}" is not a dim of input ${fmtShape(x.shape)}`);
        const v = dimOf(x, j);
        acc = acc ? g.addNode("Mul", [acc, v], {}, [{ dtype: "int64", shape: [1] }])[0] : v;
      }
      return acc!;
    });
    shapeT = concat(parts, 0);
  }
  // Output dims: resolve -1 from what is known.
  const inN = numel(x.shape);
  const rest = target.filter((d) => d !== -1);
  let inferred: Dim = freshDim("r");
  if (inN !== undefined && rest.every((d) => typeof d === "number")) {
    const p = (rest as number[]).reduce((a, b) => a * b, 1);
    if (inN % p !== 0 || (!target.includes(-1) && p !== inN)) {
      throw new ShapeError("Reshape", `cannot reshape ${fmtShape(x.shape)} (${inN} elements) to ${fmtShape(target)}`);
    }
    inferred = inN / p;
  } else {
    const remaining = [...x.shape];
    let ok = true;
    for (const d of rest) {
      const k = remaining.indexOf(d);
      if (k >= 0) remaining.splice(k, 1);
      else if (typeof d === "string" && d.includes("*")) {
        for (const f of d.split("*")) {
          const kk = remaining.indexOf(f);
          if (kk >= 0) remaining.splice(kk, 1);
          else ok = false;
        }
      } else ok = false;
    }
    if (ok) inferred = mulDims(remaining);
  }
  if (inN !== undefined && !target.includes(-1) && target.every((d) => typeof d === "number")) {
    const outN = numel(target)!;
    if (outN !== inN) throw new ShapeError("Reshape", `cannot reshape ${fmtShape(x.shape)} (${inN} elements) to ${fmtShape(target)}`);
  }
  const shape = target.map((d) => (d === -1 ? inferred : d));
  return g.addNode("Reshape", [x, shapeT], {}, [{ dtype: x.dtype, shape }])[0];
}

/** Reshape to a shape known only at run time (e.g. the shape of another tensor). */
export function reshapeTo(x: Tensor, shapeT: Tensor, shape: Dim[]): Tensor {
  return x.graph.addNode("Reshape", [x, shapeT], {}, [{ dtype: x.dtype, shape: [...shape] }])[0];
}

export function transpose(x: Tensor, perm: number[]): Tensor {
  if (perm.length !== x.rank || [...perm].sort().some((p, i) => p !== i)) {
    throw new ShapeError("Transpose", `perm [${perm}] does not fit ${fmtShape(x.shape)}`);
  }
  return x.graph.addNode("Transpose", [x], { perm: attr.ints(perm) }, [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }])[0];
}

/** Swap the last two axes. */
export function transposeLast(x: Tensor): Tensor {
  const perm = x.shape.map((_, i) => i);
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return transpose(x, perm);
}

/** x[start:end:step] along one axis; end = Infinity means to the end. */
export function slice(x: Tensor, axis: number, start: number, end = Infinity, step = 1): Tensor {
  const a = normAxis("Slice", axis, x.rank);
  const d = x.shape[a];
  let outDim: Dim;
  if (typeof d === "number") {
    const s = Math.max(0, start < 0 ? d + start : Math.min(start, d));
    const e = end === Infinity ? d : Math.max(0, end < 0 ? d + end : Math.min(end, d));
    outDim = Math.max(0, Math.ceil((e - s) / step));
  } else if (start >= 0 && end !== Infinity && end >= 0) {
    outDim = Math.ceil((end - start) / step);
  } else if (start === 0 && end === Infinity && step === 1) {
    outDim = d;
  } else outDim = freshDim(`${d}s`);
  const big = 2 ** 62;
  const g = x.graph;
  const ins = [x, g.ints([start]), g.ints([end === Infinity ? big : end]), g.ints([a]), g.ints([step])];
  const shape = [...x.shape];
  shape[a] = outDim;
  return g.addNode("Slice", ins, {}, [{ dtype: x.dtype, shape }])[0];
}

/** Slice with run-time starts/ends (int64 vectors, one per axis). */
export function sliceDynamic(x: Tensor, starts: Tensor, ends: Tensor, axes: number[], shape: Dim[]): Tensor {
  const g = x.graph;
  return g.addNode("Slice", [x, starts, ends, g.ints(axes)], {}, [{ dtype: x.dtype, shape: [...shape] }])[0];
}

export function concat(xs: Tensor[], axis: number): Tensor {
  if (xs.length === 0) throw new ShapeError("Concat", "no inputs");
  const rank = xs[0].rank;
  const a = normAxis("Concat", axis, rank);
  for (const t of xs) {
    if (t.rank !== rank || t.dtype !== xs[0].dtype) {
      throw new ShapeError("Concat", `inputs differ: ${xs.map((t) => t.dtype + fmtShape(t.shape)).join(", ")}`);
    }
    for (let i = 0; i < rank; i++) {
      if (i !== a && dimsConflict(t.shape[i], xs[0].shape[i])) {
        throw new ShapeError("Concat", `inputs differ off axis ${a}: ${xs.map((t) => fmtShape(t.shape)).join(", ")}`);
      }
    }
  }
  const shape = [...xs[0].shape];
  const along = xs.map((t) => t.shape[a]);
  shape[a] = along.every((d) => typeof d === "number")
    ? (along as number[]).reduce((p, q) => p + q, 0)
    : along
        .filter((d) => d !== 0)
        .map(String)
        .join("+");
  return xs[0].graph.addNode("Concat", xs, { axis: attr.int(a) }, [{ dtype: xs[0].dtype, shape }])[0];
}

export function split(x: Tensor, sizes: Tensor, count: number, axis: number, shapes: Dim[][]): Tensor[] {
  const a = normAxis("Split", axis, x.rank);
  return x.graph.addNode(
    "Split",
    [x, sizes],
    { axis: attr.int(a) },
    shapes.slice(0, count).map((s) => ({ dtype: x.dtype, shape: s })),
  );
}

export function gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
  const a = normAxis("Gather", axis, x.rank);
  if (indices.dtype !== "int64" && indices.dtype !== "int32") throw new ShapeError("Gather", `indices must be integers, got ${indices.dtype}`);
  const shape = [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)];
  return x.graph.addNode("Gather", [x, indices], { axis: attr.int(a) }, [{ dtype: x.dtype, shape }])[0];
}

export function gatherElements(x: Tensor, indices: Tensor, axis: number): Tensor {
  const a = normAxis("GatherElements", axis, x.rank);
  return x.graph.addNode("GatherElements", [x, indices], { axis: attr.int(a) }, [{ dtype: x.dtype, shape: [...indices.shape] }])[0];
}

/** out = copy of data with updates added at indices along axis (ScatterElements, reduction add). */
export function scatterElementsAdd(data: Tensor, indices: Tensor, updates: Tensor, axis: number): Tensor {
  const a = normAxis("ScatterElements", axis, data.rank);
  return data.graph.addNode("ScatterElements", [data, indices, updates], { axis: attr.int(a), reduction: attr.string("add") }, [
    { dtype: data.dtype, shape: [...data.shape] },
  ])[0];
}

/** Scatter-add of rows: out = data; out[indices[i]] += updates[i] (ScatterND, reduction add). indices [..., 1]. */
export function scatterAdd(data: Tensor, indices: Tensor, updates: Tensor): Tensor {
  return data.graph.addNode("ScatterND", [data, indices, updates], { reduction: attr.string("add") }, [{ dtype: data.dtype, shape: [...data.shape] }])[0];
}

export function unsqueeze(x: Tensor, axes: number[]): Tensor {
  const rank = x.rank + axes.length;
  const norm = axes.map((a) => normAxis("Unsqueeze", a, rank)).sort((p, q) => p - q);
  const shape: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) shape.push(norm.includes(i) ? 1 : x.shape[k++]);
  return x.graph.addNode("Unsqueeze", [x, x.graph.ints(norm)], {}, [{ dtype: x.dtype, shape }])[0];
}

export function squeeze(x: Tensor, axes: number[]): Tensor {
  const norm = axes.map((a) => normAxis("Squeeze", a, x.rank));
  for (const a of norm) {
    if (typeof x.shape[a] === "number" && x.shape[a] !== 1) throw new ShapeError("Squeeze", `axis ${a} of ${fmtShape(x.shape)} is not 1`);
  }
  const shape = x.shape.filter((_, i) => !norm.includes(i));
  return x.graph.addNode("Squeeze", [x, x.graph.ints(norm)], {}, [{ dtype: x.dtype, shape }])[0];
}

/** Broadcast x to a run-time shape (int64 vector); `shape` is the static description of the result. */
export function expandTo(x: Tensor, shapeT: Tensor, shape: Dim[]): Tensor {
  return x.graph.addNode("Expand", [x, shapeT], {}, [{ dtype: x.dtype, shape: broadcastShapes("Expand", x.shape, shape) }])[0];
}

export function expandLike(x: Tensor, like: Tensor): Tensor {
  return expandTo(x, shapeOf(like), [...like.shape]);
}

/** Zeros of a run-time shape (ConstantOfShape; the emitter writes a zero `value` of the output dtype). */
export function zerosOfShape(shapeT: Tensor, shape: Dim[], dtype: DType = "float32"): Tensor {
  return shapeT.graph.addNode("ConstantOfShape", [shapeT], {}, [{ dtype, shape: [...shape] }])[0];
}

export function zerosLike(x: Tensor): Tensor {
  return zerosOfShape(shapeOf(x), [...x.shape], x.dtype);
}

/** int64 range [start, limit) with run-time limit. */
export function range(start: Tensor, limit: Tensor, delta: Tensor, len: Dim): Tensor {
  return start.graph.addNode("Range", [start, limit, delta], {}, [{ dtype: start.dtype, shape: [len] }])[0];
}

/** Constant-zero padding: pads = [begin_0.., end_0..] as an int64 vector. */
export function pad(x: Tensor, pads: Tensor, shape: Dim[]): Tensor {
  return x.graph.addNode("Pad", [x, pads], {}, [{ dtype: x.dtype, shape: [...shape] }])[0];
}
