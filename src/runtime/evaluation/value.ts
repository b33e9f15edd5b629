// Runtime values. Integers are exact bigints: nothing wraps silently.
import type { MemoryType } from '../../plan/plan.ts';
import type { Pattern } from '../../plan/pattern.ts';
import { type ExactInt, exactInt, toBigInt } from './exact-int.ts';

export type Value =
  /** `name`: an enum's value, shown by its enumerator's name. */
  | { readonly kind: 'int'; readonly value: bigint; readonly name?: string }
  | { readonly kind: 'ptr'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'bool'; readonly value: boolean }
  /**
   * A module's or region's extent; used as an address, it is its start.
   * `parts`: the address ranges it really covers, for a module whose
   * mappings have gaps between them (scans and `.size` honour them).
   */
  | { readonly kind: 'region'; readonly start: bigint; readonly end: bigint; readonly path: string; readonly parts?: readonly { readonly start: bigint; readonly end: bigint }[] }
  | { readonly kind: 'bytes'; readonly value: Uint8Array }
  /**
   * Scan hits: addresses, in ascending order. `remembered`: each item's value
   * when a typed scan found it or a `narrow` kept it (item i's bytes at
   * i × size), which `narrow … changed` and the like compare with.
   */
  | { readonly kind: 'list'; readonly items: readonly Value[]; readonly remembered?: Remembered }
  /** Pointer paths (pointerscan, or a `paths` param), shortest first; `remembered` as a list's, once narrowed by a value. */
  | { readonly kind: 'paths'; readonly items: readonly PointerPath[]; readonly remembered?: Remembered }
  | { readonly kind: 'pattern'; readonly pattern: Pattern; readonly text: string }
  /** A struct or union read whole to be shown (`emit p`): its members, in order. */
  | { readonly kind: 'object'; readonly fields: readonly (readonly [name: string, value: Value])[] };

/**
 * `[[module("app") + 0x4040] + 0x18] + 0x0`: from its base, the pointer
 * there plus offsets[0], the pointer there plus offsets[1], and so on; the
 * last sum is where the path leads.
 */
export interface PointerPath {
  readonly base: PathBase;
  readonly offsets: readonly bigint[];
}

/**
 * Where a pointer path starts: `offset` past the start of the module
 * `module("…")` finds by `module`; or `offset` below the top of thread
 * `thread`'s stack (its index in threads(): the main thread's top is where
 * its stack was when the program started, `[symbol("__libc_stack_end")]`;
 * another thread's is its thread pointer, `reg(t, "fs_base")`, which glibc
 * places at the top of the thread's stack).
 */
export type PathBase =
  | { readonly kind: 'module'; readonly module: string; readonly offset: bigint }
  | { readonly kind: 'stack'; readonly thread: number; readonly offset: bigint };

/** The values a list's items held when it was made: `type` each, back to back. */
export interface Remembered {
  readonly type: MemoryType & { readonly kind: 'int' | 'float' | 'ptr' };
  readonly bytes: Uint8Array;
}

export const int = (value: bigint): Value => ({ kind: 'int', value });
export const ptr = (value: bigint): Value => ({ kind: 'ptr', value });
export const bool = (value: boolean): Value => ({ kind: 'bool', value });
export const str = (value: string): Value => ({ kind: 'str', value });

/** An integer or address operand; a region stands for its start. */
export function numeric(value: Value): { readonly kind: 'int' | 'ptr'; readonly value: bigint } | undefined {
  if (value.kind === 'int' || value.kind === 'ptr') return value;
  if (value.kind === 'region') return { kind: 'ptr', value: value.start };
  return undefined;
}

/** The bytes a region covers: its parts', not the span from its lowest start to its highest end. */
export function regionSize(region: Extract<Value, { kind: 'region' }>): bigint {
  return region.parts === undefined ? region.end - region.start : region.parts.reduce((sum, p) => sum + (p.end - p.start), 0n);
}

/** Decodes a value of `type` from the start of `bytes` (which must be long enough). */
export function decode(type: MemoryType & { kind: 'int' | 'float' | 'ptr' }, bytes: Uint8Array): Value {
  if (type.kind === 'float') {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { kind: 'float', value: type.size === 4 ? view.getFloat32(0, !type.bigEndian) : view.getFloat64(0, !type.bigEndian) };
  }
  const value = toBigInt(decodeInteger(type, bytes, 0));
  return type.kind === 'ptr' ? ptr(value) : int(value);
}

/**
 * An integer or pointer of `type` at `offset` in `bytes`, as an exact integer
 * (a number while safe: compiled loops keep it so). Little-endian values, the
 * common case, come straight from the bytes, with no DataView per value.
 */
export function decodeInteger(type: MemoryType & { kind: 'int' | 'ptr' }, bytes: Uint8Array, offset: number): ExactInt {
  const signed = type.kind === 'int' && type.signed;
  if (type.kind === 'ptr' || !type.bigEndian) {
    const size = type.size;
    if (size === 8) {
      const low = (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
      const high = (bytes[offset + 4]! | (bytes[offset + 5]! << 8) | (bytes[offset + 6]! << 16) | (bytes[offset + 7]! << 24)) >>> 0;
      // Below 2^53 in magnitude the value is exact as a number (-2^53 itself is not safe: a bigint, below).
      if (!signed && high < 0x200000) return high * 0x100000000 + low;
      if (signed && (high < 0x200000 || high >= 0xffe00000)) {
        const v = (high | 0) * 0x100000000 + low;
        if (v >= -Number.MAX_SAFE_INTEGER) return v;
      }
      const value = (BigInt(high) << 32n) | BigInt(low);
      return exactInt(signed ? BigInt.asIntN(64, value) : value);
    }
    let value = bytes[offset]!;
    if (size >= 2) value |= bytes[offset + 1]! << 8;
    if (size === 4) value = (value | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
    if (signed && value >= 2 ** (size * 8 - 1)) value -= 2 ** (size * 8);
    return value;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, type.size);
  switch (type.size) {
    case 1:
      return signed ? view.getInt8(0) : view.getUint8(0);
    case 2:
      return signed ? view.getInt16(0) : view.getUint16(0);
    case 4:
      return signed ? view.getInt32(0) : view.getUint32(0);
    case 8:
      return exactInt(signed ? view.getBigInt64(0) : view.getBigUint64(0));
  }
}

/** Bytes a read of `type` fetches: the size, `max` for a cstring, two per unit for utf16. */
export function readLength(type: MemoryType): number {
  return type.kind === 'cstring' ? type.max : type.kind === 'utf16' ? type.units * 2 : type.size;
}
