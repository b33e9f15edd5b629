import { expect, it } from 'vitest';
import { fromHex, toHex } from '../src/bytes.ts';

it('writes bytes as lowercase hex, of a view as much as of a whole array', () => {
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
  expect(toHex(bytes)).toBe(Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(''));
  expect(toHex(bytes.subarray(254))).toBe('feff');
  expect(toHex(new Uint8Array())).toBe('');
});

it('reads hex back into an array of its own, and refuses an odd digit or a pair that is not hex', () => {
  const bytes = fromHex('00ff7fAb');
  expect(bytes).toEqual(new Uint8Array([0, 255, 127, 0xab]));
  expect(bytes.byteOffset === 0 && bytes.buffer.byteLength === 4).toBe(true);
  expect(fromHex('')).toEqual(new Uint8Array());
  expect(() => fromHex('abc')).toThrow('not hex bytes');
  expect(() => fromHex('0g12')).toThrow('not hex bytes');
  expect(() => fromHex('12 3')).toThrow('not hex bytes');
});
