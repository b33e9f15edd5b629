// `narrow LIST TYPE TEST` (Cheat Engine's "next scan"): one batched read of
// every item's TYPE value (1024 items a system call, not one each), and the
// items whose value passes TEST, in order, remembering the values just read so
// that the next narrow can ask what changed. An item whose memory is gone
// (unmapped since) drops out, as in Cheat Engine.
import { RecipeError } from '../../errors.ts';
import { type Loc, type PlanExpr, PTR_TYPE } from '../../plan/plan.ts';
import type { SourcePoint } from '../locate.ts';
import { compare } from './evaluate.ts';
import { decode, numeric, type PathBase, type PointerPath, type Remembered, type Value } from './value.ts';

type NarrowExpr = Extract<PlanExpr, { op: 'narrow' }>;
/** The type narrow reads each item's value as. */
type ValueType = NonNullable<NarrowExpr['type']>;

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

/** Where a path's base is now; undefined where the target has no such module or thread (the path drops out). */
export type BaseAddress = (base: PathBase) => bigint | undefined;

type Narrowable = Extract<Value, { kind: 'list' | 'paths' }>;

export function narrowList(e: NarrowExpr, list: Narrowable, operands: { value?: Value; within?: Value; low?: Value; high?: Value; to?: Value }, readEach: ReadEach, baseAddress: BaseAddress, at: () => SourcePoint): Value {
  // Where each item is: an address as it is; a pointer path followed (undefined: it leads nowhere now).
  const places = list.kind === 'paths' ? followPaths(list.items, readEach, baseAddress, e.loc) : list.items.map((item) => numeric(item)!.value);
  const keptItems = (kept: number[], remembered: Remembered | undefined): Value => {
    if (list.kind === 'paths') return { kind: 'paths', items: kept.map((i) => list.items[i]!), ...(remembered === undefined ? {} : { remembered }) };
    return { kind: 'list', items: kept.map((i) => list.items[i]!), ...(remembered === undefined ? {} : { remembered }) };
  };
  const type = e.type;
  if (e.test.kind === 'to' || type === undefined) {
    const wanted = numeric(operands.to!)!.value;
    return keptItems(places.flatMap((place, i) => (place === wanted ? [i] : [])), undefined);
  }
  const size = type.size;
  const previous = e.test.kind === 'change' ? rememberedOf(list, type, e.test.change, at) : undefined;
  const live = places.flatMap((place, i) => (place === undefined ? [] : [i]));
  const now = readEach(live.map((i) => places[i]!), size, e.loc);
  const keep = test(e.test, type, operands);
  const kept: number[] = [];
  // The values kept, packed in place over the ones read (a kept item's slot is never past its own).
  const bytes = now.bytes;
  for (let j = 0; j < live.length; j++) {
    if (now.readable[j] === 0) continue;
    const i = live[j]!;
    const value = decode(type, bytes.subarray(j * size, (j + 1) * size));
    const before = previous === undefined ? undefined : decode(type, previous.subarray(i * size, (i + 1) * size));
    if (!keep(value, before)) continue;
    bytes.copyWithin(kept.length * size, j * size, (j + 1) * size);
    kept.push(i);
  }
  return keptItems(kept, { type, bytes: bytes.slice(0, kept.length * size) });
}

/**
 * Where each pointer path leads now: its base, then a level at a time, the
 * pointer there plus the level's offset. Each level is one batched read of
 * every path still going; a path whose base the target does not have (a
 * module not mapped, a thread not there), or whose pointer cannot be read,
 * leads nowhere (undefined).
 */
function followPaths(paths: readonly PointerPath[], readEach: ReadEach, baseAddress: BaseAddress, loc: Loc): (bigint | undefined)[] {
  const places = paths.map((path) => baseAddress(path.base));
  const depth = paths.reduce((most, path) => Math.max(most, path.offsets.length), 0);
  for (let level = 0; level < depth; level++) {
    const going = places.flatMap((place, i) => (place !== undefined && level < paths[i]!.offsets.length ? [i] : []));
    const read = readEach(going.map((i) => places[i]!), 8, loc);
    going.forEach((i, j) => {
      places[i] = read.readable[j] === 0 ? undefined : numeric(decode(PTR_TYPE, read.bytes.subarray(j * 8, j * 8 + 8)))!.value + paths[i]!.offsets[level]!;
    });
  }
  return places;
}

/** The values the list remembers, as `type`: a change needs them, of the same type. */
function rememberedOf(list: Narrowable, type: ValueType, change: string, at: () => SourcePoint): Uint8Array {
  const remembered = list.remembered;
  if (remembered === undefined) {
    throw new RecipeError('narrow-no-values', `'${change}' compares with the values the list had, and this list remembers none (it was listed, loaded with --arg, indexed, or narrowed with to)`, {
      ...at(),
      hint: `narrow it by a value first (narrow hits ${type.name} == …, or between …): the list it gives remembers what it read`,
    });
  }
  if (remembered.type.name !== type.name) {
    throw new RecipeError('narrow-type', `the list remembers ${remembered.type.name} values, not ${type.name}`, { ...at(), hint: `narrow it as ${remembered.type.name}, or by a value as ${type.name} first` });
  }
  return remembered.bytes;
}

/** The test as a function of the value now and the value remembered. */
function test(t: Exclude<NarrowExpr['test'], { kind: 'to' }>, type: ValueType, operands: { value?: Value; within?: Value; low?: Value; high?: Value }): (now: Value, before: Value | undefined) => boolean {
  switch (t.kind) {
    case 'compare': {
      // As the language's own comparison (`read u32 at p == V`), with the operand as the type holds it.
      const target = asType(operands.value!, type);
      if (operands.within === undefined) return (now) => compare(t.operator, now, target);
      const tolerance = Math.abs(asNumber(operands.within));
      const x = asNumber(target);
      return (now) => (Math.abs(asNumber(now) - x) <= tolerance) === (t.operator === '==');
    }
    case 'between': {
      const [low, high] = [asType(operands.low!, type), asType(operands.high!, type)];
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
function asType(value: Value, type: ValueType): Value {
  return type.kind === 'float' && type.size === 4 ? { kind: 'float', value: Math.fround(asNumber(value)) } : value;
}

function asNumber(value: Value): number {
  return value.kind === 'float' ? value.value : Number(numeric(value)!.value);
}
