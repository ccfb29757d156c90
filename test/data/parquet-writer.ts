// A minimal parquet writer for test fixtures (hyparquet only reads, and Debian has no pyarrow):
// uncompressed PLAIN data pages (v1), RLE levels, thrift-compact footer. Column kinds: UTF-8 strings,
// float64, int64 (all optional) and optional lists of strings (3-level LIST layout).

type Kind = "string" | "double" | "int64" | "list<string>";
export interface ParquetColumn {
  name: string;
  kind: Kind;
  values: unknown[];
}

class Thrift {
  bytes: number[] = [];
  private last: number[] = [0];
  varint(n: bigint | number) {
    let v = BigInt(n);
    while (v >= 0x80n) {
      this.bytes.push(Number((v & 0x7fn) | 0x80n));
      v >>= 7n;
    }
    this.bytes.push(Number(v));
  }
  zigzag(n: number | bigint) {
    const v = BigInt(n);
    this.varint(v >= 0n ? v << 1n : (-v << 1n) - 1n);
  }
  field(id: number, type: number) {
    const delta = id - this.last[this.last.length - 1];
    this.bytes.push((delta << 4) | type);
    this.last[this.last.length - 1] = id;
  }
  i32(id: number, v: number) {
    this.field(id, 5);
    this.zigzag(v);
  }
  i64(id: number, v: number) {
    this.field(id, 6);
    this.zigzag(v);
  }
  bin(id: number, s: string) {
    this.field(id, 8);
    const b = Buffer.from(s, "utf8");
    this.varint(b.length);
    this.bytes.push(...b);
  }
  struct(id: number, body: () => void) {
    this.field(id, 12);
    this.inner(body);
  }
  inner(body: () => void) {
    this.last.push(0);
    body();
    this.bytes.push(0);
    this.last.pop();
  }
  list(id: number, elemType: number, n: number, each: (i: number) => void) {
    this.field(id, 9);
    if (n < 15) this.bytes.push((n << 4) | elemType);
    else {
      this.bytes.push(0xf0 | elemType);
      this.varint(n);
    }
    for (let i = 0; i < n; i++) each(i);
  }
}

/** RLE / bit-packed hybrid with runs only, bit width ≤ 8, prefixed by its 4-byte length. */
function rleLevels(levels: number[]): Buffer {
  const t = new Thrift();
  for (let i = 0; i < levels.length;) {
    let j = i;
    while (j < levels.length && levels[j] === levels[i]) j++;
    t.varint((j - i) << 1);
    t.bytes.push(levels[i]);
    i = j;
  }
  const body = Buffer.from(t.bytes);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(body.length);
  return Buffer.concat([len, body]);
}

function plain(kind: Kind, vals: unknown[]): Buffer {
  const parts: Buffer[] = [];
  for (const v of vals) {
    if (kind === "double") {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(v as number);
      parts.push(b);
    } else if (kind === "int64") {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(BigInt(v as number));
      parts.push(b);
    } else {
      const s = Buffer.from(v as string, "utf8");
      const l = Buffer.alloc(4);
      l.writeUInt32LE(s.length);
      parts.push(l, s);
    }
  }
  return Buffer.concat(parts);
}

const PHYS: Record<Kind, number> = { string: 6, double: 5, int64: 2, "list<string>": 6 };

