// len, hex, min, max and range: builtins computed from values alone.
// (module, symbol and region ask the target: see modules.ts.)
import { hexAddress, toHex } from '../../bytes.ts';
import { assert, RecipeError } from '../../errors.ts';
import type { SourcePoint } from '../locate.ts';
import { int, numeric, ptr, type Value } from './value.ts';

const utf8 = new TextEncoder();

/** `work(units)`: what a builtin does beyond a step, told before it does it (one unit an item of a list, or 64 bytes of a string). */
export function callBuiltin(name: 'len' | 'hex' | 'min' | 'max' | 'range', args: readonly Value[], at: () => SourcePoint, work: (units: number) => void = () => {}): Value {
  const [first, second] = args;
  assert(first !== undefined, `${name}() without arguments`);
  switch (name) {
    case 'len':
      // A string's length is its bytes in UTF-8: what it occupies in memory (encoding it is work: 64 bytes a step).
      if (first.kind === 'str') work(first.value.length >> 6);
      return int(BigInt(first.kind === 'list' || first.kind === 'paths' ? first.items.length : first.kind === 'bytes' ? first.value.length : first.kind === 'str' ? utf8.encode(first.value).length : 0));
    case 'hex':
      if (first.kind === 'bytes' || first.kind === 'str') work(first.value.length >> 6);
      if (first.kind === 'bytes') return { kind: 'str', value: toHex(first.value) };
      if (first.kind === 'str') return { kind: 'str', value: toHex(utf8.encode(first.value)) };
      return { kind: 'str', value: hexAddress(numeric(first)!.value) };
    case 'min':
    case 'max': {
      const items = args.length === 1 && first.kind === 'list' ? first.items : args;
      work(items.length);
      if (items.length === 0) throw new RecipeError('empty-list', `${name}() of an empty list`, { ...at(), hint: 'check len(list) > 0 first' });
      let best = numeric(items[0]!)!;
      let allPointers = true;
      for (const item of items) {
        const n = numeric(item)!;
        if (n.kind !== 'ptr') allPointers = false;
        if (name === 'min' ? n.value < best.value : n.value > best.value) best = n;
      }
      return allPointers ? ptr(best.value) : int(best.value);
    }
    case 'range': {
      const start = numeric(first)!.value;
      const size = numeric(second!)!.value;
      if (size < 0n) throw new RecipeError('bad-range', `range() of negative size ${size}`, { ...at(), hint: 'give the size in bytes, 0 or more' });
      return { kind: 'region', start, end: start + size, path: '' };
    }
  }
}
