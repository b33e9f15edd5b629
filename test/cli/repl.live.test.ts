// Issue 15, item 3: `pvm repl TARGET` against a live process, on Node, Bun
// and Deno: fed by a pipe (a script: names kept, blocks over lines, errors
// shown and the session going on, the most serious exit status, --json), and
// at a terminal (a pseudo-terminal driven by python3: prompts, completion,
// history in the XDG state directory).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_DEPTH } from '../../src/limits.ts';
import { commandFor, pvm, RUNTIMES } from '../helpers/cli.ts';
import { fixturesPerTest } from '../helpers/fixture.ts';
import { ROOT } from '../helpers/paths.ts';

const fixture = fixturesPerTest();

describe.each(RUNTIMES)('pvm repl on %s, from a pipe', (runtime) => {
  it('keeps names from one statement to the next, runs a block once it closes, and goes on after an error (exit: the most serious)', async () => {
    const f = await fixture();
    const script = [
      `let c = read u32 at ${f.hex('counter')}`,
      'c = c + 1',
      'print c',
      'if c > 1000 {',
      '  print "more"',
      '}',
      'print nope',
      'let hits = scan "pvm-fixture 1.2.3" in all',
      'print len(hits) > 0',
      `write u32 at ${f.hex('scratch')} = 5`,
      '.names',
      'let c = "now a string"',
      'print c',
    ].join('\n');
    const result = pvm(runtime, ['repl', '--pid', String(f.pid)], { input: `${script}\n` });
    expect(result.stdout).toBe('1001\nmore\ntrue\nc: a number = 1001\nhits: a list = [' + result.stdout.split('hits: a list = [')[1]!.split('\n')[0] + '\nnow a string\n');
    expect(result.stderr).toContain("<repl:5>:1:7: error: unknown name 'nope'");
    // What works in a REPL: it takes no params.
    expect(result.stderr).toContain('hint: define it first with `let nope = …`\n');
    expect(result.stderr).toContain('this REPL was started without --allow-write');
    expect(result.status).toBe(3); // the refused write (3) outranks the unknown name (2)
  });

  it('writes with --allow-write and journals them, speaks JSON with --json, and shows a plan without running it', async () => {
    const f = await fixture();
    const journal = join(mkdtempSync(join(tmpdir(), 'pvm-repl-')), 'repl.journal');
    const script = `.plan write u32 at ${f.hex('patch_sites')} = 9\npatch { at ${f.hex('patch_sites')} expect u32 1000 with u32 9 }\nlet v = read u32 at ${f.hex('patch_sites')}\nemit v = v\nprint 1 +\n`;
    const result = pvm(runtime, ['repl', '--pid', String(f.pid), '--allow-write', '--journal', journal, '--json'], { input: script });
    expect(result.status).toBe(2);
    const lines = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ format: 'pvm-plan', writes: true });
    expect(lines[1]).toMatchObject({ type: 'patch', status: 'applied' });
    expect(lines[2]).toEqual({ type: 'emit', name: 'v', value: 9, line: 1 }); // each input's lines count from 1
    expect(lines[3]).toMatchObject({ type: 'error', code: 'syntax', where: '<repl:5>:1:10' });
    expect(readFileSync(journal, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(pvm(runtime, ['revert', journal, '--allow-write']).status).toBe(0);
    expect(pvm(runtime, ['-e', `print read u32 at ${f.hex('patch_sites')}`, '--pid', String(f.pid)]).stdout).toBe('1000\n');
  });
});

describe.each(RUNTIMES)('pvm repl on %s, given lines too deep or too long (issue 29)', (runtime) => {
  it('reports each with its position and goes on: the session survives', async () => {
    const f = await fixture();
    const elseIfs = `if 1 == 2 { print 0 }${' else if 1 == 3 { print 1 }'.repeat(1500)}`;
    const script = [
      'let a = 41',
      `let x = ${'-'.repeat(600)}1`,
      `let y = ${'read u8 at '.repeat(600)}1`,
      `let z = ${Array(2000).fill('1').join(' + ')}`,
      elseIfs,
      `let s = ${'!'.repeat(500)}true +`,
      `print a + 1, "${'é'.repeat(1000)}" == "é"`,
    ].join('\n');
    const result = pvm(runtime, ['repl', '--pid', String(f.pid)], { input: `${script}\n` });
    expect(result.stdout).toBe('42 false\n');
    for (const line of [2, 3, 4, 5, 6]) expect(result.stderr).toMatch(new RegExp(`<repl:${line}>:1:\\d+: error: nesting deeper than ${MAX_DEPTH} levels`));
    expect(result.stderr).not.toContain('internal error');
    expect(Math.max(...result.stderr.split('\n').map((line) => line.length))).toBeLessThan(300); // no line echoed whole
    expect(result.status).toBe(2);
  });
});

