// `narrow LIST TYPE TEST` (Cheat Engine's "next scan"): one batched read of
// every item's TYPE value (1024 items a system call, not one each), and the
// items whose value passes TEST, in order, remembering the values just read so
// that the next narrow can ask what changed. An item whose memory is gone
// (unmapped since) drops out, as in Cheat Engine.
import { RecipeError } from '../../errors.ts';
import type { Loc, PlanExpr } from '../../plan/plan.ts';
import type { SourcePoint } from '../locate.ts';
import { compare } from './evaluate.ts';
import { decode, numeric, type Remembered, type Value } from './value.ts';

type NarrowExpr = Extract<PlanExpr, { op: 'narrow' }>;

/**
 * `length` bytes at each address, batched, packed back to back (item i at
 * i * length): one buffer for a million items rather than a view each
 * (issue 29: 983 000 hits narrowed twice held 1 GB). `readable[i]` is 0 where
 * item i's memory could not be read.
 */
export interface ReadEachResult {
  readonly bytes: Uint8Array;
  readonly readable: Uint8Array;
}

/** Reads `length` bytes at each address, batched. */
export type ReadEach = (addresses: readonly bigint[], length: number, loc: Loc) => ReadEachResult;

export function narrowList(e: NarrowExpr, list: Extract<Value, { kind: 'list' }>, operands: { value?: Value; within?: Value; low?: Value; high?: Value }, readEach: ReadEach, at: () => SourcePoint): Value {
  const { type } = e;
  const size = type.size;
  const previous = e.test.kind === 'change' ? rememberedOf(list, e, at) : undefined;
  const addresses = list.items.map((item) => numeric(item)!.value);
  const now = readEach(addresses, size, e.loc);
  const keep = test(e, operands);
  const items: Value[] = [];
  // The values kept, packed in place over the ones read (a kept item's slot is never past its own).
  const bytes = now.bytes;
  for (let i = 0; i < addresses.length; i++) {
    if (now.readable[i] === 0) continue;
    const value = decode(type, bytes.subarray(i * size, (i + 1) * size));
    const before = previous === undefined ? undefined : decode(type, previous.subarray(i * size, (i + 1) * size));
    if (!keep(value, before)) continue;
    bytes.copyWithin(items.length * size, i * size, (i + 1) * size);
    items.push(list.items[i]!);
  }
  const remembered: Remembered = { type, bytes: bytes.slice(0, items.length * size) };
  return { kind: 'list', items, remembered };
}

/** The values the list remembers, as `type`: a change needs them, of the same type. */
function rememberedOf(list: Extract<Value, { kind: 'list' }>, e: NarrowExpr, at: () => SourcePoint): Uint8Array {
  const remembered = list.remembered;
  if (remembered === undefined) {
    throw new RecipeError('narrow-no-values', `'${e.test.kind === 'change' ? e.test.change : ''}' compares with the values the list had, and this list remembers none (it was listed, loaded with --arg, or indexed)`, {
      ...at(),
      hint: `narrow it by a value first (narrow hits ${e.type.name} == …, or between …): the list it gives remembers what it read`,
    });
  }
  if (remembered.type.name !== e.type.name) {
    throw new RecipeError('narrow-type', `the list remembers ${remembered.type.name} values, not ${e.type.name}`, { ...at(), hint: `narrow it as ${remembered.type.name}, or by a value as ${e.type.name} first` });
  }
  return remembered.bytes;
}

/** The test as a function of the value now and the value remembered. */
function test(e: NarrowExpr, operands: { value?: Value; within?: Value; low?: Value; high?: Value }): (now: Value, before: Value | undefined) => boolean {
  const t = e.test;
  switch (t.kind) {
    case 'compare': {
      // As the language's own comparison (`read u32 at p == V`), with the operand as the type holds it.
      const target = asType(operands.value!, e.type);
      if (operands.within === undefined) return (now) => compare(t.operator, now, target);
      const tolerance = Math.abs(asNumber(operands.within));
      const x = asNumber(target);
      return (now) => (Math.abs(asNumber(now) - x) <= tolerance) === (t.operator === '==');
    }
    case 'between': {
      const [low, high] = [asType(operands.low!, e.type), asType(operands.high!, e.type)];
      return (now) => compare('>=', now, low) && compare('<=', now, high);
    }
    case 'any':
      return () => true;
    case 'change': {
      const order = (now: Value, before: Value): number => {
        if (now.kind === 'float' && before.kind === 'float') return Object.is(now.value, before.value) ? 0 : now.value < before.value ? -1 : now.value > before.value ? 1 : NaN;
        const [a, b] = [numeric(now)!.value, numeric(before)!.value];
        return a < b ? -1 : a > b ? 1 : 0;
      };
      switch (t.change) {
        case 'changed':
          return (now, before) => order(now, before!) !== 0;
        case 'unchanged':
          return (now, before) => order(now, before!) === 0;
        case 'increased':
          return (now, before) => order(now, before!) > 0;
        case 'decreased':
          return (now, before) => order(now, before!) < 0;
      }
    }
  }
}

/** A number as the type holds it: `f32 == 0.1` compares with 0.1 rounded to f32, as a typed scan for it would encode it. */
function asType(value: Value, type: NarrowExpr['type']): Value {
  return type.kind === 'float' && type.size === 4 ? { kind: 'float', value: Math.fround(asNumber(value)) } : value;
}

function asNumber(value: Value): number {
  return value.kind === 'float' ? value.value : Number(numeric(value)!.value);
}
