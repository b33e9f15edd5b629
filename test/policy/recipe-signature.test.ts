// Signed recipes without a target: OpenSSH's key lines and SSHSIG signatures
// as ssh-keygen makes them, read and verified by pvm (every key type pvm
// verifies, on the runtime the tests run on: Bun and Deno in the live tests);
// the rule recipes.signers on its own; and every way a signature can be cut
// short or garbled gives a clear refusal, never a crash.
import { Buffer } from 'node:buffer';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LoadedPolicy, parsePolicy } from '../../src/policy/load.ts';
import { formatSignatureVerdict, judgeRecipeSignature, requireSignedRecipe } from '../../src/policy/recipe-signature.ts';
import { fingerprint, parseKeyLine } from '../../src/policy/ssh-keys.ts';
import { parseArmoredSignature, parseSignatureBlob, SignatureProblem, verifySignature } from '../../src/policy/sshsig.ts';
import { parseJournal } from '../../src/runtime/journal/journal-parse.ts';
import { journalLine } from '../../src/runtime/journal/journal.ts';
import { HAS_SSH_KEYGEN, makeKey, needsSshKeygen, sign, type SshKey } from '../helpers/ssh-signing.ts';

const dir = mkdtempSync(join(tmpdir(), 'pvm-signature-'));
const recipe = join(dir, 'fix.pvm');
const bytes = Buffer.from('print "fixed"\n');
const keys: Record<string, SshKey> = {};
const KEYS = [
  ['ed25519', 'ed25519', undefined],
  ['ecdsa-256', 'ecdsa', 256],
  ['ecdsa-384', 'ecdsa', 384],
  ['ecdsa-521', 'ecdsa', 521],
  ['rsa', 'rsa', 2048],
] as const;

