// Issue 29: policies fail closed. A rule pvm cannot resolve refuses the run,
// `anon` covers every mapping without a file of its own, a core that cannot
// name its heap refuses a rule that names it, registers are memory, scans
// count against read.maxBytes, the clock runs in every engine, and a program
// pvm would start is judged before it starts.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { commandFor, pvm, RUNTIMES } from '../helpers/cli.ts';
import { hasCommand, needs } from '../helpers/needs.ts';
import { livePolicyFiles } from '../helpers/policy-files.ts';

const { fixture, dir, policy } = livePolicyFiles('pvm-policy-closed-');

const target = () => ['--pid', String(fixture().pid)];
const COUNTER = 'print read u32 at symbol("target", "counter")';

describe('a rule pvm cannot resolve refuses the run (exit 3, naming the rule)', () => {
  it.each(RUNTIMES)('a misspelt symbol in read.deny, on %s: nothing is read', (runtime) => {
    const file = policy({ read: { deny: ['symbol:target:countr'] } });
    const result = pvm(runtime, ['-e', COUNTER, ...target(), '--policy', file]);
    expect(result).toMatchObject({ status: 3, stdout: '' });
    expect(result.stderr).toContain(`pvm: error: denied: read.deny ["symbol:target:countr"] in ${file}: symbol:target:countr cannot be resolved in pid ${fixture().pid} (target): `);
    expect(result.stderr).toContain("has no symbol 'countr' (did you mean 'counter'?)");
    expect(result.stderr).toContain('policies fail closed');
  });

  it('in read.allow alike', () => {
    const result = pvm('node', ['-e', 'print 1', ...target(), '--policy', policy({ read: { allow: ['module:target', 'symbol:target:no_such_thing'] } })]);
    expect(result).toMatchObject({ status: 3, stdout: '' });
    expect(result.stderr).toContain('symbol:target:no_such_thing cannot be resolved');
  });

  it('a symbol of size 0 (a label) says nothing of the bytes it means: refused too', () => {
    const result = pvm('node', ['-e', COUNTER, ...target(), '--policy', policy({ read: { deny: ['symbol:target:_edata'] } })]);
    expect(result).toMatchObject({ status: 3, stdout: '' });
    expect(result.stderr).toContain('symbol:target:_edata cannot be resolved in pid');
    expect(result.stderr).toContain("'_edata' in target has size 0 in its ELF symbol table (a label): which bytes it covers is unknown");
  });

  it('a symbol of a module the process has not mapped covers nothing there, as module:NAME does', () => {
    const result = pvm('node', ['-e', COUNTER, ...target(), '--policy', policy({ read: { deny: ['symbol:libssl.so.3:session_keys'] } })]);
    expect(result).toMatchObject({ status: 0, stdout: '1000\n' });
  });
});

describe('anon is every mapping without a file of its own', () => {
  // Shared anonymous memory (/dev/zero (deleted)) and a memfd (/memfd:keys (deleted)), each holding a secret built at
  // run time; pvm starts the program itself, so that it may read it under Yama ptrace_scope 1 too.
  const program = [
    'python3',
    '-c',
    [
      'import mmap, os, sys, time',
      'secret = ("SECRET" + "-SHARED").encode()',
      'shared = mmap.mmap(-1, 4096); shared.write(secret)',
      'fd = os.memfd_create("keys"); os.write(fd, ("SECRET" + "-MEMFD").encode().ljust(4096, b"\\0"))',
      'memfd = mmap.mmap(fd, 4096)',
      'time.sleep(30)',
    ].join('\n'),
  ];
  const scan = 'print len(scan "SECRET-SHARED" in all), len(scan "SECRET-MEMFD" in all)';
  const hasPython = hasCommand('python3');

  it('without a policy a scan finds both secrets (the program holds them where the test says)', (context) => {
    needs(context, hasPython, 'needs python3 (the program holding the secrets)');
    const result = pvm('node', ['-e', scan, '--ready', 'ms:500', '--then', 'kill', '--', ...program]);
    expect(result.stderr).toBe('');
    // Each secret is in its mapping, and in the heap the Python program built it in.
    expect(result.stdout).toMatch(/^[2-9]\d* [2-9]\d*\n$/);
  });

  it.for(RUNTIMES)('read.deny ["anon"] leaves out shared anonymous memory and memfd, on %s', (runtime, context) => {
    needs(context, hasPython, 'needs python3 (the program holding the secrets)');
    const file = policy({ read: { deny: ['anon'] } });
    const result = pvm(runtime, ['-e', scan, '--json', '--policy', file, '--ready', 'ms:500', '--then', 'kill', '--', ...program]);
    expect(result.stdout).toContain('{"type":"print","values":[0,0],"line":1}');
    expect(result.stdout).toContain(`"reason":"/dev/zero: denied by policy: read.deny [\\"anon\\"] in ${file}"`);
    expect(result.stdout).toContain(`"reason":"/memfd:keys: denied by policy: read.deny [\\"anon\\"] in ${file}"`);
    expect(result.status).toBe(0);
  });
});

