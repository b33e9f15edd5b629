// pvm lsp with a target: the live fixture (this test's own child, so that an
// ordinary user may read it) named in the recipe's first line or in the
// client's initialization options. Completion offers its modules and their
// symbols, and types come from its debug info; a target that is not there,
// or that the policy refuses, is one warning on the first line, never a
// crash. One case on each runtime.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticSeverity } from 'vscode-languageserver';
import { type Fixture, startFixture } from '../helpers/fixture.ts';
import { RUNTIMES } from '../helpers/cli.ts';
import { policyWriter } from '../helpers/policy-files.ts';
import { TargetNames } from '../../src/lsp/target-names.ts';
import { type LspClient, positionOf, startLsp } from './lsp-client.ts';

let fixture: Fixture;
let client: LspClient;
const dir = mkdtempSync(join(tmpdir(), 'pvm-lsp-target-'));
const policy = policyWriter(dir);
beforeAll(async () => {
  fixture = await startFixture();
  client = await startLsp('node');
});
afterAll(async () => {
  expect(await client.stop()).toBe(0);
  await fixture.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The end of `text`: where a user typing it is. */
function end(text: string) {
  const lines = text.split('\n');
  return { line: lines.length - 1, character: lines.at(-1)!.length };
}

describe('with # pvm: --pid N', () => {
  it('offers the target\'s modules inside module("', async () => {
    const text = `# pvm: --pid ${fixture.pid}\nlet m = module("`;
    expect(await client.open('modules.pvm', text)).toEqual([expect.objectContaining({ code: 'syntax' })]);
    const { labels, items } = await client.complete('modules.pvm', end(text));
    expect(labels).toEqual(expect.arrayContaining(['target', 'libc.so.6']));
    expect(items.find((i) => i.label === 'target')?.detail).toMatch(/\/target$/);
    const typed = `${text}li`;
    await client.change('modules.pvm', typed);
    const narrowed = (await client.complete('modules.pvm', end(typed))).labels;
    expect(narrowed).toContain('libc.so.6');
    expect(narrowed).not.toContain('target');
  });

  it('offers a module\'s symbols inside symbol("MODULE", "', async () => {
    const text = `# pvm: --pid ${fixture.pid}\nlet c = symbol("target", "co`;
    await client.open('symbols.pvm', text);
    const { labels } = await client.complete('symbols.pvm', end(text));
    expect(labels).toContain('counter');
    expect(labels.every((label) => label.startsWith('co'))).toBe(true);
    // libc's debug file has thousands: a bounded list, marked incomplete so that the editor asks again as more is typed.
    const libc = `# pvm: --pid ${fixture.pid}\nlet f = symbol("libc.so.6", "`;
    await client.change('symbols.pvm', libc);
    const all = await client.complete('symbols.pvm', end(libc));
    expect(all.labels.length).toBeGreaterThan(100);
    expect(all.labels.length).toBeLessThanOrEqual(500);
    expect(all.incomplete).toBe(true);
  });

  it("offers symbols only: no source file's name, no name@VERSION beside its name", async () => {
    const text = `# pvm: --pid ${fixture.pid}\nlet f = symbol("libc.so.6", "malloc`;
    await client.open('symbol-kinds.pvm', text);
    const { labels } = await client.complete('symbol-kinds.pvm', end(text));
    expect(labels).toContain('malloc');
    expect(labels.filter((label) => /\.[co]$/.test(label))).toEqual([]);
    const all = new Set(labels);
    expect(labels.filter((label) => label.includes('@') && all.has(label.slice(0, label.indexOf('@'))))).toEqual([]);
    await client.close('symbol-kinds.pvm');
  });

  it("checks a recipe's types against the target's debug info: no diagnostics, fields and layouts from it", async () => {
    const text = `# pvm: --pid ${fixture.pid}\nlet o = symbol("target", "outer_value") as struct outer\nprint o.in.magic\n`;
    expect(await client.open('debug-types.pvm', text)).toEqual([]);
    const typing = `${text}print o.`;
    await client.change('debug-types.pvm', typing);
    expect((await client.complete('debug-types.pvm', end(typing))).labels).toEqual(['pad', 'in']);
    const hover = await client.hover('debug-types.pvm', positionOf(text, 'o.in', 0));
    expect((hover!.contents as { value: string }).value).toContain('type = struct outer {');
    // Misspelt, against the target: the checker's own error.
    const wrong = text.replace('o.in.magic', 'o.in.magik');
    const [d] = await client.change('debug-types.pvm', wrong);
    expect(d).toMatchObject({ severity: DiagnosticSeverity.Error, code: 'unknown-field' });
    // A module the target does not map cannot give types: the target's error, as a warning where the recipe names it.
    const elsewhere = `# pvm: --pid ${fixture.pid}\nlet x = 0 as struct outer from "libnothing.so"\n`;
    const [warning] = await client.change('debug-types.pvm', elsewhere);
    expect(warning).toMatchObject({ severity: DiagnosticSeverity.Warning, code: 'no-module', range: { start: positionOf(elsewhere, 'struct outer from') } });
  });

  it('gives a target that is not there as one warning on the first line, and goes on', async () => {
    const gone = spawnSync('true');
    const text = `# pvm: --pid ${gone.pid}\nlet m = module("`;
    const diagnostics = await client.open('gone.pvm', text);
    const warning = diagnostics.find((d) => d.code === 'no-such-process');
    expect(warning).toMatchObject({ severity: DiagnosticSeverity.Warning, range: { start: { line: 0, character: 0 } } });
    expect(warning!.message).toContain(`target --pid ${gone.pid}:`);
    expect(warning!.message).toContain('hint:');
    expect((await client.complete('gone.pvm', end(text))).labels).toEqual([]);
    const misspelt = await client.change('gone.pvm', '# pvm: --pdi 4\nprint 1\n');
    expect(misspelt).toEqual([expect.objectContaining({ code: 'usage', severity: DiagnosticSeverity.Warning })]);
    expect(misspelt[0]!.message).toBe(
      "'--pdi' does not name a target\nhint: did you mean --pid? name one target: --pid N, --name PROCESS_NAME, --core FILE or --snapshot FILE (and --policy FILE); the language server never starts a program",
    );
    const spawning = await client.change('gone.pvm', '# pvm: -- ./server\nprint 1\n');
    expect(spawning[0]!.message).toContain('never starts a program');
  });

  it('opens the target under the policy: one it refuses is a warning saying why', async () => {
    const refusing = policy({ targets: [{ exe: '/usr/sbin/not-the-fixture' }] });
    const text = `# pvm: --pid ${fixture.pid} --policy ${refusing}\nlet m = module("`;
    const [warning] = await client.open('refused.pvm', text);
    expect(warning).toMatchObject({ code: 'policy-denied', severity: DiagnosticSeverity.Warning });
    expect(warning!.message).toMatch(/polic/);
    expect((await client.complete('refused.pvm', end(text))).labels).toEqual([]);
  });
});

describe('a target named while typing, and one that goes away', () => {
  it('opens no pid typed on the way: the first line must stay as it is for a moment', async () => {
    const gone = spawnSync('true').pid!;
    expect(await client.open('typing.pvm', 'print 1\n')).toEqual([]);
    const digits = String(gone);
    // `--pid 1` is init: opened, it would be judged and read (or refused) silently.
    for (let n = 1; n < digits.length; n++) expect(await client.change('typing.pvm', `# pvm: --pid ${digits.slice(0, n)}\nprint 1\n`)).toEqual([]);
    const typed = `# pvm: --pid ${gone}\nprint 1\n`;
    expect(await client.change('typing.pvm', typed)).toEqual([]);
    // Once it has stayed, the target is opened and said to be gone.
    const [warning] = await client.republished('typing.pvm');
    expect(warning).toMatchObject({ code: 'no-such-process', range: { start: { line: 0, character: 0 } } });
    await client.close('typing.pvm');
  });

  it('says a target that exited once the recipe changes, and reads no other process at its pid', async () => {
    const short = await startFixture();
    const text = `# pvm: --pid ${short.pid}\nlet m = module("`;
    await client.open('exits.pvm', text);
    expect((await client.complete('exits.pvm', end(text))).labels).toContain('libc.so.6');
    await short.stop();
    const [warning] = await client.change('exits.pvm', `${text}li`);
    expect(warning).toMatchObject({ code: 'no-such-process', severity: DiagnosticSeverity.Warning });
    expect((await client.complete('exits.pvm', end(`${text}li`))).labels).toEqual([]);
    await client.close('exits.pvm');
  });
});

describe('the targets kept open', () => {
  const config = () => ({ spec: { kind: 'pid' as const, pid: fixture.pid }, text: `--pid ${fixture.pid}`, policy: undefined });

  it('are the ones an open document names: closed when none does', async () => {
    const targets = new TargetNames();
    try {
      expect(await targets.target('a.pvm', config())).toHaveProperty('value');
      expect(await targets.target('b.pvm', config())).toHaveProperty('value');
      expect(targets.size).toBe(1);
      targets.release('a.pvm');
      expect(targets.size).toBe(1);
      // b names another target now: the fixture's is closed.
      const other = { spec: { kind: 'core' as const, path: join(dir, 'none.core'), snapshot: false }, text: '--core none.core', policy: undefined };
      expect(await targets.target('b.pvm', other)).toHaveProperty('problem');
      expect(targets.size).toBe(1);
      targets.release('b.pvm');
      expect(targets.size).toBe(0);
    } finally {
      targets.close();
    }
  });

  it('are asked again when the process is gone (its start time at its pid no longer the one opened)', async () => {
    const short = await startFixture();
    const targets = new TargetNames();
    try {
      const named = { spec: { kind: 'pid' as const, pid: short.pid }, text: `--pid ${short.pid}`, policy: undefined };
      expect(await targets.target('a.pvm', named)).toHaveProperty('value');
      await short.stop();
      const again = await targets.target('a.pvm', named);
      expect(again).toMatchObject({ problem: { code: 'no-such-process' } });
    } finally {
      targets.close();
    }
  });
});

describe('with the target in the initialization options', () => {
  for (const runtime of RUNTIMES) {
    it(`offers module and symbol names on ${runtime}`, async () => {
      const server = await startLsp(runtime, { pid: fixture.pid });
      try {
        const text = 'let c = symbol("target", "coun';
        await server.open('initial.pvm', text);
        expect((await server.complete('initial.pvm', end(text))).labels).toContain('counter');
        const fixed = 'let c = symbol("target", "counter")\nprint read u32 at c\nprint nope\n';
        const [d] = await server.change('initial.pvm', fixed);
        expect(d).toMatchObject({ code: 'unknown-name', range: { start: { line: 2, character: 6 } } });
        const hover = await server.hover('initial.pvm', positionOf(fixed, 'at c', 3));
        expect((hover!.contents as { value: string }).value).toContain('let c: ptr');
      } finally {
        expect(await server.stop()).toBe(0);
      }
    });
  }
});
