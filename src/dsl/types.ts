// The recipe's type names and what they mean in memory (docs/language.md).
// Little-endian unless the name ends in `be`; ptr is 8 bytes (x86-64, arm64).
import type { MemoryType } from '../plan/plan.ts';
import type * as Ast from './ast.ts';
import { closest } from '../suggest.ts';

export const DEFAULT_CSTRING_MAX = 4096;

/** Largest `cstring max N` and `bytes N`: one page-run large enough for any sane value. */
export const MAX_SIZED_READ = 1 << 20;

type Scalar = MemoryType & { kind: 'int' | 'float' | 'ptr' };

function integer(size: 1 | 2 | 4 | 8, signed: boolean, bigEndian: boolean): Scalar {
  const name = `${signed ? 'i' : 'u'}${size * 8}${bigEndian ? 'be' : ''}`;
  return { kind: 'int', name, size, signed, bigEndian };
}

function float(size: 4 | 8, bigEndian: boolean): Scalar {
  return { kind: 'float', name: `f${size * 8}${bigEndian ? 'be' : ''}`, size, bigEndian };
}

const SCALARS: ReadonlyMap<string, Scalar> = new Map(
  [
    ...[1, 2, 4, 8].flatMap((size) => [false, true].flatMap((signed) => (size === 1 ? [false] : [false, true]).map((be) => integer(size as 1 | 2 | 4 | 8, signed, be)))),
    float(4, false),
    float(8, false),
    float(4, true),
    float(8, true),
    { kind: 'ptr', name: 'ptr', size: 8 } as const,
  ].map((t) => [t.name, t]),
);

/** Every type name a recipe may write, for "expected …" messages and did-you-mean. */
export const TYPE_NAMES: readonly string[] = [
  'u8',
  'u16',
  'u32',
  'u64',
  'i8',
  'i16',
  'i32',
  'i64',
  'f32',
  'f64',
  'ptr',
  'cstring',
  'bytes',
  'utf16',
  'u16be',
  'u32be',
  'u64be',
  'i16be',
  'i32be',
  'i64be',
  'f32be',
  'f64be',
];

/**
 * "did you mean …" for a type name no recipe may write, or undefined: `u24` is between sizes that exist ("'u16'
 * or 'u32'", `u128` "'u64'", `f16` "'f32'"), where the closest name by spelling would be `u64`; any other
 * name, the closest of `candidates`.
 */
export function typeNameHint(name: string, candidates: Iterable<string>): string | undefined {
  const sized = /^([uif])([0-9]{1,4})(be)?$/.exec(name);
  if (sized !== null) {
    const [, family, digits, be = ''] = sized;
    if (be !== '' && SCALARS.has(`${family}${digits}`)) return `did you mean '${family}${digits}'? (a byte has no byte order)`;
    const bits = Number(digits);
    const sizes = family === 'f' ? [32, 64] : [8, 16, 32, 64];
    const below = sizes.filter((size) => size < bits).at(-1);
    const above = sizes.find((size) => size > bits);
    const near = [below, above].map((size) => `${family}${size}${be}`).filter((type) => SCALARS.has(type));
    if (near.length > 0) return `did you mean ${near.map((type) => `'${type}'`).join(' or ')}? (the ${family === 'f' ? 'floats are' : 'integers are'} ${sizes.join(', ').replace(/, (?=[0-9]+$)/, ' and ')} bits)`;
  }
  // A shortening (`str` for string, `cstr` for cstring) before a name one letter away (`ptr`).
  const names = [...candidates];
  const near = (name.length >= 3 ? names.find((candidate) => candidate.startsWith(name)) : undefined) ?? closest(name, names);
  return near === undefined ? undefined : `did you mean '${near}'?`;
}

/** A scalar type by name, or undefined. Sized types (cstring, bytes, utf16) are built by the checker. */
export function scalarType(name: string): Scalar | undefined {
  return SCALARS.get(name);
}

export function cstringType(max: number): MemoryType {
  return { kind: 'cstring', name: 'cstring', max };
}

/** `param hits: list`: a param type that is not a memory type. */
export function isListType(type: Ast.TypeRef): boolean {
  return type.name === 'list' && type.size === undefined;
}

/** `param paths: paths`: pointer paths a pointerscan found, saved from an earlier run. */
export function isPathsType(type: Ast.TypeRef): boolean {
  return type.name === 'paths' && type.size === undefined;
}

/** `param needle: string`: the other param type that is not a memory type. */
export function isStringType(type: Ast.TypeRef): boolean {
  return type.name === 'string' && type.size === undefined;
}
