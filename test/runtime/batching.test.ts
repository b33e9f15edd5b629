// Reading ahead and coalescing must change the number of calls, never a result
// or an error. An in-memory target that counts calls shows both.
import { describe, expect, it } from 'vitest';
import { compileSource } from '../../src/dsl/compile-source.ts';
import { PvmError } from '../../src/errors.ts';
import { readCoalesced, sortedOrder } from '../../src/runtime/loops/coalesce.ts';
import { execute } from '../../src/runtime/execute.ts';
import { MemoryTarget } from '../../src/target/memory-target.ts';
import { ReadingSource } from '../../src/target/reads.ts';
import type { MemorySource, ReadBatch } from '../../src/target/target.ts';

const TABLE = 0x10000n;
const VALUES = 0x40000n;
const HOLE = 0x80000n;
const N = 5000;

/** A table of N pointers to u64 values (values[j] = 3j), shuffled; entry 4321 points into a hole. */
function memory(): MemoryTarget {
  const table = new Uint8Array(N * 8);
  const values = new Uint8Array(N * 8);
  for (let j = 0; j < N; j++) new DataView(values.buffer).setBigUint64(j * 8, BigInt(3 * j), true);
  for (let i = 0; i < N; i++) new DataView(table.buffer).setBigUint64(i * 8, VALUES + BigInt(((i * 7919) % N) * 8), true);
  new DataView(table.buffer).setBigUint64(4321 * 8, HOLE + 8n, true);
  return new MemoryTarget([
    { start: TABLE, end: TABLE + BigInt(table.length), perms: 'rw-p', offset: 0n, path: '', deleted: false, bytes: table },
    { start: VALUES, end: VALUES + BigInt(values.length), perms: 'rw-p', offset: 0n, path: '', deleted: false, bytes: values },
    { start: HOLE + 0x1000n, end: HOLE + 0x2000n, perms: 'rw-p', offset: 0n, path: '', deleted: false, bytes: new Uint8Array(0x1000).fill(7) },
  ]);
}

/** Counts the reads of a read-only source (recipes here never write): each batch its one read primitive is asked. */
class Counting extends ReadingSource {
  readonly writable = undefined;
  calls = 0;
  iovecs = 0;
  readonly inner: MemoryTarget;
  constructor(inner: MemoryTarget) {
    super({ into: false, ranges: false, vectors: false });
    this.inner = inner;
  }
  get identity() {
    return this.inner.identity;
  }
  regions() {
    return this.inner.regions();
  }
  readv(batch: ReadBatch): void {
    this.calls++;
    this.iovecs += batch.count;
    this.inner.readv(batch);
  }
  blocked() {
    return this.inner.blocked();
  }
  moduleFile(path: string) {
    return this.inner.moduleFile(path);
  }
  scanSession() {
    return this.inner.scanSession();
  }
  threads() {
    return this.inner.threads();
  }
  close() {}
}

function run(text: string): { lines: string[]; target: Counting; error?: PvmError } {
  const target = new Counting(memory());
  const lines: string[] = [];
  const plan = compileSource({ name: 'r.pvm', text });
  try {
    execute({ plan, target, params: new Map(), output: (e) => lines.push(e.type === 'print' ? e.values.map((v) => String('value' in v ? v.value : '')).join(' ') : '') });
  } catch (error) {
    if (error instanceof PvmError) return { lines, target, error };
    throw error;
  }
  return { lines, target };
}

