// OpenSSH's signatures of files (`ssh-keygen -Y sign`; the SSHSIG format of
// OpenSSH's PROTOCOL.sshsig): read from their armored text, and verified
// over a message's bytes with node:crypto alone, which Node, Bun and Deno
// all carry. What a signature signs is not the message but
//   "SSHSIG" || string(namespace) || string(reserved) || string(hash_algorithm) || string(H(message))
// so a signature made for one purpose (a git commit: namespace "git") never
// passes for another. A signature is anyone's file: any way it can be wrong
// is a SignatureProblem saying why, never a crash.
import { Buffer } from 'node:buffer';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { ecdsaBytes, ecdsaHash, parseKeyBlob, type SshPublicKey } from './ssh-keys.ts';
import { WireError, WireReader } from './ssh-wire.ts';

const BEGIN = '-----BEGIN SSH SIGNATURE-----';
const END = '-----END SSH SIGNATURE-----';
const MAGIC = 'SSHSIG';
const VERSION = 1;
/** The hashes of the message SSHSIG allows. */
const HASHES = ['sha256', 'sha512'] as const;

/** Why a signature cannot be used: it is no SSH signature pvm can read, or one of another namespace or algorithm; the message says which. */
export class SignatureProblem extends Error {}

export interface SshSignature {
  /** The key that made it, as the signature carries it. */
  readonly key: SshPublicKey;
  readonly namespace: string;
  readonly hashAlgorithm: (typeof HASHES)[number];
  /** The signed-data fields, as they are in the blob (reserved is signed, whatever it holds). */
  readonly reserved: Uint8Array;
  /** The signature algorithm (ssh-ed25519, rsa-sha2-512, ecdsa-sha2-nistp256 …) and its bytes. */
  readonly algorithm: string;
  readonly signature: Uint8Array;
}

/** The signature in an armored text (what `ssh-keygen -Y sign` writes to FILE.sig); throws a SignatureProblem. */
export function parseArmoredSignature(text: string): SshSignature {
  const trimmed = text.trim();
  if (!trimmed.startsWith(BEGIN)) throw new SignatureProblem(`it does not begin with ${BEGIN}`);
  const end = trimmed.indexOf(END);
  if (end < 0) throw new SignatureProblem(`it has no ${END} line (cut short?)`);
  if (end + END.length !== trimmed.length) throw new SignatureProblem(`it has text after its ${END} line`);
  const base64 = trimmed.slice(BEGIN.length, end).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0) throw new SignatureProblem('its armored text is not base64');
  return parseSignatureBlob(Buffer.from(base64, 'base64'));
}

/** The SSHSIG blob inside the armor. */
export function parseSignatureBlob(blob: Uint8Array): SshSignature {
  try {
    const reader = new WireReader(blob, 'the signature');
    if (Buffer.from(reader.bytes(MAGIC.length, 'magic')).toString('latin1') !== MAGIC) throw new WireError(`it does not begin with "${MAGIC}": not an SSH signature`);
    const version = reader.uint32('version');
    if (version !== VERSION) throw new WireError(`it is of version ${version}; pvm reads version ${VERSION}`);
    const key = parseKeyBlob(reader.string('public key'), "the signature's key");
    const namespace = reader.text('namespace');
    const reserved = reader.string('reserved field');
    const hashAlgorithm = reader.text('hash algorithm');
    if (!(HASHES as readonly string[]).includes(hashAlgorithm)) throw new WireError(`its hash algorithm is ${hashAlgorithm}, not ${HASHES.join(' or ')}`);
    const wrapped = new WireReader(reader.string('signature'), "the signature's signature field");
    reader.end();
    const algorithm = wrapped.text('algorithm');
    const signature = wrapped.string('signature bytes');
    wrapped.end();
    return { key, namespace, hashAlgorithm: hashAlgorithm as SshSignature['hashAlgorithm'], reserved, algorithm, signature };
  } catch (error) {
    if (error instanceof WireError) throw new SignatureProblem(error.message);
    throw error;
  }
}

/**
 * Whether `signature` signs `message` in `namespace` (its key is not judged here: the caller compares it with the
 * keys it trusts). Throws a SignatureProblem for one that cannot be checked (another namespace, an algorithm that
 * is not its key's, a malformed ECDSA signature); false when it is checked and does not hold.
 */
export function verifySignature(signature: SshSignature, message: Uint8Array, namespace: string): boolean {
  if (signature.namespace !== namespace) throw new SignatureProblem(`it was made for the namespace "${signature.namespace}", not "${namespace}"`);
  const { key, algorithm } = signature;
  const digest = createHash(signature.hashAlgorithm).update(message).digest();
  const signed = Buffer.concat([Buffer.from(MAGIC, 'latin1'), wireString(Buffer.from(signature.namespace, 'latin1')), wireString(signature.reserved), wireString(Buffer.from(signature.hashAlgorithm, 'latin1')), wireString(digest)]);
  let publicKey;
  try {
    publicKey = createPublicKey({ key: key.jwk as unknown as import('node:crypto').JsonWebKey, format: 'jwk' });
  } catch (error) {
    throw new SignatureProblem(`its key is not a valid ${key.type} key (${(error as Error).message})`);
  }
  const refused = (): never => {
    throw new SignatureProblem(
      `its signature is of the algorithm ${algorithm}, which is not one of its ${key.type} key's${algorithm === 'ssh-rsa' ? ' (ssh-rsa signs with SHA-1, which OpenSSH no longer accepts: sign again with a current ssh-keygen)' : ''}`,
    );
  };
  try {
    switch (key.type) {
      case 'ssh-ed25519':
        if (algorithm !== 'ssh-ed25519') refused();
        if (signature.signature.length !== 64) throw new SignatureProblem(`an Ed25519 signature is 64 bytes, not ${signature.signature.length}`);
        return verify(null, signed, publicKey, signature.signature);
      case 'ssh-rsa': {
        const hash = algorithm === 'rsa-sha2-256' ? 'sha256' : algorithm === 'rsa-sha2-512' ? 'sha512' : refused();
        return verify(hash, signed, publicKey, signature.signature);
      }
      default: {
        if (algorithm !== key.type) refused();
        const size = ecdsaBytes(key.type)!;
        // Two mpints, r and s; node:crypto takes them as r || s, each padded to the curve's size (IEEE P1363).
        const pair = new WireReader(signature.signature, 'the ECDSA signature');
        const r = pair.unsignedMpint('r');
        const s = pair.unsignedMpint('s');
        pair.end();
        if (r.length > size || s.length > size) throw new SignatureProblem(`its r or s is longer than ${size} bytes`);
        const p1363 = new Uint8Array(2 * size);
        p1363.set(r, size - r.length);
        p1363.set(s, 2 * size - s.length);
        return verify(ecdsaHash(key.type)!, signed, { key: publicKey, dsaEncoding: 'ieee-p1363' }, p1363);
      }
    }
  } catch (error) {
    if (error instanceof SignatureProblem) throw error;
    if (error instanceof WireError) throw new SignatureProblem(error.message);
    // A runtime's verify throws for some signatures it cannot parse, where another returns false: the same to us.
    return false;
  }
}

function wireString(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length);
  out.set(bytes, 4);
  return out;
}
