// Signed recipes against the live fixture, with keys and signatures made by
// OpenSSH's ssh-keygen: under a policy's recipes.signers a recipe signed by a
// listed key runs on Node, Bun and Deno (Ed25519, ECDSA and RSA keys); one
// changed after it was signed, signed for another namespace, by another key,
// or not signed, and -e, stdin and REPL recipes are refused (exit 3) before
// the target is touched; pvm check says whether the signature holds; the
// journal, the audit log and the report name the signer; pvm verify checks
// the report's signature again; each of several policies must be satisfied.
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pvm, RUNTIMES } from '../helpers/cli.ts';
import { type Fixture, startFixture } from '../helpers/fixture.ts';
import { ROOT } from '../helpers/paths.ts';
import { livePolicyFiles } from '../helpers/policy-files.ts';
import { HAS_SSH_KEYGEN, makeKey, needsSshKeygen, sign, type SshKey } from '../helpers/ssh-signing.ts';

const { fixture, dir, policy } = livePolicyFiles('pvm-signed-');
const target = () => ['--pid', String(fixture().pid)];
let release: SshKey;
let ecdsa: SshKey;
let rsa: SshKey;
let stranger: SshKey;
/** Lists release, ecdsa and rsa. */
let signers: string;

beforeAll(() => {
  if (!HAS_SSH_KEYGEN) return;
  release = makeKey(dir, 'release');
  ecdsa = makeKey(dir, 'ecdsa', 'ecdsa', 384);
  rsa = makeKey(dir, 'rsa', 'rsa', 3072);
  stranger = makeKey(dir, 'stranger');
  signers = policy({ recipes: { signers: [release.line, ecdsa.line, rsa.line] } });
});

beforeEach(needsSshKeygen);

/** A recipe file `name` in the test's directory; signed by `key` when given. */
function recipe(name: string, text: string, key?: SshKey, namespace?: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  rmSync(`${path}.sig`, { force: true });
  if (key !== undefined) sign(key, path, namespace);
  return path;
}

const COUNTER = 'print read u32 at symbol("target", "counter")\n';

