// Issue 12, item 1: one recipe against many processes (--match, --pid given
// more than once, --jobs), on Node, Bun and Deno: every JSON line names its
// pid, each process ends with a target line, the run with a summary, and one
// process that fails never stops the others.
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pvm, RUNTIMES } from '../helpers/cli.ts';
import { type Fixture, startFixture } from '../helpers/fixture.ts';
import { FIXTURE_BINARY } from '../helpers/paths.ts';

/** Three copies of the fixture under a name no other process has. */
const NAME = `pvmm-${process.pid % 100000}`;
let fixtures: Fixture[] = [];
beforeAll(async () => {
  const binary = join(mkdtempSync(join(tmpdir(), 'pvm-many-')), NAME);
  copyFileSync(FIXTURE_BINARY, binary);
  fixtures = [await startFixture([], [], binary), await startFixture([], [], binary), await startFixture([], [], binary)];
});
afterAll(async () => {
  for (const f of fixtures) await f.stop();
});

const sorted = () => fixtures.map((f) => f.pid).sort((a, b) => a - b);

describe.each(RUNTIMES)('many targets on %s', (runtime) => {
  it('runs the recipe in every process --match selects, each JSON line naming its pid, then a summary', () => {
    const result = pvm(runtime, ['-e', 'emit counter = read u32 at symbol("' + NAME + '", "counter")', '--match', `name=${NAME}`, '--jobs', '2', '--json']);
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(lines).toEqual([
      ...sorted().flatMap((pid) => [
        { type: 'emit', pid, name: 'counter', value: 1000, line: 1 },
        { type: 'target', pid, status: 'ok', exit: 0 },
      ]),
      { type: 'summary', processes: 3, ok: 3, failed: 0, exit: 0, helpers: 0, helped: 0 },
    ]);
  });

  it('reports a process that fails and goes on with the others; the run exits with its status (4)', () => {
    const [a, b] = sorted();
    const result = pvm(runtime, ['-e', 'print 1', '--pid', String(a), '--pid', '999999', '--pid', String(b)]);
    expect(result.status).toBe(4);
    expect(result.stdout).toBe(`== pid ${a} (${NAME}): ok ==\n1\n== pid 999999 (exited): exit 4 ==\n== pid ${b} (${NAME}): ok ==\n1\n3 processes: 2 ok, 1 failed\n`);
    expect(result.stderr).toContain('pid 999999: pvm: error: no process with pid 999999');
  });
});

describe('many targets: what does not go with them', () => {
  it('is a usage error for commands of one target, --jobs alone, and a selector with an unknown key; a selector that matches nothing is exit 4', () => {
    expect(pvm('node', ['maps', '--pid', '1', '--pid', '2'])).toMatchObject({ status: 2, stderr: expect.stringContaining('pvm maps takes one target') });
    expect(pvm('node', ['-e', 'print 1', '--pid', '1', '--jobs', '2'])).toMatchObject({ status: 2, stderr: expect.stringContaining('--jobs applies to many targets') });
    expect(pvm('node', ['-e', 'print 1', '--match', 'nmae=x'])).toMatchObject({ status: 2, stderr: expect.stringContaining("unknown key 'nmae'") });
    expect(pvm('node', ['-e', 'print 1', '--match', `name=${NAME}-none`])).toMatchObject({ status: 4, stderr: expect.stringContaining(`no process matches --match name=${NAME}-none`) });
  });
});