describe('a core that cannot name its heap', () => {
  let gcore: string;
  const hasGcore = hasCommand('gcore');
  /** In a test of gdb's core: go on only if gdb is installed. */
  const needsGcore = (context: TestContext) => needs(context, hasGcore, 'gdb (gcore) is not installed');
  beforeAll(() => {
    if (!hasGcore) return;
    // gdb's gcore records the files mapped (NT_FILE) and nothing of [heap] or [stack].
    execFileSync('gcore', ['-o', join(dir, 'gcore'), String(fixture().pid)], { stdio: 'ignore' });
    gcore = join(dir, `gcore.${fixture().pid}`);
    expect(existsSync(gcore)).toBe(true);
  }, 60_000);

  it('refuses a rule that names a pseudo-region, rather than guess what it covers', (context) => {
    needsGcore(context);
    const file = policy({ read: { deny: ['[heap]'] } });
    const result = pvm('node', ['-e', 'print len(scan "PVM-TWICE-77" in all)', '--core', gcore, '--policy', file]);
    expect(result).toMatchObject({ status: 3, stdout: '' });
    expect(result.stderr).toContain(`denied: read.deny ["[heap]"] in ${file}: [heap] cannot be resolved in `);
    expect(result.stderr).toContain('this core names no pseudo-regions');
  });

  it('still applies anon, which it can tell (memory no file backs)', (context) => {
    needsGcore(context);
    const result = pvm('node', ['-e', 'print len(scan "PVM-TWICE-77" in all)', '--core', gcore, '--policy', policy({ read: { deny: ['anon'] } })]);
    expect(result).toMatchObject({ status: 0, stdout: '0\n' });
  });

  it('a pvm snapshot names its regions: the same rule applies', () => {
    const snapshot = join(dir, 'fixture().snapshot');
    expect(pvm('node', ['snapshot', ...target(), '-o', snapshot]).status).toBe(0);
    const result = pvm('node', ['-e', 'print len(scan "PVM-TWICE-77" in all)', '--snapshot', snapshot, '--policy', policy({ read: { deny: ['[heap]'] } })]);
    expect(result).toMatchObject({ status: 0, stdout: '2\n' });
  });

  it('registers of a core are withheld under read rules too', (context) => {
    needsGcore(context);
    const result = pvm('node', ['-e', 'let t = threads()\nprint reg(t[0], "r15")', '--core', gcore, '--policy', policy({ read: { deny: ['anon'] } })]);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('denied: read of registers — read.registers false in');
  });
});

describe('registers are memory', () => {
  const recipe = 'let t = threads()\nprint len(t) > 0\nprint reg(t[0], "r15")';

  it.each(RUNTIMES)('a policy with read rules withholds them unless read.registers is true, on %s', (runtime) => {
    const file = policy({ read: { deny: ['[stack]'] } });
    const denied = pvm(runtime, ['-e', recipe, ...target(), '--policy', file]);
    expect(denied).toMatchObject({ status: 3, stdout: '' }); // refused before the target is opened: reg() is in the plan
    expect(denied.stderr).toContain(
      `<-e>:3:7: error: denied: read of registers — read.registers false in ${file} (registers hold copies of memory, and a policy that limits reads allows them only with read.registers: true)`,
    );
    const allowed = pvm(runtime, ['-e', recipe, ...target(), '--policy', policy({ read: { deny: ['[stack]'], registers: true } })]);
    expect(allowed).toMatchObject({ status: 0, stdout: expect.stringMatching(/^true\n\d+\n$/) });
  });

  it('a policy without read rules allows them, unless it says read.registers: false', () => {
    expect(pvm('node', ['-e', recipe, ...target(), '--policy', policy({ run: { maxSteps: 100 } })]).status).toBe(0);
    expect(pvm('node', ['-e', recipe, ...target(), '--policy', policy({ read: { registers: false } })]).stderr).toContain('the policy does not allow reading registers');
  });
});

