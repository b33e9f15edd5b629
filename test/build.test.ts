// scripts/build.mjs replaces dist/ whole with replaceDirectory, in two
// renames, so that a pvm running from it while `npm test` or `npm pack`
// builds keeps working, and the single binary in dist/bin, which that build
// does not make, is kept: linked into the fresh build, not moved out of the
// live one (a second build at the same moment finds it too).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replaceDirectory } from '../scripts/replace-directory.mjs';

/** A directory holding `files` (path: text). */
function directory(at: string, files: Record<string, string>): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(at, path, '..'), { recursive: true });
    writeFileSync(join(at, path), text);
  }
  return at;
}

const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));
const scratch = (): string => {
  const root = mkdtempSync(join(tmpdir(), 'pvm-build-'));
  roots.push(root);
  return root;
};

describe('replaceDirectory', () => {
  it("puts the fresh build in dist's place, keeps dist/bin, and leaves nothing else behind", () => {
    const root = scratch();
    const dist = directory(join(root, 'dist'), { 'node/main.js': 'old', 'gone.js': 'old', 'bin/pvm': 'the single binary' });
    const fresh = directory(join(root, 'dist.next-1'), { 'node/main.js': 'new' });
    const binary = statSync(join(dist, 'bin/pvm')).ino;
    replaceDirectory(fresh, dist, ['bin']);
    expect(readdirSync(root)).toEqual(['dist']);
    expect(readFileSync(join(dist, 'node/main.js'), 'utf8')).toBe('new');
    expect(readFileSync(join(dist, 'bin/pvm'), 'utf8')).toBe('the single binary');
    expect(statSync(join(dist, 'bin/pvm')).ino).toBe(binary); // linked, not copied
    expect(existsSync(join(dist, 'gone.js'))).toBe(false);
  });

  it('makes dist where there was none', () => {
    const root = scratch();
    replaceDirectory(directory(join(root, 'dist.next-1'), { 'node/main.js': 'new' }), join(root, 'dist'), ['bin']);
    expect(readdirSync(join(root, 'dist'))).toEqual(['node']);
  });
});
