// Bytes and addresses as lowercase hex: how plans carry them and how output shows them (README, `--json`).
import { Buffer } from 'node:buffer';

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** `0x7f3a…`, lowercase, no leading zeros: how addresses appear everywhere. */
export function hexAddress(value: bigint): string {
  return value < 0n ? `-0x${(-value).toString(16)}` : `0x${value.toString(16)}`;
}

/** The bytes of `hex` (two digits a byte, either case), in an array of their own; throws unless it is all such pairs. */
export function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length >>> 1);
  // Buffer's decoder stops at the first pair that is not hex, and drops an odd last digit: both are refused.
  const decoded = Buffer.from(bytes.buffer).write(hex, 'hex');
  if (hex.length % 2 !== 0 || decoded !== bytes.length) throw new Error(`not hex bytes: ${hex.length > 40 ? `${hex.slice(0, 40)}…` : hex}`);
  return bytes;
}

/** Bytes (or their hex) as recipes write them: `hex"48 8b 05"`, a space between bytes. */
export function hexLiteral(bytes: string | Uint8Array): string {
  const hex = typeof bytes === 'string' ? bytes : toHex(bytes);
  return `hex"${hex.replace(/(..)(?!$)/g, '$1 ')}"`;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Bytes a message quotes at most: a 200 000-byte needle was spread into one call (a stack overflow, exit 70), and quoted whole. */
const QUOTED_BYTES = 256;

/** Bytes as a recipe would write them: a string literal when they are printable ASCII, else `hex"…"`; past QUOTED_BYTES, cut (`…`) and counted. */
export function bytesLiteral(bytes: Uint8Array): string {
  const shown = bytes.subarray(0, QUOTED_BYTES);
  const printable = bytes.length > 0 && bytes.every((b) => b >= 0x20 && b < 0x7f);
  const literal = printable ? JSON.stringify(String.fromCharCode(...shown)) : hexLiteral(shown);
  return bytes.length > QUOTED_BYTES ? `${literal}… (${bytes.length} bytes)` : literal;
}

/** A pattern as a recipe wrote it, `hex"48 8b ?? …"`, cut past QUOTED_BYTES * 3 characters (a message never echoes a 4 MiB pattern). */
export function patternLiteral(text: string): string {
  const limit = QUOTED_BYTES * 3;
  return text.length > limit ? `hex"${text.slice(0, limit)}…" (${text.length} characters)` : `hex"${text}"`;
}

/** hexLiteral for a message: past QUOTED_BYTES, cut (`…`) and counted. */
export function quotedHex(bytes: Uint8Array): string {
  return bytes.length > QUOTED_BYTES ? `${hexLiteral(bytes.subarray(0, QUOTED_BYTES))}… (${bytes.length} bytes)` : hexLiteral(bytes);
}