describe('under recipes.signers', () => {
  it.each(RUNTIMES)('a recipe signed by a listed key runs, for each key type, and a changed one is refused, on %s', (runtime) => {
    for (const key of [release, ecdsa, rsa]) {
      const file = recipe(`counter-${runtime}-${key === release ? 'ed25519' : key === ecdsa ? 'ecdsa' : 'rsa'}.pvm`, COUNTER, key);
      expect(pvm(runtime, ['run', file, ...target(), '--policy', signers]), file).toMatchObject({ status: 0, stdout: '1000\n', stderr: '' });
    }
    const changed = recipe(`changed-${runtime}.pvm`, COUNTER, release);
    writeFileSync(changed, `${COUNTER}print 2\n`);
    const result = pvm(runtime, ['run', changed, ...target(), '--policy', signers]);
    expect(result).toMatchObject({ status: 3, stdout: '' });
    expect(result.stderr).toBe(
      `pvm: error: denied: recipe ${changed}: it is not what ${changed}.sig signed: the signature (by ${release.fingerprint}, ED25519) does not hold over its bytes, so the recipe changed after it was signed, or the signature is another file's — recipes.signers in ${signers}\nhint: review the recipe, then sign it again: ssh-keygen -Y sign -n pvm -f KEY ${changed}\n`,
    );
  });

  it('refuses a signature for another namespace, by a key not listed, no signature, and -e, stdin and REPL recipes (exit 3, before the target is looked for)', () => {
    const refused = (args: readonly string[], input?: string) => {
      const result = pvm('node', [...args, '--pid', '999999999', '--policy', signers], input === undefined ? {} : { input });
      expect(result.status, result.stderr).toBe(3); // not 4: the target is never looked for
      expect(JSON.parse(pvm('node', [...args, '--pid', '999999999', '--policy', signers, '--json'], input === undefined ? {} : { input }).stdout)).toMatchObject({ code: 'recipe-signature', exit: 3 });
      return result.stderr;
    };
    const git = recipe('git.pvm', COUNTER, release, 'git');
    expect(refused(['run', git])).toContain(`denied: recipe ${git}: ${git}.sig was made for the namespace "git", not "pvm"`);
    const theirs = recipe('theirs.pvm', COUNTER, stranger);
    expect(refused(['run', theirs])).toContain(`denied: recipe ${theirs}: it is signed by ${stranger.fingerprint} (ED25519), which is not among the signers — recipes.signers in ${signers}`);
    const unsigned = recipe('unsigned.pvm', COUNTER);
    expect(refused(['run', unsigned])).toContain(`denied: recipe ${unsigned}: it has no signature (${unsigned}.sig does not exist), and the policy runs only recipes its signers signed — recipes.signers in ${signers}`);
    expect(refused(['-e', 'print 1'])).toContain('denied: recipe <-e>: a recipe given with -e is no file, so it cannot be signed');
    expect(refused(['run', '-'], COUNTER)).toContain('denied: recipe <stdin>: a recipe read from standard input is no file');
    // A run over many processes is refused before any of them.
    expect(refused(['run', unsigned, '--pid', '999999998'])).toContain(`it has no signature`);
    const repl = pvm('node', ['repl', ...target(), '--policy', signers], { input: 'print 1\n' });
    expect(repl.status).toBe(3);
    expect(repl.stderr).toContain('denied: recipe <repl>: the statements of pvm repl are no file, so they cannot be signed');
  });

  it('refuses a signed recipe that is not UTF-8 (what runs would not be the text that was signed)', () => {
    const path = join(dir, 'latin1.pvm');
    writeFileSync(path, Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from(`\n${COUNTER}`)]));
    rmSync(`${path}.sig`, { force: true });
    sign(release, path);
    const result = pvm('node', ['run', path, ...target(), '--policy', signers]);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`denied: recipe ${path}: it is not UTF-8 text`);
  });

  it('a helper pvm whose recipe file is not the one its run began with refuses to serve (the run goes on without it)', () => {
    const file = recipe('helped.pvm', COUNTER, release);
    const result = pvm('node', ['run', file, '--pid', '1', '--policy', signers], { env: { PVM_INTERNAL_RUN_MANY_HELPER: '1', PVM_INTERNAL_HELPER_RECIPE_SHA256: '0'.repeat(64) }, input: '' });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe(''); // never said it was ready
    expect(result.stderr).toContain(`recipe '${file}' changed after the run began; this helper pvm runs none of its processes`);
  });

  it('pvm check --policy says whether the signature holds (exit 3 when it does not), for people and as JSON', () => {
    const good = recipe('check-good.pvm', COUNTER, ecdsa);
    const result = pvm('node', ['check', good, '--policy', signers]);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout.split('\n').slice(0, 2)).toEqual([`${good}: ok (reads memory only)`, `${good}: signature: allowed: signed by ${ecdsa.fingerprint} (ECDSA) — recipes.signers in ${signers}`]);
    const json = pvm('node', ['check', good, '--policy', signers, '--json']).stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(json[1]).toEqual({ type: 'signature', verdict: 'allowed', signer: ecdsa.fingerprint, rule: 'recipes.signers', policies: [signers], why: null });

    const bad = recipe('check-bad.pvm', COUNTER, stranger);
    const denied = pvm('node', ['check', bad, '--policy', signers]);
    expect(denied.status).toBe(3);
    expect(denied.stdout.split('\n').slice(0, 2)).toEqual([
      `${bad}: valid, but the policy denies it (reads memory only)`,
      `${bad}: signature: denied: it is signed by ${stranger.fingerprint} (ED25519), which is not among the signers — recipes.signers in ${signers}`,
    ]);
    expect(denied.stderr).toContain('error: denied: recipe');
    const deniedJson = pvm('node', ['check', bad, '--policy', signers, '--json']).stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(deniedJson[1]).toMatchObject({ type: 'signature', verdict: 'denied', signer: stranger.fingerprint, policies: [signers] });
    expect(deniedJson.at(-1)).toMatchObject({ type: 'error', code: 'recipe-signature', exit: 3 });
    // Without a policy that lists signers, check says nothing of signatures.
    expect(pvm('node', ['check', bad]).stdout).toBe(`${bad}: ok (reads memory only)\n`);
  });

  it('the journal, the audit log and the report name the signer; pvm verify checks the signature the report recorded', () => {
    const writer = policy({ write: { allow: true }, recipes: { signers: [release.line] } });
    const scratch = fixture().hex('scratch');
    const fix = recipe('fix.pvm', `write u32 at ${scratch} = 7\n`, release);
    const [journal, audit, report] = ['fix.journal', 'audit.jsonl', 'fix.report.json'].map((name) => join(dir, name));
    const run = pvm('node', ['run', fix, ...target(), '--allow-write', '--policy', writer, '--journal', journal!, '--audit', audit!, '--report', report!]);
    expect(run).toMatchObject({ status: 0, stderr: '' });
    try {
      const entry = JSON.parse(readFileSync(journal!, 'utf8').trim());
      expect(entry.recipe).toEqual({ name: fix, sha256: expect.any(String), signer: release.fingerprint });
      expect(pvm('node', ['status', journal!, ...target(), '--json']).status).toBe(0); // still read back
      const lines = readFileSync(audit!, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
      expect(lines).toContainEqual(expect.objectContaining({ op: 'recipe', allowed: true, rule: { file: writer, path: 'recipes.signers', value: release.line }, detail: `${fix} signed by ${release.fingerprint} (ED25519)` }));
      const recorded = JSON.parse(readFileSync(report!, 'utf8')).results.recipe;
      expect(recorded).toMatchObject({ name: fix, signer: release.fingerprint, signature: readFileSync(`${fix}.sig`, 'utf8') });
    } finally {
      expect(pvm('node', ['revert', journal!, ...target(), '--allow-write']).status).toBe(0);
    }

    // A read-only run's report, verified under the same rule: the signature it recorded is checked again.
    const read = recipe('read.pvm', COUNTER, release);
    const readReport = join(dir, 'read.report.json');
    expect(pvm('node', ['run', read, ...target(), '--policy', signers, '--report', readReport]).status).toBe(0);
    rmSync(`${read}.sig`); // verify needs no RECIPE.sig: the report carries the signature
    expect(pvm('node', ['verify', readReport, ...target(), '--policy', signers])).toMatchObject({ status: 0, stdout: expect.stringMatching(/^match: /) });
    // A report whose recipe was changed (with its sha256, which anyone can recompute) is refused under signers, not rerun.
    const document = JSON.parse(readFileSync(readReport, 'utf8'));
    document.results.recipe.text = `${COUNTER}print 2\n`;
    document.results.recipe.sha256 = createHash('sha256').update(document.results.recipe.text).digest('hex');
    writeFileSync(readReport, JSON.stringify(document));
    const forged = pvm('node', ['verify', readReport, ...target(), '--policy', signers]);
    expect(forged.status).toBe(3);
    expect(forged.stderr).toContain(`denied: recipe ${read}: it is not what the signature recorded in ${readReport} signed`);
  });

  it('a run over many processes journals the signer for each process', async () => {
    const second: Fixture = await startFixture();
    try {
      const writer = policy({ write: { allow: true }, recipes: { signers: [release.line] } });
      const fix = recipe('many.pvm', `write u32 at symbol("target", "scratch") = 9\n`, release);
      const journal = join(dir, 'many.journal');
      const result = pvm('node', ['run', fix, ...target(), '--pid', String(second.pid), '--allow-write', '--policy', writer, '--journal', journal]);
      expect(result.status, result.stderr).toBe(0);
      const entries = readFileSync(journal, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
      expect(entries.map((e) => [e.pid, e.recipe.signer])).toEqual(expect.arrayContaining([[fixture().pid, release.fingerprint], [second.pid, release.fingerprint]]));
      expect(pvm('node', ['revert', journal, '--allow-write']).status).toBe(0);
    } finally {
      await second.stop();
    }
  });

  it('every policy that lists signers must list the key: the system policy and --policy', () => {
    // A copy of pvm built with another system policy path (as policy.live.test.ts does).
    const copy = `${ROOT}test/.build/dist-signed-system-policy-${process.pid}`;
    cpSync(`${ROOT}dist`, copy, { recursive: true });
    try {
      const system = policy({ recipes: { signers: [release.line] } });
      const module = join(copy, 'policy/system.js');
      writeFileSync(module, readFileSync(module, 'utf8').replace("'/etc/pvm/policy.json'", JSON.stringify(system)));
      const entry = join(copy, 'cli/main.js');
      const file = recipe('both.pvm', COUNTER, release);
      expect(pvm('node', ['run', file, ...target(), '--policy', signers], { entry })).toMatchObject({ status: 0, stdout: '1000\n' });
      const others = policy({ recipes: { signers: [stranger.line] } });
      const result = pvm('node', ['run', file, ...target(), '--policy', others], { entry });
      expect(result.status).toBe(3);
      expect(result.stderr).toContain(`which is not among the signers — recipes.signers in ${others}`);
      const ecdsaSigned = recipe('system.pvm', COUNTER, ecdsa);
      expect(pvm('node', ['run', ecdsaSigned, ...target(), '--policy', signers], { entry }).stderr).toContain(`which is not among the signers — recipes.signers in ${system}`);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