describe('reads batched across loop iterations', () => {
  it('walks a pointer table in a handful of calls, with the same total as one read at a time', () => {
    const { lines, target } = run(`let total = 0\nfor i in 0..4321 { total = total + read u64 at [${TABLE} + i * 8] }\nprint total`);
    let expected = 0;
    for (let i = 0; i < 4321; i++) expected += 3 * ((i * 7919) % N);
    expect(lines).toEqual([String(expected)]);
    // Two windows (the first 2048 iterations, then the rest), each one call for level 1 (the table,
    // coalesced into one iovec) and one for level 2 (the values). Not 8642 calls.
    expect(target.calls).toBe(4);
  });

  it('raises a fault where the recipe reads it, after the iterations before it ran', () => {
    const { lines, error } = run(`for i in 4319..4323 {\n  print i\n  print read u64 at [${TABLE} + i * 8]\n}`);
    expect(lines).toEqual(['4319', String(3 * ((4319 * 7919) % N)), '4320', String(3 * ((4320 * 7919) % N)), '4321']);
    expect(error).toMatchObject({ exit: 4, code: 'unmapped', where: 'r.pvm:3:9' });
    expect(error!.message).toContain(`cannot read u64 at 0x${(HOLE + 8n).toString(16)}: 0x${(HOLE + 8n).toString(16)} is not mapped`);
  });

  it('reads conditional reads live, and gives the same answers', () => {
    const { lines, error } = run(`let odd = 0\nfor i in 0..100 { if (read u64 at [${TABLE} + i * 8]) % 2 == 1 { odd = odd + read u8 at ${VALUES} + i } }\nprint odd`);
    let expected = 0;
    for (let i = 0; i < 100; i++) if ((3 * ((i * 7919) % N)) % 2 === 1) expected += new Uint8Array(new BigUint64Array([BigInt(3 * Math.floor(i / 8))]).buffer)[i % 8]!;
    expect(error).toBeUndefined();
    expect(lines).toEqual([String(expected)]);
  });
});

describe('reads batched across straight-line steps', () => {
  it('reads a print of several values, and the lets before it, in one call per level', () => {
    const { lines, target } = run(`let a = read u64 at ${VALUES + 8n}\nlet b = read u64 at [${TABLE}]\nprint a, b, read u8 at ${VALUES}, read u16 at ${VALUES + 16n}`);
    expect(lines).toEqual(['3 0 0 6']);
    // Level 1: VALUES+8, TABLE, VALUES, VALUES+16 (coalesced); level 2: the value [TABLE] points at.
    expect(target.calls).toBe(2);
  });

  it('does not read ahead past a write, and sees what the write wrote', () => {
    const target = new MemoryTarget(memory().regions().map((r) => ({ ...r, bytes: new Uint8Array(Number(r.end - r.start)) })));
    const plan = compileSource({ name: 'w.pvm', text: `print read u8 at ${VALUES}, read u8 at ${VALUES + 1n}\nwrite u8 at ${VALUES} = 9\nprint read u8 at ${VALUES}, read u8 at ${VALUES + 1n}` });
    const lines: string[] = [];
    execute({ plan, target, params: new Map(), allowWrite: true, output: (e) => lines.push(e.type === 'print' ? e.values.map((v) => String('value' in v ? v.value : '')).join(' ') : e.type) });
    expect(lines).toEqual(['0 0', 'write', '9 0']);
  });

  it('raises a fault at the step that reads it, after the steps before it ran', () => {
    const { lines, error } = run(`print read u8 at ${VALUES}, 1\nassert read u8 at ${VALUES} == 0\nprint read u64 at ${HOLE + 8n}, read u8 at ${VALUES}`);
    expect(lines).toEqual(['0 1']);
    expect(error).toMatchObject({ exit: 4, code: 'unmapped', where: 'r.pvm:3:7' });
  });

  it('reads a value read ahead again when a variable changed its address', () => {
    const { lines, target } = run(`let p = ${VALUES}\nprint read u64 at p + 8, read u64 at p + 16\np = p + 8\nprint read u64 at p + 8, read u64 at p + 16`);
    expect(lines).toEqual(['3 6', '6 9']);
    // The first print's reads are batched; the second's depend on a name assigned after the batch: live.
    expect(target.calls).toBe(3);
  });
});

