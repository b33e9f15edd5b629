// OpenSSH's wire encoding (RFC 4251 §5), as its keys and signatures use it:
// a uint32, a `string` (a uint32 length, then that many bytes) and an
// `mpint` (a string holding a big-endian two's-complement integer). Read
// from anyone's file, so every read is bounded by what is there: a short or
// lying length is a WireError saying which field and where, never a crash.

/** The longest name read (OpenSSH's are a few dozen bytes: `ecdsa-sha2-nistp256`, `sk-ssh-ed25519@openssh.com`). */
const MAX_NAME = 256;

/** A field that is not there, or not what it must be; `message` says which and why. */
export class WireError extends Error {}

export class WireReader {
  readonly #bytes: Uint8Array;
  /** The name of what is read (`the signature`), for messages. */
  readonly what: string;
  #at = 0;

  constructor(bytes: Uint8Array, what: string) {
    this.#bytes = bytes;
    this.what = what;
  }

  get done(): boolean {
    return this.#at === this.#bytes.length;
  }

  uint32(field: string): number {
    if (this.#bytes.length - this.#at < 4) throw this.#cut(field);
    const b = this.#bytes;
    const value = ((b[this.#at]! << 24) >>> 0) + (b[this.#at + 1]! << 16) + (b[this.#at + 2]! << 8) + b[this.#at + 3]!;
    this.#at += 4;
    return value;
  }

  /** `length` raw bytes (a view: not copied). */
  bytes(length: number, field: string): Uint8Array {
    if (this.#bytes.length - this.#at < length) throw this.#cut(field);
    this.#at += length;
    return this.#bytes.subarray(this.#at - length, this.#at);
  }

  /** The bytes of a `string` field (a view: not copied). */
  string(field: string): Uint8Array {
    const start = this.#at;
    const length = this.uint32(field);
    if (length > this.#bytes.length - this.#at) {
      this.#at = start;
      throw new WireError(`${this.what} is cut short: its ${field} (at byte ${start}) says ${length} bytes, and ${this.#bytes.length - start - 4} follow`);
    }
    const value = this.#bytes.subarray(this.#at, this.#at + length);
    this.#at += length;
    return value;
  }

  /** A `string` field that must be a name in ASCII (a key type, a namespace), of at most MAX_NAME bytes. */
  text(field: string): string {
    const bytes = this.string(field);
    if (bytes.length > MAX_NAME) throw new WireError(`${this.what}: its ${field} is ${bytes.length} bytes, too long for a name`);
    if (bytes.some((b) => b < 0x20 || b > 0x7e)) throw new WireError(`${this.what}: its ${field} is not text`);
    return String.fromCharCode(...bytes);
  }

  /** A non-negative `mpint`, its magnitude big-endian without leading zeros. */
  unsignedMpint(field: string): Uint8Array {
    const bytes = this.string(field);
    if (bytes.length > 0 && (bytes[0]! & 0x80) !== 0) throw new WireError(`${this.what}: its ${field} is a negative number`);
    let first = 0;
    while (first < bytes.length && bytes[first] === 0) first++;
    return bytes.subarray(first);
  }

  /** Refuses bytes left after the last field: a blob is exactly its fields. */
  end(): void {
    if (!this.done) throw new WireError(`${this.what} has ${this.#bytes.length - this.#at} bytes after its last field`);
  }

  #cut(field: string): WireError {
    return new WireError(`${this.what} is cut short: it ends before its ${field} (at byte ${this.#at})`);
  }
}