describe('pvm repl', () => {
  it('shows the plan of a write without --allow-write (.plan runs nothing), and refuses to run it (exit 3)', async () => {
    const f = await fixture();
    const write = `write u32 at ${f.hex('scratch')} = 5`;
    const result = pvm('node', ['repl', '--pid', String(f.pid)], { input: `.plan ${write}\n${write}\n` });
    expect(result.stdout).toMatch(/^plan for <repl:1> \(sha256 [0-9a-f]{16}…\): writes memory\n/);
    expect(result.stderr).toContain('this REPL was started without --allow-write');
    expect(result.status).toBe(3);
  });

  it('keeps the old value and kind of a name an input would have declared anew, when the input fails before', async () => {
    const f = await fixture();
    const script = 'let x = 5\nlet bad = read u32 at 0; let x = "hi"\n.names\nprint x + 1\n';
    const result = pvm('node', ['repl', '--pid', String(f.pid)], { input: script });
    expect(result.stdout).toBe('x: a number = 5\n6\n');
    expect(result.status).toBe(4);
  });

  it('reads a snapshot as it reads the live process, and refuses writes there', async () => {
    const f = await fixture();
    const snapshot = join(mkdtempSync(join(tmpdir(), 'pvm-repl-')), 'f.snapshot');
    expect(pvm('node', ['snapshot', '--pid', String(f.pid), '-o', snapshot]).status).toBe(0);
    const script = `let c = read u32 at ${f.hex('counter')}\nprint c\nwrite u32 at ${f.hex('scratch')} = 1\n`;
    const result = pvm('node', ['repl', '--snapshot', snapshot], { input: script });
    expect(result.stdout).toBe('1000\n');
    expect(result.status).toBe(3);
  });

  it('at a terminal: prompts, completes names, continues a block, and keeps history in $XDG_STATE_HOME/pvm/history', async () => {
    const f = await fixture();
    const state = mkdtempSync(join(tmpdir(), 'pvm-repl-state-'));
    const driver = join(state, 'drive.py');
    // A pseudo-terminal: each chunk is typed after the previous one had time to show.
    writeFileSync(
      driver,
      `import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.environ['XDG_STATE_HOME'] = ${JSON.stringify(state)}
    os.execvp(sys.argv[1], sys.argv[1:])
out = b''
def pump(seconds):
    # Reads what the REPL shows, until it has shown something and then been quiet for 0.3 s (at most \`seconds\`).
    global out
    end = time.time() + seconds
    seen = False
    while time.time() < end:
        ready, _, _ = select.select([fd], [], [], 0.3)
        if not ready:
            if seen:
                return
            continue
        try:
            out += os.read(fd, 65536)
            seen = True
        except OSError:
            return
pump(10)
for chunk in [b'let counter_value = 42\\r', b'print counter_v', b'\\t', b'\\r', b'if 1 > 0 {\\r', b'print "in block"\\r', b'}\\r', b'\\x04']:
    os.write(fd, chunk)
    pump(5)
sys.stdout.write(out.decode('utf-8', 'replace'))
`,
    );
    const result = spawnSync('python3', [driver, ...commandFor('node'), 'repl', '--pid', String(f.pid)], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    // The terminal's control sequences (ESC [ … letter) left out.
    const screen = result.stdout.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g'), '').replace(/\r/g, '');
    expect(screen).toContain(`pvm repl: pid ${f.pid} (target). .help for help, Ctrl-D to leave.`);
    expect(screen).toContain('pvm> print counter_value\n42\n');
    expect(screen).toContain('...> }\nin block\n');
    expect(readFileSync(join(state, 'pvm', 'history'), 'utf8')).toBe('let counter_value = 42\nprint counter_value\nif 1 > 0 {\nprint "in block"\n}\n');
  });
});
