// Values → bytes for `write`, `patch` and `scan` (see Encoding in plan.ts).
// Integers are exact: a value out of its type's range is an error, never a wrap.
import { type ErrorCode, RecipeError } from '../../errors.ts';
import { integerRange } from '../../plan/arithmetic.ts';
import type { Encoding } from '../../plan/plan.ts';
import type { Pattern } from '../../plan/pattern.ts';
import type { SourcePoint } from '../locate.ts';
import { numeric, type Value } from './value.ts';
import { hexAddress } from '../../bytes.ts';
import { sizedMisfit } from '../../plan/sized-value.ts';

const utf8 = new TextEncoder();

/** Bytes to write or find, or a pattern (only where the checker allows one: scan, expect). */
export type Encoded = { readonly kind: 'bytes'; readonly bytes: Uint8Array } | { readonly kind: 'pattern'; readonly pattern: Pattern; readonly text: string };

export function encode(encoding: Encoding, value: Value, at: () => SourcePoint): Encoded {
  const fail = (code: ErrorCode, message: string, hint: string): never => {
    throw new RecipeError(code, message, { ...at(), hint });
  };
  const bytes = (b: Uint8Array): Encoded => ({ kind: 'bytes', bytes: b });
  switch (encoding.kind) {
    case 'scalar': {
      const type = encoding.type;
      const out = new Uint8Array(type.size);
      const view = new DataView(out.buffer);
      if (type.kind === 'float') {
        const n = value.kind === 'float' ? value.value : Number(numeric(value)!.value);
        if (type.size === 4) view.setFloat32(0, n, !type.bigEndian);
        else view.setFloat64(0, n, !type.bigEndian);
        return bytes(out);
      }
      const n = numeric(value)!.value;
      const range = type.kind === 'ptr' ? { min: 0n, max: (1n << 64n) - 1n } : integerRange(type);
      if (n < range.min || n > range.max) {
        const shown = value.kind === 'ptr' ? hexAddress(n) : String(n);
        fail('range', `${shown} does not fit ${type.name} (${range.min} to ${range.max})`, 'use a wider type, or check the value: pvm never wraps integers');
      }
      const little = type.kind === 'ptr' || !type.bigEndian;
      // Two's complement of the exact value, byte by byte.
      let bits = n < 0n ? (1n << BigInt(type.size * 8)) + n : n;
      for (let i = 0; i < type.size; i++) {
        out[little ? i : type.size - 1 - i] = Number(bits & 0xffn);
        bits >>= 8n;
      }
      return bytes(out);
    }
    case 'raw': {
      if (value.kind === 'pattern') return { kind: 'pattern', pattern: value.pattern, text: value.text };
      const raw = value.kind === 'bytes' ? value.value : utf8.encode(value.kind === 'str' ? value.value : '');
      const misfit = encoding.size === undefined ? undefined : sizedMisfit('bytes', encoding.size, raw.length, 0);
      if (misfit !== undefined) fail('size', misfit.message, misfit.hint);
      return bytes(raw);
    }
    case 'utf16': {
      const text = value.kind === 'str' ? value.value : '';
      const misfit = encoding.units === undefined ? undefined : sizedMisfit('utf16', encoding.units, 0, text.length);
      if (misfit !== undefined) fail('size', misfit.message, misfit.hint);
      const out = new Uint8Array(text.length * 2);
      const view = new DataView(out.buffer);
      for (let i = 0; i < text.length; i++) view.setUint16(i * 2, text.charCodeAt(i), true);
      return bytes(out);
    }
    case 'cstring': {
      const raw = value.kind === 'bytes' ? value.value : utf8.encode(value.kind === 'str' ? value.value : '');
      const out = new Uint8Array(raw.length + 1);
      out.set(raw);
      const misfit = encoding.max === undefined ? undefined : sizedMisfit('cstring', encoding.max, raw.length, 0);
      if (misfit !== undefined) fail('size', misfit.message, misfit.hint);
      return bytes(out);
    }
  }
}