describe('budgets that hold', () => {
  it('scans count against read.maxBytes: a scan is an oracle for the bytes it searches', () => {
    const file = policy({ read: { maxBytes: 4096 } });
    const result = pvm('node', ['-e', 'print len(scan "PVM-TWICE-77" in all)', ...target(), '--policy', file]);
    expect(result).toMatchObject({ status: 3, stdout: '' });
    expect(result.stderr).toContain(`<-e>:1:11: error: denied: scanning past 4096 bytes read: the run read more than the policy allows (scans count as reads) — read.maxBytes 4096 in ${file}`);
  });

  it('a scan within read.maxBytes runs', () => {
    const result = pvm('node', ['-e', `print len(scan "PVM-TWICE-77" in range(${fixture().hex('area')}, 4096))`, ...target(), '--policy', policy({ read: { maxBytes: 8192 } })]);
    expect(result).toMatchObject({ status: 0, stdout: '2\n' });
  });
});

describe('a patch whose site the policy forbids reading', () => {
  it('is refused as the policy, exit 3, nothing written', () => {
    const sites = fixture().hex('patch_sites');
    const file = policy({ read: { deny: [`${sites}-0x${(fixture().at('patch_sites') + 8n).toString(16)}`] }, write: { allow: true } });
    const result = pvm('node', ['-e', `patch at ${sites} expect u32 1000 with u32 1001`, ...target(), '--allow-write', '--policy', file]);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`<-e>:1:7: error: patch not applied: cannot verify the site at ${sites}: denied: read of 4 bytes at ${sites}-`);
    expect(result.stderr).toContain(`the policy denies reading there — read.deny ["${sites}-`);
    expect(result.stderr).toContain('nothing was written');
    expect(pvm('node', ['-e', `print read u32 at ${sites}`, ...target()]).stdout).toBe('1000\n');
  });
});

describe('run.maxSeconds and run.maxSteps bound work that reads nothing', () => {
  const sum = 'let t = 0\nfor i in 0..4000000 limit 4000000 { t = t + i }\nprint t';

  it.each(RUNTIMES)('a loop compiled to WebAssembly looks at the clock between its windows, on %s', (runtime) => {
    expect(pvm(runtime, ['-e', sum, ...target()]).stdout).toBe('7999998000000\n'); // it runs whole without the limit
    const file = policy({ run: { maxSeconds: 0.001 } });
    const result = pvm(runtime, ['-e', sum, ...target(), '--policy', file]);
    expect(result).toMatchObject({ status: 3, stdout: '' });
    // At the loop (the compiled engine's place), not at a statement in it (the interpreter's).
    expect(result.stderr).toMatch(new RegExp(`^<-e>:2:1: error: denied: the run took longer than the policy allows \\(\\d+\\.\\d+ s\\) — run\\.maxSeconds 0\\.001 in ${file}\n`));
  });

  it('the interpreter looks at it every few hundred statements', () => {
    const file = policy({ run: { maxSeconds: 0.05 } });
    const result = pvm('node', ['-e', 'for i in 0..9000000 limit 9000000 { let s = hex(i) }', ...target(), '--policy', file]);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`<-e>:1:37: error: denied: the run took longer than the policy allows`);
  });

  it('max() over a list counts an item as a step: a loop of them ends within its budget (it once ran 48 s under a 2 s limit)', () => {
    const recipe = `let l = scan hex"AA" in range(${fixture().hex('area')}, 2097152) limit 100000\nfor x in l { let m = max(l) }`;
    const started = Date.now();
    const result = pvm('node', ['-e', recipe, ...target(), '--policy', policy({ run: { maxSeconds: 2 } })]);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('<-e>:2:22: error: the recipe ran more than 10000000 statements');
    expect(Date.now() - started).toBeLessThan(20_000);
    const steps = policy({ run: { maxSteps: 1000 } });
    expect(pvm('node', ['-e', `let l = scan hex"AA" in range(${fixture().hex('area')}, 8192) limit 5000\nlet m = max(l)`, ...target(), '--policy', steps]).stderr).toContain(
      `<-e>:2:9: error: the recipe ran more than 1000 statements — run.maxSteps 1000 in ${steps}`,
    );
  });
});

