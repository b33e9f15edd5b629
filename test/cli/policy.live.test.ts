// Issue 11 against the live fixture: each kind of denial names its rule and
// the recipe line, nothing is written where a write is denied, the system
// policy cannot be widened, malformed policies are refused, and the audit log.
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pvm, RUNTIMES } from '../helpers/cli.ts';
import { livePolicyFiles } from '../helpers/policy-files.ts';
import { ROOT } from '../helpers/paths.ts';

const { fixture, dir, policy } = livePolicyFiles('pvm-policy-');

const target = () => ['--pid', String(fixture().pid)];
const readU32 = (address: string) => pvm('node', ['-e', `print read u32 at ${address}`, ...target()]).stdout.trim();

describe('denials, each naming its rule', () => {
  it('a target the policy does not list, before its memory is touched (exit 3)', () => {
    const file = policy({ targets: [{ comm: 'nginx' }, { exe: '/usr/sbin/nginx' }] });
    const result = pvm('node', ['-e', 'print 1', ...target(), '--policy', file]);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(
      `pvm: error: denied: pid ${fixture().pid} (target): it is none of the targets the policy allows (exe ${ROOT}test/.build/target, comm target, uid ${
        process.geteuid!()
      }) — targets [{"comm":"nginx"},{"exe":"/usr/sbin/nginx"}] in ${file}`,
    );
    expect(pvm('node', ['-e', 'print 1', ...target(), '--policy', policy({ targets: [{ comm: 'target', uid: process.geteuid!() }] })]).status).toBe(0);
  });

  it.each(RUNTIMES)('a read outside read.allow, at the recipe line, the same bytes on %s (exit 3)', (runtime) => {
    const file = policy({ read: { allow: ['module:target'] } });
    const result = pvm(runtime, ['-e', `print read u32 at symbol("target", "counter")\nprint read u8 at ${fixture().hex('area')}`, ...target(), '--policy', file]);
    expect(result.stdout).toBe('1000\n');
    expect(result.stderr).toContain(
      `<-e>:2:7: error: denied: read of 1 byte at ${fixture().hex('area')}-0x${(fixture().at('area') + 1n).toString(16)} (anon): it lies outside the regions the policy allows to be read — read.allow ["module:target"] in ${file}`,
    );
    expect(result.status).toBe(3);
  });

  it('a write outside write.regions: nothing is written (exit 3)', () => {
    const file = policy({ write: { allow: true, regions: ['[heap]'] } });
    const result = pvm('node', ['-e', `write u32 at ${fixture().hex('scratch')} = 7`, ...target(), '--allow-write', '--policy', file]);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(
      `denied: write to ${fixture().hex('scratch')}-0x${(fixture().at('scratch') + 4n).toString(16)} (module:target): it lies outside the regions the policy allows to be written — write.regions ["[heap]"] in ${file}`,
    );
    expect(readU32(fixture().hex('scratch'))).toBe('0');
  });

  it('writing at all, refused before the target is opened, with the statement named (exit 3)', () => {
    const file = policy({});
    const result = pvm('node', ['-e', 'print 1\nwrite u8 at 0x1000 = 1', '--pid', '999999999', '--allow-write', '--policy', file]);
    expect(result.status).toBe(3); // not 4: the target is never looked for
    expect(result.stderr).toContain(`<-e>:2:1: error: denied: write — write.allow false in ${file} (the policy does not allow writing)`);
  });

  it('a patch of code without write.code: refused before any site is written; allowed with it', async () => {
    const sites = fixture().hex('patch_sites');
    const code = pvm('node', ['-e', `print hex(read bytes 6 at ${fixture().hex('is_licensed')})`, ...target()]).stdout.trim().replace(/(..)(?!$)/g, '$1 ');
    const recipe = `patch "both" {\n  at ${sites} expect u32 1000 with u32 1001\n  at ${fixture().hex('is_licensed')} expect hex"${code}" with hex"b8 01 00 00 00 c3"\n}`;
    const denied = pvm('node', ['-e', recipe, ...target(), '--allow-write', '--policy', policy({ write: { allow: true } })]);
    expect(denied.status).toBe(3);
    expect(denied.stderr).toContain('the policy does not allow patching code — write.code false in');
    expect(readU32(sites)).toBe('1000'); // the data site was not written either
    const allowed = pvm('node', ['-e', recipe, ...target(), '--allow-write', '--policy', policy({ write: { allow: true, code: true } })]);
    expect(allowed).toMatchObject({ status: 0, stderr: '' });
    expect(await fixture().ask('l')).toBe('licensed=1');
    // Put the fixture back for the other tests.
    const undo = recipe.replace('with u32 1001', 'with u32 1000').replace('expect u32 1000', 'expect u32 1001').replace(`expect hex"${code}" with hex"b8 01 00 00 00 c3"`, `expect hex"b8 01 00 00 00 c3" with hex"${code}"`);
    expect(pvm('node', ['-e', undo, ...target(), '--allow-write']).status).toBe(0);
  });

  it.each(RUNTIMES)('a patch the plan shows is of code (a hit of a scan of pages without write permission): denied by pvm check, and by pvm run before anything runs, on %s (exit 3)', async (runtime) => {
    const code = pvm('node', ['-e', `print hex(read bytes 6 at ${fixture().hex('is_licensed')})`, ...target()]).stdout.trim().replace(/(..)(?!$)/g, '$1 ');
    const recipe = join(dir, `unlock-${runtime}.pvm`);
    writeFileSync(recipe, `print 1\nlet f = scan hex"${code}" in module("target") perms "r-x" unique\npatch "unlock" { at f expect hex"${code}" with hex"b8 01 00 00 00 c3" }\n`);
    const file = policy({ write: { allow: true, code: false } });
    const check = pvm(runtime, ['check', recipe, '--policy', file]);
    expect(check.status).toBe(3);
    expect(check.stdout.split('\n')[0]).toBe(`${recipe}: valid, but the policy denies it (writes memory: run it with --allow-write, or --dry-run to see what it would write)`);
    expect(check.stdout).toContain(
      `${recipe}:3:1: denied: patch "unlock" — write.code false in ${file} (the policy does not allow patching code, and a site is a hit of the scan at line 2, which looks only in pages without write permission: perms "r-x")`,
    );
    const run = pvm(runtime, ['run', recipe, ...target(), '--allow-write', '--policy', file]);
    expect(run.status).toBe(3);
    expect(run.stdout).toBe(''); // refused before the first statement: nothing is half done
    expect(run.stderr).toContain(`${recipe}:3:1: error: denied: patch "unlock" — write.code false in ${file}`);
    expect(await fixture().ask('l')).toBe('licensed=0');
    // Where the plan cannot tell (a site at a symbol, code or data), the rule that would deny it is named.
    writeFileSync(recipe, `patch at symbol("target", "is_licensed") expect hex"${code}" with hex"b8 01 00 00 00 c3"\n`);
    expect(pvm(runtime, ['check', recipe, '--policy', file]).stdout).toContain(
      `${recipe}:1:1: checked at run time: patch (write.code false in ${file} denies it if a site is on a page without write permission (code); where each site lies is known when the recipe runs)`,
    );
  });

  it('budgets: steps, scan hits, bytes read and written', () => {
    const steps = policy({ run: { maxSteps: 50 } });
    expect(pvm('node', ['-e', 'for i in 0..100 { let x = i }', ...target(), '--policy', steps]).stderr).toContain(`<-e>:1:19: error: the recipe ran more than 50 statements — run.maxSteps 50 in ${steps}`);
    const hits = policy({ scan: { maxHits: 1 } });
    expect(pvm('node', ['-e', 'print len(scan "PVM-TWICE-77" in anon)', ...target(), '--policy', hits])).toMatchObject({ status: 3, stderr: expect.stringContaining(`the scan found more than 1 matches — scan.maxHits 1 in ${hits}`) });
    const bytes = policy({ read: { maxBytes: 16 } });
    expect(pvm('node', ['-e', `print read bytes 32 at ${fixture().hex('area')}`, ...target(), '--policy', bytes])).toMatchObject({
      status: 3,
      stderr: expect.stringContaining(`reading more than 16 bytes: the run read more than the policy allows — read.maxBytes 16 in ${bytes}`),
    });
  });

  it('a read over the byte budget in a loop that reads each value as it comes (512 KiB or more) is refused at the read', () => {
    const bytes = policy({ read: { maxBytes: 1572864 } });
    const result = pvm('node', ['-e', `for i in 0..3 { let b = read bytes 600000 at ${fixture().hex('area')} + i * 400000; print len(b) }`, ...target(), '--policy', bytes]);
    expect(result).toMatchObject({ status: 3, stdout: '600000\n600000\n' });
    expect(result.stderr).toContain(`<-e>:1:25: error: denied: reading more than 1572864 bytes: the run read more than the policy allows — read.maxBytes 1572864 in ${bytes}`);
  });

  it('scans leave out what the policy does not let them read, and say why', () => {
    const file = policy({ read: { deny: ['anon'] } });
    const result = pvm('node', ['-e', 'print len(scan "PVM-TWICE-77" in all)', ...target(), '--policy', file, '--json']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('{"type":"print","values":[0],"line":1}');
    expect(result.stdout).toContain(`"reason":"denied by policy: read.deny [\\"anon\\"] in ${file}"`);
  });
});

describe('policy files', () => {
  it('a malformed policy is exit 2, naming the JSON path and the near key', () => {
    const file = policy('{ "write": { "alow": true }, "targets": [{ "uid": "0" }] }');
    const result = pvm('node', ['-e', 'print 1', ...target(), '--policy', file]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`pvm: error: ${file}: targets[0].uid: expected number; write.alow: unknown key (did you mean allow?)\nhint: docs/policy.md lists every key; schema/policy.schema.json lets an editor check the file\n`);
  });

  it('pvm check --policy says what is allowed, denied and left to run time, with no target (exit 3 when anything is denied)', () => {
    const recipe = join(dir, 'check.pvm');
    writeFileSync(recipe, 'let n = read u32 at symbol("target", "counter")\nwrite u32 at symbol("target", "counter") = n + 1\nwrite u8 at 0x1000 = 1\n');
    const result = pvm('node', ['check', recipe, '--policy', policy({ write: { allow: true, regions: ['module:target'] }, read: { allow: ['module:target'] } })]);
    expect(result.stdout).toBe(
      `${recipe}: ok (writes memory: run it with --allow-write, or --dry-run to see what it would write)\n${recipe}:1:9: allowed: read at symbol("target", "counter")\n${recipe}:2:1: allowed: write\n${recipe}:3:1: checked at run time: write (write.regions is checked against each resolved address)\n`,
    );
    expect(result.status).toBe(0);
    const denied = pvm('node', ['check', recipe, '--policy', policy({})]);
    expect(denied.status).toBe(3);
    expect(denied.stdout).toContain(`${recipe}:2:1: denied: write — write.allow false in`);
  });

  it('the system policy applies always, and --policy cannot widen it', () => {
    // A copy of pvm built with another system policy path (the real one, /etc/pvm/policy.json, is not for tests to touch).
    // Inside the checkout, so that it finds node_modules and package.json ("type": "module").
    const copy = `${ROOT}test/.build/dist-system-policy-${process.pid}`;
    cpSync(`${ROOT}dist`, copy, { recursive: true });
    const system = policy({ write: { allow: false } });
    const module = join(copy, 'policy/system.js');
    writeFileSync(module, readFileSync(module, 'utf8').replace("'/etc/pvm/policy.json'", JSON.stringify(system)));
    const wide = policy({ write: { allow: true } });
    const result = pvm('node', ['-e', `write u32 at ${fixture().hex('scratch')} = 7`, ...target(), '--allow-write', '--policy', wide], { entry: join(copy, 'cli/main.js') });
    rmSync(copy, { recursive: true, force: true });
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`write.allow false in ${system}`);
    expect(readU32(fixture().hex('scratch'))).toBe('0');
  });

  it('freeze.maxMillis refuses a patch whose threads were stopped too long before its write, and writes nothing', () => {
    const site = fixture().hex('is_licensed');
    const code = () => pvm('node', ['-e', `print hex(read bytes 6 at ${site})`, ...target()]).stdout.trim();
    const before = code();
    const file = policy({ write: { allow: true, code: true }, freeze: { allow: true, maxMillis: 0.0001 } });
    const result = pvm('node', ['-e', `patch { at ${site} expect hex"${before}" with hex"b8 01 00 00 00 c3" }`, ...target(), '--allow-write', '--policy', file]);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`freeze.maxMillis 0.0001 in ${file}`);
    expect(code()).toBe(before); // refused before the write, not reported denied after it landed
  });

  it('freeze.maxMillis refuses a snapshot whose threads stayed stopped too long (checked as they run again)', () => {
    const file = policy({ freeze: { allow: true, maxMillis: 0.0001 } });
    const result = pvm('node', ['snapshot', ...target(), '-o', join(dir, 'frozen.core'), '--freeze', '--policy', file]);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`freeze.maxMillis 0.0001 in ${file}`);
  });

  it('a system policy pvm cannot look at is an error (exit 2), never no policy', () => {
    // Its directory a symlink to itself: stat fails (ELOOP) for root too. Before, that counted as "no system policy".
    const copy = `${ROOT}test/.build/dist-system-policy-loop-${process.pid}`;
    cpSync(`${ROOT}dist`, copy, { recursive: true });
    const loop = join(mkdtempSync(join(tmpdir(), 'pvm-policy-loop-')), 'loop');
    symlinkSync(loop, loop);
    const module = join(copy, 'policy/system.js');
    writeFileSync(module, readFileSync(module, 'utf8').replace("'/etc/pvm/policy.json'", JSON.stringify(join(loop, 'policy.json'))));
    const result = pvm('node', ['-e', 'print 42', ...target()], { entry: join(copy, 'cli/main.js') });
    rmSync(copy, { recursive: true, force: true });
    expect(result.stdout).toBe('');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`cannot read policy ${join(loop, 'policy.json')}`);
  });

  it('--audit appends a line per decision, with the policy digests', () => {
    const file = policy({ read: { deny: ['[stack]'] } });
    const audit = join(dir, 'audit.jsonl');
    pvm('node', ['-e', `print read u32 at ${fixture().hex('counter')}`, ...target(), '--policy', file, '--audit', audit]);
    const lines = readFileSync(audit, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(lines[0]).toMatchObject({ type: 'audit', op: 'target', allowed: true, pid: fixture().pid });
    expect(lines).toContainEqual(expect.objectContaining({ op: 'read', allowed: true, start: fixture().hex('counter'), bytes: 4 }));
    expect(lines.every((line) => line.policies[0].sha256.length === 64)).toBe(true);
  });
});
