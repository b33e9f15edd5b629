// deploy/systemd: the unit is one systemd accepts, its command line is one
// pvm accepts, and the starting policy it names loads.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../src/cli/args.ts';
import { loadPolicy } from '../src/policy/load.ts';
import { ROOT } from './helpers/paths.ts';

const UNIT = `${ROOT}deploy/systemd/pvm-follow@.service`;

/** ExecStart's words, its continuation lines joined, with the instance and the environment filled in. */
function execStart(instance: string, match: string): string[] {
  const text = readFileSync(UNIT, 'utf8').replace(/\\\n\s*/g, ' ');
  const line = /^ExecStart=(.*)$/m.exec(text)![1]!;
  return line.replaceAll('%i', instance).replaceAll('${PVM_MATCH}', match).trim().split(/\s+/);
}

describe('deploy/systemd/pvm-follow@.service', () => {
  it('passes systemd-analyze verify', () => {
    const which = spawnSync('sh', ['-c', 'command -v systemd-analyze'], { encoding: 'utf8' });
    if (which.status !== 0) throw new Error('systemd-analyze is missing: install systemd (Debian: apt install systemd) to check the unit');
    // verify checks that ExecStart's program exists: pvm's own, from this checkout.
    const directory = mkdtempSync(join(tmpdir(), 'pvm-unit-'));
    const unit = join(directory, 'pvm-follow@fix.service');
    writeFileSync(unit, readFileSync(UNIT, 'utf8').replaceAll('/usr/local/bin/pvm', `${ROOT}node_modules/.bin/pvm`));
    const result = spawnSync('systemd-analyze', ['verify', '--man=no', unit], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('runs a command line pvm takes: a followed, journaled, audited run under the policy', () => {
    const [program, ...args] = execStart('fix', 'exe=/usr/sbin/nginx');
    expect(program).toBe('/usr/local/bin/pvm');
    const command = parseCommandLine(args);
    expect(command).toMatchObject({ kind: 'run-many', follow: { forMs: undefined }, selector: { exe: '/usr/sbin/nginx' } });
    expect(command.kind === 'run-many' && command.run).toMatchObject({
      allowWrite: true,
      json: true,
      policy: { file: '/etc/pvm/follow-policy.json', audit: '/var/log/pvm/fix.audit.jsonl' },
      writing: { journal: '/var/lib/pvm/fix.journal' },
    });
  });

  it('names a starting policy that loads: targets by executable, signed recipes only', () => {
    const policy = loadPolicy(`${ROOT}deploy/systemd/follow-policy.json`);
    expect(JSON.stringify(policy)).toContain('ssh-ed25519');
  });
});