describe('a program pvm would start is judged before it starts (-- COMMAND)', () => {
  it.each(RUNTIMES)('a command the targets do not list never runs, on %s', (runtime) => {
    const marker = join(dir, `ran-${runtime}`);
    const file = policy({ targets: [{ comm: 'nginx' }] });
    const result = pvm(runtime, ['-e', 'print 1', '--policy', file, '--', '/bin/sh', '-c', `id > ${marker}`]);
    expect(result).toMatchObject({ status: 3, stdout: '' });
    expect(result.stderr).toContain(`pvm: error: denied: /bin/sh, not started: it is none of the targets the policy allows (exe ${realpathSync('/bin/sh')}, comm sh, uid ${process.getuid!()}); `);
    expect(existsSync(marker)).toBe(false);
  });

  it('a name proves nothing: a link named nginx to /bin/sh has comm nginx, and an entry of comm alone never matches a program pvm starts', () => {
    const link = join(dir, 'nginx');
    symlinkSync('/bin/sh', link);
    const marker = join(dir, 'ran-as-nginx');
    const result = pvm('node', ['-e', 'print 1', '--policy', policy({ targets: [{ comm: 'nginx' }] }), '--', link, '-c', `id > ${marker}`]);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('a program pvm starts matches only an entry that names its exe or buildId');
    expect(existsSync(marker)).toBe(false);
  });

  it('a script is judged as it will run: its interpreter as exe, its own name as comm', () => {
    const script = join(dir, 'fixit');
    const marker = join(dir, 'script-ran');
    // Its sleep lets go of pvm's output (the test waits for that to close), so that killing the script ends the run.
    writeFileSync(script, `#!/bin/sh\ntouch ${marker}\nsleep 10 >/dev/null 2>&1 </dev/null\n`, { mode: 0o755 });
    const refused = pvm('node', ['-e', 'print 1', '--policy', policy({ targets: [{ comm: 'sh' }] }), '--', script]);
    expect(refused.status).toBe(3);
    expect(refused.stderr).toContain(`comm fixit`);
    expect(existsSync(marker)).toBe(false);
    // What the prediction says holds once it runs: the same rule lets it start and be read.
    const allowed = pvm('node', ['-e', 'print 1', '--policy', policy({ targets: [{ exe: realpathSync('/bin/sh'), comm: 'fixit' }] }), '--ready', 'ms:300', '--then', 'kill', '--', script]);
    expect(allowed).toMatchObject({ status: 0, stdout: '1\n' });
  });

  it('a command the targets list starts and is read', () => {
    const sleep = realpathSync(execFileSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).trim());
    const result = pvm('node', ['-e', 'print 1', '--policy', policy({ targets: [{ exe: sleep, comm: 'sleep', uid: process.getuid!() }] }), '--ready', 'ms:200', '--then', 'kill', '--', 'sleep', '10']);
    expect(result).toMatchObject({ status: 0, stdout: '1\n' });
  });
});

describe('what a run prints is bounded', () => {
  it('past 256 MiB of output the run stops (exit 3)', () => {
    const recipe = `let l = scan hex"AA" in range(${fixture().hex('area')}, 2097152) limit 1000000\nfor i in 0..40 { print l }`;
    // Its output goes to /dev/null (not through the test's memory): ~16 MB a print, over the budget at the 17th.
    const result = spawnSync('sh', ['-c', '"$@" > /dev/null', 'sh', ...commandFor('node'), '-e', recipe, ...target(), '--json'], { encoding: 'utf8', timeout: 120_000 });
    expect(result.stderr).toContain('<-e>:2: error: the recipe printed more than 268435456 characters (256 MiB)');
    expect(result.status).toBe(3);
  }, 120_000);
});

describe('a snapshot under a policy that withholds registers', () => {
  it('records none: the threads are stopped, their registers left out and the reason kept', () => {
    const snapshot = join(dir, 'withheld.snapshot');
    const file = policy({ read: { deny: ['[stack]'] } });
    const taken = pvm('node', ['snapshot', ...target(), '-o', snapshot, '--policy', file]);
    expect(taken.status).toBe(0);
    expect(taken.stdout).toContain(`registers missing: the policy withholds them: registers hold copies of memory, and a policy that limits reads allows them only with read.registers: true — read.registers false in ${file}`);
    const read = pvm('node', ['-e', 'print reg(threads()[0], "rsp")', '--snapshot', snapshot]);
    expect(read.status).toBe(4);
    expect(read.stdout).toBe('');
  });
});
