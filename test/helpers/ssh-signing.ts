// Keys and signatures made by OpenSSH's own ssh-keygen (not by pvm), for the
// tests of signed recipes: a key pair in a directory, its .pub line and its
// fingerprint as `ssh-keygen -l` prints it, and `ssh-keygen -Y sign`.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'vitest';
import { hasCommand, needs } from './needs.ts';

/** Whether ssh-keygen is here: without it the tests of signed recipes are skipped (locally) or fail (CI). */
export const HAS_SSH_KEYGEN = hasCommand('ssh-keygen');

/** In a test (or beforeEach): go on only with ssh-keygen. */
export function needsSshKeygen(context: TestContext): void {
  needs(context, HAS_SSH_KEYGEN, 'needs ssh-keygen (Debian: openssh-client), which makes the keys and signatures');
}

export interface SshKey {
  /** The private key's file (what -f takes). */
  readonly path: string;
  /** The line of its .pub file: `ssh-ed25519 AAAA… comment`. */
  readonly line: string;
  /** `SHA256:…`, from ssh-keygen -l. */
  readonly fingerprint: string;
}

function sshKeygen(args: readonly string[]): string {
  const result = spawnSync('ssh-keygen', args, { encoding: 'utf8' });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) throw new Error(`ssh-keygen ${args.join(' ')}: exit ${result.status}: ${result.stderr}`);
  return result.stdout;
}

/** A new key pair `name` in `dir`, without a passphrase; `type` as ssh-keygen -t takes it, `bits` as -b. */
export function makeKey(dir: string, name: string, type = 'ed25519', bits?: number): SshKey {
  const path = join(dir, name);
  sshKeygen(['-q', '-t', type, ...(bits === undefined ? [] : ['-b', String(bits)]), '-N', '', '-C', `${name}@test`, '-f', path]);
  const fingerprint = /SHA256:\S+/.exec(sshKeygen(['-l', '-f', `${path}.pub`]))![0];
  return { path, line: readFileSync(`${path}.pub`, 'utf8').trim(), fingerprint };
}

/** Signs `file` with `key` in `namespace` (`options`: more of ssh-keygen's): writes `file`.sig, in place of one there (ssh-keygen would ask). */
export function sign(key: SshKey, file: string, namespace = 'pvm', options: readonly string[] = []): string {
  rmSync(`${file}.sig`, { force: true });
  sshKeygen(['-q', '-Y', 'sign', '-n', namespace, ...options, '-f', key.path, file]);
  return `${file}.sig`;
}