describe('readCoalesced', () => {
  it('merges adjacent and overlapping reads into one iovec and returns each its own bytes', () => {
    const target = new Counting(memory());
    const results = readCoalesced(target, [
      { address: TABLE + 16n, length: 8 },
      { address: TABLE, length: 8 },
      { address: TABLE + 8n, length: 12 },
      { address: VALUES + 8n, length: 8 },
    ]);
    expect(target.iovecs).toBe(2);
    expect(new DataView(results[3]!.bytes.buffer, results[3]!.bytes.byteOffset).getBigUint64(0, true)).toBe(3n);
    expect(results[2]!.bytes.length).toBe(12);
    expect(results.every((r) => r.fault === undefined)).toBe(true);
  });

  it('merges thousands of reads in any order as it merges them sorted, each getting its own bytes', () => {
    // Enough requests for the radix sort (1024 or more), shuffled, with repeats and overlaps.
    const requests = Array.from({ length: 3000 }, (_, i) => ({ address: VALUES + BigInt(((i * 7919) % 2500) * 8 + (i % 3)), length: 4 + (i % 5) }));
    const target = new Counting(memory());
    const results = readCoalesced(target, requests);
    const alone = new Counting(memory()).read(requests);
    expect(results.map((r) => [...r.bytes.subarray(0, r.done)])).toEqual(alone.map((r) => [...r.bytes.subarray(0, r.done)]));
    expect(target.iovecs).toBeLessThanOrEqual(2500); // the requests that share one of the 2500 slots are merged
  });

  it('gives a request that straddles a hole its bytes up to the fault, and retries one past it', () => {
    const target = new Counting(memory());
    const end = TABLE + BigInt(N * 8);
    // [end-8, end) is readable; [end-4, end+4) straddles the end; nothing is mapped right after.
    const results = readCoalesced(target, [
      { address: end - 8n, length: 8 },
      { address: end - 4n, length: 8 },
    ]);
    expect(results[0]).toMatchObject({ done: 8, fault: undefined });
    expect(results[1]).toMatchObject({ done: 4, fault: { address: end } });
    const [lone] = readCoalesced(target, [{ address: HOLE + 0x1000n, length: 4 }, { address: HOLE + 0xff0n, length: 0x20 }].slice(0, 1));
    expect(lone).toMatchObject({ done: 4 });
    // A request that starts in a hole but inside a merged span is retried on its own.
    const mixed = readCoalesced(target, [
      { address: HOLE + 0xff8n, length: 16 },
      { address: HOLE + 0x1000n, length: 4 },
    ]);
    expect(mixed[0]).toMatchObject({ done: 0 });
    expect(mixed[1]).toMatchObject({ done: 4, fault: undefined });
    expect([...mixed[1]!.bytes]).toEqual([7, 7, 7, 7]);
  });
});

