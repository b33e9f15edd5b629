// SHA-256, the one hash pvm uses (recipes, policies, journals, reports), as
// lowercase hex. node:crypto takes ~12 ms to load on Bun and 4–9 ms on Node
// alone (3.5 ms more in a pvm run, which loads the streams it brings anyway),
// which every run paid for its recipe's hash:
// Bun's own hasher is used there, and elsewhere a small input (most recipes
// and policies: up to SMALL_INPUT bytes) is hashed here in JavaScript.
// node:crypto is loaded on first use for the rest.
import { createRequire } from 'node:module';

export interface Sha256 {
  update(data: string | Uint8Array): Sha256;
  /** The hash of everything given, in hex; the hasher is done. */
  hex(): string;
}

interface NativeHasher {
  update(data: string | Uint8Array): unknown;
  digest(encoding: 'hex'): string;
}

const bunHasher = (globalThis as { Bun?: { CryptoHasher: new (algorithm: string) => NativeHasher } }).Bun?.CryptoHasher;
let createHash: ((algorithm: string) => NativeHasher) | undefined;

/** A hasher to feed piece by piece (a file read in chunks). */
export function sha256(): Sha256 {
  let hasher: NativeHasher;
  if (bunHasher !== undefined) hasher = new bunHasher('sha256');
  else {
    createHash ??= (createRequire(import.meta.url)('node:crypto') as { createHash: (algorithm: string) => NativeHasher }).createHash;
    hasher = createHash('sha256');
  }
  const self: Sha256 = {
    update(data) {
      hasher.update(data);
      return self;
    },
    hex: () => hasher.digest('hex'),
  };
  return self;
}

export function sha256Hex(data: string | Uint8Array): string {
  if (bunHasher === undefined && data.length <= SMALL_INPUT) {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    if (bytes.length <= SMALL_INPUT) return smallSha256(bytes);
  }
  return sha256().update(data).hex();
}

/**
 * Inputs hashed in JavaScript: a one-line recipe takes ~1 ms cold, 2 KiB ~2 ms,
 * against ~4–9 ms to load node:crypto; at 8 KiB the two cost about the same,
 * and past it node:crypto wins (64 KiB took 16–32 ms here: a cold review).
 */
const SMALL_INPUT = 4 << 10;

const ROUND_CONSTANTS = new Int32Array([
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
]);

/** FIPS 180-4 SHA-256 of `bytes`, in hex. */
function smallSha256(bytes: Uint8Array): string {
  // The message, a 1 bit, zeros, and its length in bits (big-endian) fill whole 64-byte blocks.
  const blocks = Math.ceil((bytes.length + 9) / 64);
  const padded = new Uint8Array(blocks * 64);
  padded.set(bytes);
  padded[bytes.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(bytes.length / 0x20000000));
  view.setUint32(padded.length - 4, (bytes.length * 8) >>> 0);
  const state = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const w = new Int32Array(64);
  const rotate = (x: number, n: number) => (x >>> n) | (x << (32 - n));
  for (let block = 0; block < blocks; block++) {
    for (let t = 0; t < 16; t++) w[t] = view.getInt32(block * 64 + t * 4);
    for (let t = 16; t < 64; t++) {
      const s0 = rotate(w[t - 15]!, 7) ^ rotate(w[t - 15]!, 18) ^ (w[t - 15]! >>> 3);
      const s1 = rotate(w[t - 2]!, 17) ^ rotate(w[t - 2]!, 19) ^ (w[t - 2]! >>> 10);
      w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0;
    }
    let [a, b, c, d, e, f, g, h] = state as unknown as number[];
    for (let t = 0; t < 64; t++) {
      const t1 = (h! + (rotate(e!, 6) ^ rotate(e!, 11) ^ rotate(e!, 25)) + ((e! & f!) ^ (~e! & g!)) + ROUND_CONSTANTS[t]! + w[t]!) | 0;
      const t2 = ((rotate(a!, 2) ^ rotate(a!, 13) ^ rotate(a!, 22)) + ((a! & b!) ^ (a! & c!) ^ (b! & c!))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d! + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    state[0] = state[0]! + a!;
    state[1] = state[1]! + b!;
    state[2] = state[2]! + c!;
    state[3] = state[3]! + d!;
    state[4] = state[4]! + e!;
    state[5] = state[5]! + f!;
    state[6] = state[6]! + g!;
    state[7] = state[7]! + h!;
  }
  return Array.from(state, (word) => (word >>> 0).toString(16).padStart(8, '0')).join('');
}
