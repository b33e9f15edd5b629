// A typed object's bytes as the value `print` and `emit` show (plan/shape.ts):
// members by name, arrays as lists, pointers as addresses, enums by name,
// `char[N]` as text. What the shape cut says so in the value.
import type { Shape } from '../../plan/shape.ts';
import { PTR_TYPE } from '../../plan/plan.ts';
import { decodeInteger, type Value } from './value.ts';
import { toBigInt } from './exact-int.ts';

const utf8 = new TextDecoder();

/** The value of `shape` at `offset` in `bytes` (which hold the whole object). */
export function decodeShape(shape: Shape, bytes: Uint8Array, offset: number): Value {
  switch (shape.kind) {
    case 'int':
      return { kind: 'int', value: integerAt(shape, bytes, offset) };
    case 'enum': {
      const value = integerAt({ size: shape.size, signed: shape.signed, bigEndian: false }, bytes, offset);
      const name = shape.names.find(([v]) => v === value.toString())?.[1];
      return name === undefined ? { kind: 'int', value } : { kind: 'int', value, name };
    }
    case 'bool':
      return { kind: 'bool', value: bytes.subarray(offset, offset + shape.size).some((b) => b !== 0) };
    case 'float': {
      const view = new DataView(bytes.buffer, bytes.byteOffset + offset, shape.size);
      return { kind: 'float', value: shape.size === 4 ? view.getFloat32(0, !shape.bigEndian) : view.getFloat64(0, !shape.bigEndian) };
    }
    case 'ptr':
      return { kind: 'ptr', value: toBigInt(decodeInteger(PTR_TYPE, bytes, offset)) };
    case 'chars': {
      const chars = bytes.subarray(offset, offset + shape.size);
      const nul = chars.indexOf(0);
      return { kind: 'str', value: utf8.decode(nul < 0 ? chars : chars.subarray(0, nul)) };
    }
    case 'bytes':
      return { kind: 'bytes', value: bytes.slice(offset, offset + shape.size) };
    case 'array': {
      const items: Value[] = [];
      for (let i = 0; i < shape.shown; i++) items.push(decodeShape(shape.element, bytes, offset + i * shape.stride));
      if (shape.count > shape.shown) items.push({ kind: 'str', value: `… ${shape.count - shape.shown} more` });
      return { kind: 'list', items };
    }
    case 'struct':
      return {
        kind: 'object',
        fields: shape.fields.map((field) => {
          if (field.bits === undefined) return [field.name, decodeShape(field.shape, bytes, offset + field.offset)] as const;
          return [field.name, bitfield(field.shape, field.bits, bytes, offset + field.offset)] as const;
        }),
      };
    case 'cut':
      return { kind: 'str', value: shape.text };
  }
}

function integerAt(shape: { size: 1 | 2 | 4 | 8; signed: boolean; bigEndian: boolean }, bytes: Uint8Array, offset: number): bigint {
  return toBigInt(decodeInteger({ kind: 'int', name: '', size: shape.size, signed: shape.signed, bigEndian: shape.bigEndian }, bytes, offset));
}

/** `bits.size` bits from bit `bits.offset` (least significant first) of the bytes at `offset`. */
function bitfield(shape: Shape, bits: { offset: number; size: number }, bytes: Uint8Array, offset: number): Value {
  let raw = 0n;
  const first = offset + (bits.offset >> 3);
  const count = Math.ceil(((bits.offset & 7) + bits.size) / 8);
  for (let i = count - 1; i >= 0; i--) raw = (raw << 8n) | BigInt(bytes[first + i] ?? 0);
  let value = (raw >> BigInt(bits.offset & 7)) & ((1n << BigInt(bits.size)) - 1n);
  const signed = (shape.kind === 'int' || shape.kind === 'enum') && shape.signed;
  if (signed && value >= 1n << BigInt(bits.size - 1)) value -= 1n << BigInt(bits.size);
  if (shape.kind === 'bool') return { kind: 'bool', value: value !== 0n };
  if (shape.kind === 'enum') {
    const name = shape.names.find(([v]) => v === value.toString())?.[1];
    return name === undefined ? { kind: 'int', value } : { kind: 'int', value, name };
  }
  return { kind: 'int', value };
}
