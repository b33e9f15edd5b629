// The guard on a live process: what pvm reads for itself passes it too,
// resolving a policy's own `symbol:` rules first of all.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pvm, RUNTIMES } from '../helpers/cli.ts';
import { livePolicyFiles } from '../helpers/policy-files.ts';

const { fixture, dir, policy } = livePolicyFiles('pvm-guard-');

let audits = 0;
/** Runs `recipe` on the fixture under `json`, with an audit log of its own. */
const run = (runtime: (typeof RUNTIMES)[number], json: unknown, recipe: string) => {
  const audit = join(dir, `audit-${++audits}.jsonl`);
  const result = pvm(runtime, ['-e', recipe, '--pid', String(fixture().pid), '--policy', policy(json), '--audit', audit]);
  const lines = readFileSync(audit, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  return { ...result, lines };
};

describe("resolving a policy's symbol: rules reads through the guard", () => {
  it.each(RUNTIMES)('against read.maxBytes and to the audit log, on %s', (runtime) => {
    // The module's build-id note is read to check its file is the one running: more than one byte.
    const refused = run(runtime, { read: { deny: ['symbol:target:counter'], maxBytes: 1 } }, 'print 1');
    expect(refused).toMatchObject({ status: 3, stdout: '' });
    expect(refused.stderr).toContain('read.maxBytes 1 in');
    expect(refused.lines).toContainEqual(expect.objectContaining({ op: 'read', allowed: false, rule: expect.objectContaining({ path: 'read.maxBytes', value: 1 }) }));

    const allowed = run(runtime, { read: { deny: ['symbol:target:counter'] } }, 'print 1');
    expect(allowed).toMatchObject({ status: 0, stdout: '1\n' });
    expect(allowed.lines).toContainEqual(expect.objectContaining({ op: 'read', allowed: true, detail: expect.stringContaining('symbol:') }));
  });
});
