// Issue 15, item 1: what `npm pack` ships is enough to run pvm. The tarball is
// unpacked beside the checkout's node_modules (no network), and its bin runs a
// live recipe; the docs the README links to, and the LICENSE, are in it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, startFixture } from '../helpers/fixture.ts';
import { ROOT } from '../helpers/paths.ts';

let fixture: Fixture;
let unpacked: string;
beforeAll(async () => {
  fixture = await startFixture();
  const dir = mkdtempSync(join(tmpdir(), 'pvm-pack-'));
  // --ignore-scripts: `prepare` would rebuild dist/ while other tests run it (npm test built it already).
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' })) as { filename: string }[];
  execFileSync('tar', ['-xzf', join(dir, packed!.filename), '-C', dir]);
  unpacked = join(dir, 'package');
  symlinkSync(join(ROOT, 'node_modules'), join(unpacked, 'node_modules'));
}, 120_000);
afterAll(() => fixture.stop());

describe('the npm package', () => {
  it("runs a live recipe through its bin, from the tarball's files alone", () => {
    const manifest = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8')) as { bin: { pvm: string }; os: string[] };
    expect(manifest.os).toEqual(['linux']);
    const bin = join(unpacked, manifest.bin.pvm);
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const result = spawnSync(process.execPath, [bin, '-e', 'print read u32 at symbol("target", "counter")', '--pid', String(fixture.pid)], { encoding: 'utf8', cwd: tmpdir() });
    expect(result).toMatchObject({ status: 0, stdout: '1000\n', stderr: '' });
  });

  it("runs as node_modules/.bin/pvm in the checkout, the README's entry point after npm ci", () => {
    const result = spawnSync(join(ROOT, 'node_modules/.bin/pvm'), ['-e', 'print read u32 at symbol("target", "counter")', '--pid', String(fixture.pid)], { encoding: 'utf8', cwd: tmpdir() });
    expect(result).toMatchObject({ status: 0, stdout: '1000\n', stderr: '' });
  });

  it('ships the LICENSE and every doc the README links to', () => {
    expect(existsSync(join(unpacked, 'LICENSE'))).toBe(true);
    const links = [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/\]\(((?:docs|examples)\/[^)#]+)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(3);
    for (const link of links) expect(existsSync(join(unpacked, link)), link).toBe(true);
  });
});
