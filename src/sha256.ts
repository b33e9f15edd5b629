// SHA-256, the one hash pvm uses (recipes, policies, journals, reports), as
// lowercase hex. On Bun, node:crypto takes ~12 ms to load (it brings Node's
// streams with it), which every run paid for its recipe's hash: Bun's own
// hasher is used there. Elsewhere node:crypto is loaded on first use.
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
  return sha256().update(data).hex();
}
