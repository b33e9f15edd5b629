// What a whole struct, union or array shows as when a recipe prints or emits
// it (`emit player = p`): plain data in the plan, made from its C type by
// dsl/shape-of.ts and decoded by runtime/evaluation/decode-shape.ts. Pointers
// show as addresses, never followed; depth and element counts are bounded,
// and where a shape was cut it says so.

export type Shape =
  | { readonly kind: 'int'; readonly size: 1 | 2 | 4 | 8; readonly signed: boolean; readonly bigEndian: boolean }
  | { readonly kind: 'float'; readonly size: 4 | 8; readonly bigEndian: boolean }
  | { readonly kind: 'bool'; readonly size: number }
  | { readonly kind: 'ptr' }
  /** Values as decimal strings (plans keep integers exact); a value no enumerator has shows as its number. */
  | { readonly kind: 'enum'; readonly size: 1 | 2 | 4 | 8; readonly signed: boolean; readonly names: readonly (readonly [value: string, name: string])[] }
  /** `char[N]`: the text up to the first NUL. */
  | { readonly kind: 'chars'; readonly size: number }
  /** Bytes pvm shows as hex: a 16-byte integer, a long double, anything without a simpler form. */
  | { readonly kind: 'bytes'; readonly size: number }
  /** `shown` of `count` elements, `stride` bytes apart; the rest are counted, not shown. */
  | { readonly kind: 'array'; readonly element: Shape; readonly count: number; readonly shown: number; readonly stride: number }
  | { readonly kind: 'struct'; readonly fields: readonly ShapeField[] }
  /** Past the depth shown: what it is, for people to ask for with `.field`. */
  | { readonly kind: 'cut'; readonly text: string };

export interface ShapeField {
  readonly name: string;
  readonly offset: number;
  readonly shape: Shape;
  /** A bitfield: `size` bits from bit `offset` of the bytes at the field's offset (least significant first). */
  readonly bits?: { readonly offset: number; readonly size: number };
}
