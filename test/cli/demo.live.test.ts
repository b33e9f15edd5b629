// `npm run demo` is the README's first command: it must keep working. It
// reads, scans, hot-patches and reverts the demo target, and exits non-zero
// if any step ends with another status than it should.
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { ROOT } from '../helpers/paths.ts';

it('npm run demo reads, scans, patches and reverts the demo target', () => {
  const result = spawnSync(process.execPath, [`${ROOT}scripts/demo.mjs`], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(result.stdout).not.toContain('!! expected exit status');
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('player ada level 42');
  expect(result.stdout).toMatch(/tick 1: ada can fly: no[\s\S]*patch "fly": applied[\s\S]*tick 2: ada can fly: yes[\s\S]*restored \(patch "fly"\)[\s\S]*tick 3: ada can fly: no/);
});