beforeAll(() => {
  writeFileSync(recipe, bytes);
  if (!HAS_SSH_KEYGEN) return;
  for (const [name, type, bits] of KEYS) keys[name] = makeKey(dir, name, type, bits);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(needsSshKeygen);

const policyOf = (signers: readonly string[], path = 'ops.json'): LoadedPolicy => parsePolicy(path, JSON.stringify({ recipes: { signers } }));
const signedWith = (key: SshKey, namespace = 'pvm') => readFileSync(sign(key, recipe, namespace), 'utf8');
const refusal = (policies: readonly LoadedPolicy[], text: string | undefined, message = bytes) => {
  try {
    requireSignedRecipe(policies, { name: recipe, bytes: message, signature: text === undefined ? undefined : { text, from: `${recipe}.sig` } });
  } catch (error) {
    return error as Error & { code: string; exit: number; hint: string };
  }
  throw new Error('not refused');
};

describe('signatures ssh-keygen makes', () => {
  it.each(KEYS.map(([name]) => name))('a %s key: its line, its fingerprint as ssh-keygen -l prints it, and a signature that holds over the bytes signed, and no others', (name) => {
    const key = keys[name]!;
    const line = parseKeyLine(key.line);
    expect(fingerprint(line.key.blob)).toBe(key.fingerprint);
    expect(line.comment).toBe(`${name}@test`);
    const signature = parseArmoredSignature(signedWith(key));
    expect(signature.namespace).toBe('pvm');
    expect(fingerprint(signature.key.blob)).toBe(key.fingerprint);
    expect(verifySignature(signature, bytes, 'pvm')).toBe(true);
    const changed = Buffer.from(bytes);
    changed[7]! ^= 1;
    expect(verifySignature(signature, changed, 'pvm')).toBe(false);
    expect(verifySignature(signature, Buffer.concat([bytes, Buffer.from('\n')]), 'pvm')).toBe(false);
  });

  it('a signature of the sha256 of the recipe (-O hashalg=sha256) holds too; ssh-keygen signs its sha512 by default', () => {
    expect(parseArmoredSignature(signedWith(keys.ed25519!)).hashAlgorithm).toBe('sha512');
    const sha256 = parseArmoredSignature(readFileSync(sign(keys.ed25519!, recipe, 'pvm', ['-O', 'hashalg=sha256']), 'utf8'));
    expect(sha256.hashAlgorithm).toBe('sha256');
    expect(verifySignature(sha256, bytes, 'pvm')).toBe(true);
  });
});

describe('recipes.signers', () => {
  it('lets a recipe signed by a listed key run, naming the key line that allowed it (compared by blob: the comment may differ)', () => {
    const text = signedWith(keys.ed25519!);
    const renamed = keys.ed25519!.line.replace(/\S+$/, 'release-key');
    const signer = requireSignedRecipe([policyOf([keys.rsa!.line, renamed])], { name: recipe, bytes, signature: { text, from: 'x' } });
    expect(signer).toMatchObject({ fingerprint: keys.ed25519!.fingerprint, kind: 'ED25519', signature: text, rules: [{ file: 'ops.json', path: 'recipes.signers', value: renamed }] });
  });

  it('says nothing without a policy that lists signers', () => {
    expect(requireSignedRecipe([parsePolicy('p.json', '{"read":{"maxBytes":10}}'), parsePolicy('q.json', '{"recipes":{}}')], { name: recipe, bytes: undefined })).toBeUndefined();
  });

  it('refuses a recipe changed after it was signed (exit 3, recipe-signature, naming the rule and the fix)', () => {
    const changed = Buffer.from('print "fixed!"\n');
    const error = refusal([policyOf([keys.ed25519!.line])], signedWith(keys.ed25519!), changed);
    expect(error).toMatchObject({ code: 'recipe-signature', exit: 3 });
    expect(error.message).toBe(
      `denied: recipe ${recipe}: it is not what ${recipe}.sig signed: the signature (by ${
        keys.ed25519!.fingerprint
      }, ED25519) does not hold over its bytes, so the recipe changed after it was signed, or the signature is another file's — recipes.signers in ops.json`,
    );
    expect(error.hint).toBe(`review the recipe, then sign it again: ssh-keygen -Y sign -n pvm -f KEY ${recipe}`);
  });

  it('refuses a signature made for another namespace (git)', () => {
    expect(refusal([policyOf([keys.ed25519!.line])], signedWith(keys.ed25519!, 'git')).message).toContain(`${recipe}.sig was made for the namespace "git", not "pvm"`);
  });

  it('refuses a key the policy does not list, and an empty list refuses every key', () => {
    const text = signedWith(keys['ecdsa-256']!);
    expect(refusal([policyOf([keys.ed25519!.line])], text).message).toContain(`it is signed by ${keys['ecdsa-256']!.fingerprint} (ECDSA), which is not among the signers — recipes.signers in ops.json`);
    expect(refusal([policyOf([])], text).message).toContain('the policy lists no signer: it runs no recipe');
  });

  it('with several policies, each that lists signers must list the key: the refusal names the one that does not', () => {
    const text = signedWith(keys.ed25519!);
    const both = [policyOf([keys.ed25519!.line], '/etc/pvm/policy.json'), parsePolicy('plain.json', '{}'), policyOf([keys.rsa!.line, keys.ed25519!.line], 'ops.json')];
    expect(requireSignedRecipe(both, { name: recipe, bytes, signature: { text, from: 'x' } })?.rules.map((r) => r.file)).toEqual(['/etc/pvm/policy.json', 'ops.json']);
    const error = refusal([policyOf([keys.ed25519!.line], '/etc/pvm/policy.json'), policyOf([keys.rsa!.line], 'ops.json')], text);
    expect(error.message).toMatch(/which is not among the signers — recipes\.signers in ops\.json$/);
  });

  it('refuses a recipe with no signature beside it, and one that is no file (-e, stdin, the REPL, the library given text)', () => {
    rmSync(`${recipe}.sig`, { force: true });
    const policies = [policyOf([keys.ed25519!.line])];
    const unsigned = refusal(policies, undefined);
    expect(unsigned.message).toContain(`it has no signature (${recipe}.sig does not exist)`);
    expect(unsigned.hint).toBe(`sign it with a key the policy lists: ssh-keygen -Y sign -n pvm -f KEY ${recipe} (writes ${recipe}.sig)`);
    for (
      const [name, what] of [['<-e>', 'a recipe given with -e is no file, so it'], ['<stdin>', 'a recipe read from standard input is no file, so it'], ['<repl>', 'the statements of pvm repl are no file, so they'], [
        '<recipe>',
        'a recipe given to run() as text is no file, so it',
      ], ['fix.pvm', 'a recipe given to run() as text is no file, so it']]
    ) {
      expect(() => requireSignedRecipe(policies, { name: name!, bytes: undefined })).toThrow(`denied: recipe ${name}: ${what} cannot be signed, and the policy runs only recipes its signers signed`);
    }
  });

  it('reads RECIPE.sig beside the recipe when no signature is given', () => {
    sign(keys.ed25519!, recipe);
    expect(requireSignedRecipe([policyOf([keys.ed25519!.line])], { name: recipe, bytes })?.fingerprint).toBe(keys.ed25519!.fingerprint);
  });

  it("pvm check's verdict line, for people and as JSON", () => {
    const policies = [policyOf([keys.ed25519!.line])];
    const allowed = judgeRecipeSignature(policies, { name: recipe, bytes, signature: { text: signedWith(keys.ed25519!), from: 'x' } })!;
    expect(formatSignatureVerdict('fix.pvm', allowed, false)).toBe(`fix.pvm: signature: allowed: signed by ${keys.ed25519!.fingerprint} (ED25519) — recipes.signers in ops.json`);
    const denied = judgeRecipeSignature(policies, { name: recipe, bytes, signature: { text: signedWith(keys.rsa!), from: 'x' } })!;
    expect(JSON.parse(formatSignatureVerdict('fix.pvm', denied, true))).toEqual({
      type: 'signature',
      verdict: 'denied',
      signer: keys.rsa!.fingerprint,
      rule: 'recipes.signers',
      policies: ['ops.json'],
      why: `it is signed by ${keys.rsa!.fingerprint} (RSA), which is not among the signers`,
    });
  });
});

describe('malformed input: a clear refusal, never a crash', () => {
  it('every truncation of a signature blob, and of its armored text', () => {
    const armored = signedWith(keys['ecdsa-256']!);
    const blob = Buffer.from(armored.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    for (let length = 0; length < blob.length; length++) {
      expect(() => parseSignatureBlob(blob.subarray(0, length)), `cut to ${length} bytes`).toThrow(SignatureProblem);
    }
    const lines = armored.trim().split('\n');
    for (let kept = 0; kept < lines.length; kept++) {
      const policies = [policyOf([keys['ecdsa-256']!.line])];
      expect(refusal(policies, lines.slice(0, kept).join('\n'))).toMatchObject({ code: 'recipe-signature', exit: 3 });
    }
  });

  it('every single byte changed: refused or not holding, never thrown as anything else', () => {
    for (const name of ['ed25519', 'ecdsa-384', 'rsa']) {
      const armored = signedWith(keys[name]!);
      const blob = Buffer.from(armored.replace(/-----[^-]+-----|\s/g, ''), 'base64');
      for (let at = 0; at < blob.length; at++) {
        const changed = Buffer.from(blob);
        changed[at]! ^= 0x41;
        let verdict: boolean | SignatureProblem;
        try {
          verdict = verifySignature(parseSignatureBlob(changed), bytes, 'pvm');
        } catch (error) {
          if (!(error instanceof SignatureProblem)) throw new Error(`${name}, byte ${at} changed: ${(error as Error).stack}`);
          verdict = error;
        }
        expect(verdict, `${name}: byte ${at} changed`).not.toBe(true);
      }
    }
  });

  it.each([
    ['', 'it does not begin with -----BEGIN SSH SIGNATURE-----'],
    ['-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n', 'it has no -----END SSH SIGNATURE----- line (cut short?)'],
    ['-----BEGIN SSH SIGNATURE-----\nU1NIU0lH!!\n-----END SSH SIGNATURE-----\n', 'its armored text is not base64'],
    ['-----BEGIN SSH SIGNATURE-----\nAAAAAAAA\n-----END SSH SIGNATURE-----\n', 'it does not begin with "SSHSIG": not an SSH signature'],
    ['-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAg==\n-----END SSH SIGNATURE-----\n', 'it is of version 2; pvm reads version 1'],
    ['-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAf////8=\n-----END SSH SIGNATURE-----\n', 'the signature is cut short: its public key (at byte 10) says 4294967295 bytes, and 0 follow'],
    ['-----BEGIN SSH SIGNATURE-----\n\n-----END SSH SIGNATURE-----\ntrailing', 'it has text after its -----END SSH SIGNATURE----- line'],
  ])('%j: %s', (text, why) => {
    expect(() => parseArmoredSignature(text)).toThrow(why);
  });

  it.each([
    ['', 'expected TYPE BASE64 [COMMENT]'],
    ['ssh-ed25519', 'expected TYPE BASE64 [COMMENT]'],
    ['ssh-ed25519 AAAA!', 'its key is not base64'],
    ['ssh-dss AAAAB3NzaC1kc3M= me', '"ssh-dss" is not a key type pvm verifies'],
    ['sk-ssh-ed25519@openssh.com AAAA me', 'is not a key type pvm verifies'],
    ['me@host ssh-ed25519 AAAAC3NzaC1lZDI1NTE5', 'an allowed_signers line puts a principal first'],
    ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAAQA=', 'an Ed25519 key is 32 bytes, not 1'],
    ['ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'the line says ssh-rsa, and the key in it is ssh-ed25519'],
  ])('the key line %j: %s', (line, why) => {
    expect(() => parseKeyLine(line)).toThrow(why);
  });

  it('a key whose type field is huge is refused as too long, not spread into a string', () => {
    const blob = Buffer.alloc(4 + 900_000, 0x61);
    blob.writeUInt32BE(900_000, 0);
    expect(() => parseKeyLine(`ssh-ed25519 ${blob.toString('base64')}`)).toThrow('the key: its key type is 900000 bytes, too long for a name');
  });

  it('a policy with a bad key line is refused (exit 2) naming the file, the index and why', () => {
    expect(() => parsePolicy('ops.json', JSON.stringify({ recipes: { signers: [keys.ed25519!.line, 'me@host ssh-ed25519 AAAA'] } }))).toThrow(
      /^ops\.json: recipes\.signers\[1\]: not an OpenSSH public key: it starts with "me@host", not a key type/,
    );
    expect(() => parsePolicy('ops.json', '{"recipes":{"signer":[]}}')).toThrow('ops.json: recipes.signer: unknown key (did you mean signers?)');
  });
});

describe('the journal records the signer', () => {
  it("an entry's recipe carries the signer's fingerprint, read back; an entry without one (an older journal's) still reads", () => {
    const entry = {
      pid: 42,
      startTime: '1',
      exe: '/bin/x',
      recipe: { name: 'fix.pvm', sha256: 'ab', signer: 'SHA256:abc' },
      statement: 'patch' as const,
      patch: 'fix',
      line: 3,
      address: 0x1000n,
      module: undefined,
      old: new Uint8Array([1]),
      new: new Uint8Array([2]),
    };
    const plain = { ...entry, recipe: { name: 'fix.pvm', sha256: 'ab' } };
    expect(journalLine(entry)).toContain('"recipe":{"name":"fix.pvm","sha256":"ab","signer":"SHA256:abc"}');
    const [signed, unsigned] = parseJournal(`${journalLine(entry)}\n${journalLine(plain)}\n`);
    expect(signed!.recipe).toEqual({ name: 'fix.pvm', sha256: 'ab', signer: 'SHA256:abc' });
    expect(unsigned!.recipe).toEqual({ name: 'fix.pvm', sha256: 'ab' });
  });
});
