// SHA-256 as lowercase hex (recipes, policies, journals, reports, dumps), by
// the platform: Bun's own hasher on Bun, node:crypto elsewhere (Node and
// Deno). node:crypto takes milliseconds to load (~6 on Node, ~20 on Deno and
// Bun, a quiet machine's cold starts), so it is loaded on first use, and a
// run that records nothing (no report, journal or dump) never hashes: a
// recipe's digest is computed when something reads it (recipeIdentity).
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
    // Synchronous, as its callers are (a journal line is hashed as it is appended): createRequire, not import().
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

/** A recipe's name and sha256, the digest computed when first read (by a report, a journal entry or `pvm plan`). */
export function recipeIdentity(name: string, text: string): { readonly name: string; readonly sha256: string } {
  let digest: string | undefined;
  return {
    name,
    get sha256() {
      return (digest ??= sha256Hex(text));
    },
  };
}