describe('large reads', () => {
  /** 64 regions of 1 MiB, back to back, byte i of region r holding (r + i) & 0xff; a counter of calls and bytes. */
  /** large(), able to read into memory the caller reuses (as a live process is), counting those reads and the memory they land in. */
  function reusing(): Counting & { bytes: number; into: number; memories: Set<Uint8Array> } {
    const target = large() as Counting & { bytes: number; into: number; memories: Set<Uint8Array> };
    target.into = 0;
    target.memories = new Set();
    (target as { readInto?: MemorySource['readInto'] }).readInto = (request, into) => {
      target.into++;
      target.memories.add(into);
      const [got] = target.inner.read([request]);
      into.set(got!.bytes.subarray(0, got!.done));
      return { bytes: into.subarray(0, request.length), done: got!.done, fault: got!.fault };
    };
    return target;
  }

  function output(target: MemorySource, text: string): string[] {
    const lines: string[] = [];
    execute({ plan: compileSource({ name: 'r.pvm', text }), target, params: new Map(), output: (e) => lines.push(e.type === 'print' ? e.values.map((v) => String('value' in v ? v.value : '')).join(' ') : '') });
    return lines;
  }

  it('that die with their iteration land in memory the next windows reuse, with the same values', () => {
    const text = 'let sum = 0\nfor i in 0..40 { let b = read bytes 1048576 at 0x1000000 + i * 1048576\nsum = (sum * 7 + b[i] + b[1048575] + len(b)) % 1000000007 }\nprint sum';
    const target = reusing();
    expect(output(target, text)).toEqual(output(large(), text));
    expect(target.into).toBe(40);
    expect(target.memories.size).toBe(1); // a 1 MiB read fills a window (1 MiB) alone: each lands in the site's one buffer
  });

  it('reuse the memory of a loop in the loops after it, so a run holds a window of it per loop running, not per loop run', () => {
    const loop = (k: number) => `for i in 0..16 { let b${k} = read bytes 1048576 at 0x1000000 + ((i + ${k}) % 64) * 1048576\nt = t + b${k}[i] }`;
    const text = `let t = 0\n${Array.from({ length: 6 }, (_, k) => loop(k)).join('\n')}\nprint t`;
    const target = reusing();
    expect(output(target, text)).toEqual(output(large(), text));
    expect(target.into).toBe(6 * 16);
    expect(target.memories.size).toBe(1);
  });

  it('that a value keeps past its iteration get memory of their own, which later reads leave alone', () => {
    const text = 'let first = read bytes 1048576 at 0x1000000\nfor i in 0..40 { let b = read bytes 1048576 at 0x1000000 + i * 1048576\nif i == 3 { first = b } }\nprint first[0], first[9]';
    const target = reusing();
    expect(output(target, text)).toEqual(['3 12']);
    expect(target.into).toBe(0);
  });

  function large(): Counting & { bytes: number } {
    const pattern = Uint8Array.from({ length: (1 << 20) + 256 }, (_, i) => i & 0xff);
    const regions = Array.from({ length: 64 }, (_, r) => ({
      start: 0x1000000n + BigInt(r << 20),
      end: 0x1000000n + BigInt((r + 1) << 20),
      perms: 'rw-p',
      offset: 0n,
      path: '',
      deleted: false,
      bytes: pattern.slice(r, r + (1 << 20)),
    }));
    const target = new Counting(new MemoryTarget(regions)) as Counting & { bytes: number };
    target.bytes = 0;
    const read = target.read.bind(target);
    target.read = (requests) => {
      target.bytes += requests.reduce((sum, r) => sum + r.length, 0);
      return read(requests);
    };
    return target;
  }

  it('are read alone, each into memory of its own, beside the small ones merged as before', () => {
    const target = large();
    const results = readCoalesced(target, [
      { address: 0x1000000n, length: 1 << 20 },
      { address: 0x1100000n, length: 1 << 20 },
      { address: 0x1200000n + 16n, length: 8 },
      { address: 0x1200000n + 24n, length: 8 },
    ]);
    expect(target.calls).toBe(3); // the two small reads in one call, one iovec; each large one alone
    expect(target.iovecs).toBe(3);
    for (const r of results.slice(0, 2)) expect(r.bytes.byteLength).toBe(r.bytes.buffer.byteLength);
    expect([results[0]!.bytes[5], results[1]!.bytes[5], results[2]!.bytes[0], results[3]!.bytes[0]]).toEqual([5, 6, 18, 26]);
  });

  it('that overlap share one read, so that no byte is read twice (a policy counts bytes read)', () => {
    const same = large();
    expect(output(same, 'let n = 0\nfor i in 0..512 { let b = read bytes 65536 at 0x1000000\nn = n + b[i] }\nprint n')).toHaveLength(1);
    expect(same.bytes).toBe(32 * 65536); // 32 windows of 16 iterations (1 MiB), one read each
    const sliding = large();
    expect(output(sliding, 'let n = 0\nfor i in 0..200 { let b = read bytes 65536 at 0x1000000 + i * 4096\nn = n + b[0] + b[65535] }\nprint n')).toHaveLength(1);
    // Each window of 16 iterations (1 MiB) reads the span its iterations cover once: 12 full windows and one of 8.
    expect(sliding.bytes).toBe(12 * (15 * 4096 + 65536) + (7 * 4096 + 65536));
  });

  it('read ahead no more than 1 MiB a window: a loop that breaks early reads little more than it uses', () => {
    const target = large();
    const plan = compileSource({ name: 'r.pvm', text: 'let n = 0\nfor i in 0..64 { let b = read bytes 1048576 at 0x1000000 + i * 1048576\nn = n + b[i]\nif i == 2 { break } }\nprint n' });
    const lines: string[] = [];
    execute({ plan, target, params: new Map(), output: (e) => lines.push(e.type === 'print' ? e.values.map((v) => String('value' in v ? v.value : '')).join(' ') : '') });
    expect(lines).toEqual([String(0 + 2 + 4)]);
    expect(target.bytes).toBeLessThanOrEqual(3 << 20);
  });

  it('leave the windows of a loop of small reads as large as before: 16 MiB (the 1 MiB windows are for large reads)', () => {
    const target = large();
    expect(output(target, 'let n = 0\nfor i in 0..8192 { let b = read bytes 4096 at 0x1000000 + i * 4096\nn = n + b[i % 4096] }\nprint n')).toHaveLength(1);
    expect(target.calls).toBe(2); // two windows of 4096 iterations, each one call
  });

  it('give their values the bytes read, whole and unchanged by the reads after them', () => {
    const target = large();
    const plan = compileSource({ name: 'r.pvm', text: 'let sum = 0\nfor i in 0..40 { let b = read bytes 1048576 at 0x1000000 + i * 1048576\nsum = sum + b[0] + b[1048575] + len(b) }\nprint sum' });
    const lines: string[] = [];
    execute({ plan, target, params: new Map(), output: (e) => lines.push(e.type === 'print' ? e.values.map((v) => String('value' in v ? v.value : '')).join(' ') : '') });
    let sum = 0;
    for (let r = 0; r < 40; r++) sum += (r & 0xff) + ((r + (1 << 20) - 1) & 0xff) + (1 << 20);
    expect(lines).toEqual([String(sum)]);
  });
});