/** One column chunk of rows [from, to): page header + page. */
function columnChunk(col: ParquetColumn, from: number, to: number): { data: Buffer; numValues: number } {
  const rows = col.values.slice(from, to);
  let page: Buffer;
  let numValues: number;
  if (col.kind === "list<string>") {
    const rep: number[] = [];
    const def: number[] = [];
    const vals: string[] = [];
    for (const r of rows) {
      if (r == null) {
        rep.push(0);
        def.push(0);
      } else if ((r as string[]).length === 0) {
        rep.push(0);
        def.push(1);
      } else
        (r as string[]).forEach((s, i) => {
          rep.push(i === 0 ? 0 : 1);
          def.push(2);
          vals.push(s);
        });
    }
    page = Buffer.concat([rleLevels(rep), rleLevels(def), plain("string", vals)]);
    numValues = def.length;
  } else {
    const def = rows.map((r) => (r == null ? 0 : 1));
    page = Buffer.concat([
      rleLevels(def),
      plain(
        col.kind,
        rows.filter((r) => r != null),
      ),
    ]);
    numValues = rows.length;
  }
  const h = new Thrift();
  h.inner(() => {
    h.i32(1, 0);
    h.i32(2, page.length);
    h.i32(3, page.length);
    h.struct(5, () => {
      h.i32(1, numValues);
      h.i32(2, 0);
      h.i32(3, 3);
      h.i32(4, 3);
    });
  });
  h.bytes.pop(); // inner() wrote a struct-level stop; the page header is the top-level struct
  h.bytes.push(0);
  return { data: Buffer.concat([Buffer.from(h.bytes), page]), numValues };
}

/** A parquet file with the given columns, split into row groups of `rowGroupSize` rows. */
export function writeParquet(columns: ParquetColumn[], rowGroupSize: number): Buffer {
  const nRows = columns[0].values.length;
  const parts: Buffer[] = [Buffer.from("PAR1")];
  let pos = 4;
  const groups: { cols: { offset: number; size: number; numValues: number }[]; rows: number }[] = [];
  for (let start = 0; start < nRows; start += rowGroupSize) {
    const end = Math.min(nRows, start + rowGroupSize);
    const cols = columns.map((c) => {
      const { data, numValues } = columnChunk(c, start, end);
      const info = { offset: pos, size: data.length, numValues };
      parts.push(data);
      pos += data.length;
      return info;
    });
    groups.push({ cols, rows: end - start });
  }
  const schemaCount = 1 + columns.reduce((a, c) => a + (c.kind === "list<string>" ? 3 : 1), 0);
  const t = new Thrift();
  t.inner(() => {
    t.i32(1, 1);
    const elems: (() => void)[] = [
      () => {
        t.bin(4, "schema");
        t.i32(5, columns.length);
      },
    ];
    for (const c of columns) {
      if (c.kind === "list<string>") {
        elems.push(() => {
          t.i32(3, 1);
          t.bin(4, c.name);
          t.i32(5, 1);
          t.i32(6, 3);
        });
        elems.push(() => {
          t.i32(3, 2);
          t.bin(4, "list");
          t.i32(5, 1);
        });
        elems.push(() => {
          t.i32(1, 6);
          t.i32(3, 0);
          t.bin(4, "element");
          t.i32(6, 0);
        });
      } else
        elems.push(() => {
          t.i32(1, PHYS[c.kind]);
          t.i32(3, 1);
          t.bin(4, c.name);
          if (c.kind === "string") t.i32(6, 0);
        });
    }
    t.list(2, 12, schemaCount, (i) => t.inner(elems[i]));
    t.i64(3, nRows);
    t.list(4, 12, groups.length, (g) =>
      t.inner(() => {
        t.list(1, 12, columns.length, (ci) =>
          t.inner(() => {
            const c = columns[ci];
            const info = groups[g].cols[ci];
            t.i64(2, info.offset);
            t.struct(3, () => {
              t.i32(1, PHYS[c.kind]);
              t.list(2, 5, 2, (k) => t.zigzag(k === 0 ? 0 : 3));
              const path = c.kind === "list<string>" ? [c.name, "list", "element"] : [c.name];
              t.list(3, 8, path.length, (k) => {
                const b = Buffer.from(path[k], "utf8");
                t.varint(b.length);
                t.bytes.push(...b);
              });
              t.i32(4, 0);
              t.i64(5, info.numValues);
              t.i64(6, info.size);
              t.i64(7, info.size);
              t.i64(9, info.offset);
            });
          }),
        );
        t.i64(
          2,
          groups[g].cols.reduce((a, c) => a + c.size, 0),
        );
        t.i64(3, groups[g].rows);
      }),
    );
  });
  const footer = Buffer.from(t.bytes);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(footer.length);
  parts.push(footer, len, Buffer.from("PAR1"));
  return Buffer.concat(parts);
}
