// Reading DWARF's encodings (fixed-size little-endian integers, LEB128,
// NUL-terminated strings) from a section's bytes, every read checked
// against the section's end: a truncated or lying section is a
// DwarfFormatError naming where, never a read past the bytes.
import { DwarfFormatError } from './dwarf-error.ts';

const TWO_32 = 2 ** 32;

export class ByteCursor {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** The section's name, for messages. */
  readonly section: string;
  offset: number;

  constructor(bytes: Uint8Array, section: string, offset = 0) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.section = section;
    this.offset = offset;
  }

  /** Throws unless `n` more bytes are there. */
  need(n: number): void {
    if (this.offset < 0 || this.offset + n > this.bytes.length) throw this.truncated();
  }

  truncated(): DwarfFormatError {
    return new DwarfFormatError(`${this.section} ends inside an entry at offset 0x${this.offset.toString(16)} (truncated or corrupt)`);
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.offset++]!;
  }

  u16(): number {
    this.need(2);
    const value = this.view.getUint16(this.offset, true);
    this.offset += 2;
    return value;
  }

  u24(): number {
    this.need(3);
    const b = this.bytes;
    const at = this.offset;
    this.offset += 3;
    return b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
  }

  u32(): number {
    this.need(4);
    const value = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return value;
  }

  /** A 64-bit value as a number: exact below 2^53, and beyond that only ever an absurd size or offset, which the caller refuses. */
  u64(): number {
    this.need(8);
    const low = this.view.getUint32(this.offset, true);
    const high = this.view.getUint32(this.offset + 4, true);
    this.offset += 8;
    return high * TWO_32 + low;
  }

  u64Big(): bigint {
    this.need(8);
    const value = this.view.getBigUint64(this.offset, true);
    this.offset += 8;
    return value;
  }

  /** An unsigned offset of `size` bytes (4 in 32-bit DWARF, 8 in 64-bit). */
  offsetOf(size: number): number {
    return size === 4 ? this.u32() : this.u64();
  }

  /** Unsigned LEB128 as a number (beyond 2^53 it is no longer exact: only absurd values lie there). */
  uleb(): number {
    const b = this.bytes;
    let result = 0;
    let scale = 1;
    for (let at = this.offset; at < b.length; at++) {
      const byte = b[at]!;
      result += (byte & 0x7f) * scale;
      scale *= 128;
      if (byte < 0x80) {
        this.offset = at + 1;
        return result;
      }
    }
    throw this.truncated();
  }

  sleb(): number {
    const b = this.bytes;
    let result = 0;
    let scale = 1;
    for (let at = this.offset; at < b.length; at++) {
      const byte = b[at]!;
      result += (byte & 0x7f) * scale;
      scale *= 128;
      if (byte < 0x80) {
        this.offset = at + 1;
        return (byte & 0x40) !== 0 ? result - scale : result;
      }
    }
    throw this.truncated();
  }

  ulebBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.u8();
      if (shift < 128n) result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if (byte < 0x80) return result;
    }
  }

  slebBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.u8();
      if (shift < 128n) result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if (byte < 0x80) return (byte & 0x40) !== 0 && shift < 136n ? result - (1n << shift) : result;
    }
  }

  /** Skips a NUL-terminated string, returning where it began. */
  skipString(): number {
    const start = this.offset;
    const end = this.bytes.indexOf(0, start);
    if (end < 0) throw this.truncated();
    this.offset = end + 1;
    return start;
  }

  skip(n: number): void {
    this.need(n);
    this.offset += n;
  }
}

/** The NUL-terminated string at `at` in `bytes` (most names are ASCII: decoded without a TextDecoder call). */
export function stringAt(bytes: Uint8Array, at: number, section: string): string {
  if (at < 0 || at >= bytes.length) throw new DwarfFormatError(`a string offset 0x${at.toString(16)} lies outside ${section} (${bytes.length} bytes)`);
  const end = bytes.indexOf(0, at);
  if (end < 0) throw new DwarfFormatError(`the string at 0x${at.toString(16)} in ${section} has no end (truncated)`);
  let ascii = true;
  for (let i = at; i < end; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (!ascii || end - at > 1024) return decoder.decode(bytes.subarray(at, end));
  let text = '';
  for (let i = at; i < end; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

const decoder = new TextDecoder();