describe('a compiled loop reading ahead in iteration order', () => {
  it('reads a header every iteration reads once per window, and the table beside it as one range', () => {
    // Each iteration reads the same u64 at VALUES and the table's next entry: in iteration order the two alternate.
    const { lines, target } = run(`let total = 0\nfor i in 0..4000 { total = total + (read u64 at ${VALUES + 8n}) + (read u64 at ${TABLE} + i * 8) }\nprint total`);
    let expected = 0n;
    for (let i = 0; i < 4000; i++) expected += 3n + VALUES + BigInt(((i * 7919) % N) * 8);
    expect(lines).toEqual([String(expected)]);
    // Two windows (2048, then the rest), each with one range for the header and one for the table.
    expect({ calls: target.calls, iovecs: target.iovecs }).toEqual({ calls: 2, iovecs: 4 });
  });
});

describe('sortedOrder', () => {
  it('orders indices by key, equal keys in index order, by digits or by comparison alike', () => {
    let state = 7;
    const random = () => (state = (state * 1103515245 + 12345) >>> 0);
    for (const [count, limit] of [[10, 2 ** 47], [5000, 2 ** 47], [5000, 300], [3000, 2 ** 52]] as const) {
      const keys = Float64Array.from({ length: count }, () => (random() * 2 ** 21 + random()) % limit);
      const expected = [...keys.keys()].sort((a, b) => keys[a]! - keys[b]! || a - b);
      expect([...sortedOrder(keys)]).toEqual(expected);
    }
  });

  it('takes keys already in order as they are, and orders keys a few bytes or 2^40 apart', () => {
    const ascending = Float64Array.from({ length: 4000 }, (_, i) => 2 ** 40 + Math.floor(i / 3) * 8);
    expect([...sortedOrder(ascending)]).toEqual([...ascending.keys()]);
    const spread = Float64Array.from({ length: 4000 }, (_, i) => (i % 2 === 0 ? 2 ** 40 : 0) + ((i * 7919) % 4000));
    const expected = [...spread.keys()].sort((a, b) => spread[a]! - spread[b]! || a - b);
    expect([...sortedOrder(spread)]).toEqual(expected);
  });
});
