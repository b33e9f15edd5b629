// OpenSSH public keys: the one-line form of a `.pub` file (`TYPE BASE64
// [COMMENT]`, what a policy's recipes.signers lists), the key blob inside it
// (what an SSH signature carries, and what keys are compared by: never their
// comments), and its fingerprint as `ssh-keygen -l` prints it. The types
// pvm verifies are those node:crypto verifies on Node, Bun and Deno:
// Ed25519, ECDSA on the NIST curves, RSA. Nothing here loads node:crypto:
// a policy's keys are checked when it is read, by every run under it.
import { Buffer } from 'node:buffer';
import { sha256 } from '../digest.ts';
import { WireError, WireReader } from './ssh-wire.ts';

export const KEY_TYPES = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-rsa'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** A public key as node:crypto's createPublicKey takes it ({ key: jwk, format: 'jwk' }). */
export type PublicJwk =
  | { readonly kty: 'OKP'; readonly crv: 'Ed25519'; readonly x: string }
  | { readonly kty: 'EC'; readonly crv: 'P-256' | 'P-384' | 'P-521'; readonly x: string; readonly y: string }
  | { readonly kty: 'RSA'; readonly n: string; readonly e: string };

export interface SshPublicKey {
  readonly type: KeyType;
  /** The key's wire form: what is compared, and what its fingerprint is of. */
  readonly blob: Uint8Array;
  readonly jwk: PublicJwk;
}

export interface KeyLine {
  readonly key: SshPublicKey;
  readonly comment: string | undefined;
}

/** The ECDSA curves: the name in the key, node:crypto's, the bytes of a coordinate, and the hash SSH signs with. */
const CURVES = {
  nistp256: { crv: 'P-256', bytes: 32, hash: 'sha256' },
  nistp384: { crv: 'P-384', bytes: 48, hash: 'sha384' },
  nistp521: { crv: 'P-521', bytes: 66, hash: 'sha512' },
} as const;

/** OpenSSH refuses shorter RSA keys (SSH_RSA_MINIMUM_MODULUS_SIZE). */
const MIN_RSA_BITS = 1024;

/** A key line (`ssh-ed25519 AAAA… name`, a `.pub` file's line); throws an Error saying what is wrong with it. */
export function parseKeyLine(line: string): KeyLine {
  const words = /^(\S+)[ \t]+(\S+)(?:[ \t]+(.*?))?[ \t]*$/.exec(line.trim());
  if (words === null) throw new Error('expected TYPE BASE64 [COMMENT], as the line of a .pub file (ssh-ed25519 AAAA… name)');
  const [, type, base64, comment] = words as unknown as [string, string, string, string | undefined];
  if (!isKeyType(type)) {
    if (isKeyType(base64)) throw new Error(`it starts with "${type}", not a key type: an allowed_signers line puts a principal first; give the key as its .pub file has it (TYPE BASE64 [COMMENT])`);
    throw new Error(`"${type}" is not a key type pvm verifies (${KEY_TYPES.join(', ')})`);
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) throw new Error('its key is not base64');
  const key = parseKeyBlob(Buffer.from(base64, 'base64'), 'the key');
  if (key.type !== type) throw new Error(`the line says ${type}, and the key in it is ${key.type}`);
  return { key, comment: comment === '' ? undefined : comment };
}

/** A key blob (the wire form); throws a WireError naming `what` and saying what is wrong with it. */
export function parseKeyBlob(blob: Uint8Array, what: string): SshPublicKey {
  const reader = new WireReader(blob, what);
  const type = reader.text('key type');
  if (!isKeyType(type)) throw new WireError(`${what} is of type ${type}, which pvm does not verify (it verifies ${KEY_TYPES.join(', ')})`);
  let jwk: PublicJwk;
  if (type === 'ssh-ed25519') {
    const point = reader.string('Ed25519 key');
    if (point.length !== 32) throw new WireError(`${what}: an Ed25519 key is 32 bytes, not ${point.length}`);
    jwk = { kty: 'OKP', crv: 'Ed25519', x: base64url(point) };
  } else if (type === 'ssh-rsa') {
    const e = reader.unsignedMpint('RSA exponent');
    const n = reader.unsignedMpint('RSA modulus');
    const bits = n.length === 0 ? 0 : n.length * 8 - Math.clz32(n[0]!) + 24;
    if (bits < MIN_RSA_BITS) throw new WireError(`${what}: an RSA key of ${bits} bits, fewer than the ${MIN_RSA_BITS} OpenSSH accepts`);
    if (e.length === 0) throw new WireError(`${what}: its RSA exponent is 0`);
    jwk = { kty: 'RSA', n: base64url(n), e: base64url(e) };
  } else {
    const curveName = type.slice('ecdsa-sha2-'.length) as keyof typeof CURVES;
    const curve = CURVES[curveName];
    const named = reader.text('curve name');
    if (named !== curveName) throw new WireError(`${what}: a key of type ${type} on the curve ${named}`);
    const point = reader.string('ECDSA point');
    if (point.length !== 1 + 2 * curve.bytes || point[0] !== 0x04) throw new WireError(`${what}: its ECDSA point is not an uncompressed point of ${curveName}`);
    jwk = { kty: 'EC', crv: curve.crv, x: base64url(point.subarray(1, 1 + curve.bytes)), y: base64url(point.subarray(1 + curve.bytes)) };
  }
  reader.end();
  return { type, blob, jwk };
}

/** `SHA256:` and the unpadded base64 of the blob's sha256, as `ssh-keygen -l` prints it. */
export function fingerprint(blob: Uint8Array): string {
  return `SHA256:${Buffer.from(sha256().update(blob).hex(), 'hex').toString('base64').replace(/=+$/, '')}`;
}

/** The key type as `ssh-keygen -l` names it in parentheses: ED25519, ECDSA, RSA. */
export function keyKind(type: KeyType): string {
  return type === 'ssh-ed25519' ? 'ED25519' : type === 'ssh-rsa' ? 'RSA' : 'ECDSA';
}

/** The hash an ECDSA key of this type signs with (SSH: by the curve's size). */
export function ecdsaHash(type: KeyType): 'sha256' | 'sha384' | 'sha512' | undefined {
  return type.startsWith('ecdsa-sha2-') ? CURVES[type.slice('ecdsa-sha2-'.length) as keyof typeof CURVES].hash : undefined;
}

/** The bytes of an ECDSA coordinate for this key type (a signature's r and s are padded to it). */
export function ecdsaBytes(type: KeyType): number | undefined {
  return type.startsWith('ecdsa-sha2-') ? CURVES[type.slice('ecdsa-sha2-'.length) as keyof typeof CURVES].bytes : undefined;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function isKeyType(word: string): word is KeyType {
  return (KEY_TYPES as readonly string[]).includes(word);
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}
