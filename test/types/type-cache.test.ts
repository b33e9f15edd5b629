// The type index's cache on disk: built cold and written, read warm without
// a walk, and rebuilt (never trusted, never an error) when it is corrupt,
// truncated, of another build, or indexes another .debug_info.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sizeOf } from '../../src/types/ctype.ts';
import { cacheFile } from '../../src/types/dwarf/index-cache.ts';
import { BUILD_DIR, ROOT } from '../helpers/paths.ts';
import { one, typesOf } from './type-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'pvm-type-cache-'));
const binary = `${BUILD_DIR}/types-cache`;
const other = `${BUILD_DIR}/types-cache-other`;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  mkdirSync(BUILD_DIR, { recursive: true });
  execFileSync('gcc', ['-g', '-o', binary, `${ROOT}test/fixture/types.c`]);
  // Another build: another build-id, and another layout of struct node.
  execFileSync('gcc', ['-g', '-DOTHER', '-o', other, '-x', 'c', '-'], { input: 'struct node { long value; struct node *next; struct node *prev; } list_head;\nint main(void) { return 0; }\n' });
});

/** A fresh cache directory and the index file it would hold for `path`. */
function cacheFor(path: string): { directory: string; file: string } {
  const directory = mkdtempSync(join(dir, 'cache-'));
  const buildId = typesOf(path).buildId!;
  return { directory, file: cacheFile(directory, buildId) };
}

/** Whether a lookup rewrote the file (a rebuild writes a new file and renames it over the old). */
function inode(file: string): number {
  return statSync(file).ino;
}

describe('the type index cache', () => {
  it('is written on the first run, under types/BUILD-ID.index, and read on the next without a rebuild', () => {
    const { directory, file } = cacheFor(binary);
    expect(existsSync(file)).toBe(false);
    expect(sizeOf(one(typesOf(binary, directory), 'struct node'))).toBe(16);
    expect(file).toContain(typesOf(binary).buildId!);
    const written = inode(file);
    const warm = typesOf(binary, directory);
    expect(warm.names()).toContain('struct player');
    expect(sizeOf(one(warm, 'struct player'))).toBe(80);
    expect(inode(file)).toBe(written);
  });

  it.each([
    ['a flipped byte in its index', (file: string) => {
      const bytes = readFileSync(file);
      bytes[bytes.length - 7]! ^= 0x55;
      writeFileSync(file, bytes);
    }],
    ['a flipped byte in its header', (file: string) => {
      const bytes = readFileSync(file);
      bytes[10]! ^= 0x01;
      writeFileSync(file, bytes);
    }],
    ['a truncated file', (file: string) => truncateSync(file, Math.floor(statSync(file).size / 2))],
    ['an empty file', (file: string) => truncateSync(file, 0)],
    ['another version', (file: string) => writeFileSync(file, readFileSync(file, 'latin1').replace('"version":1', '"version":999'), 'latin1')],
    ['a .debug_info of another size', (file: string) => writeFileSync(file, readFileSync(file, 'latin1').replace(/"infoBytes":\d+/, '"infoBytes":12'), 'latin1')],
  ])('is rebuilt, with the right answer, after %s', (_what, damage) => {
    const { directory, file } = cacheFor(binary);
    typesOf(binary, directory).names();
    damage(file);
    const damaged = inode(file);
    const types = typesOf(binary, directory);
    expect(sizeOf(one(types, 'struct player'))).toBe(80);
    expect(types.names()).toContain('struct node');
    expect(inode(file)).not.toBe(damaged);
  });

  it("is never another build's: the index of another build-id put in its place is rebuilt", () => {
    const { directory, file } = cacheFor(binary);
    const { directory: otherDirectory, file: otherFile } = cacheFor(other);
    typesOf(other, otherDirectory).names();
    mkdirSync(join(directory, 'types'), { recursive: true });
    renameSync(otherFile, file);
    const types = typesOf(binary, directory);
    expect(types.names()).toContain('struct player');
    expect(sizeOf(one(types, 'struct node'))).toBe(16);
  });

  it("is not used where others can write to it: another build's index made to look like this one's is not read", () => {
    const { directory, file } = cacheFor(binary);
    const { directory: otherDirectory, file: otherFile } = cacheFor(other);
    typesOf(other, otherDirectory).names();
    mkdirSync(join(directory, 'types'), { recursive: true });
    // Its header says this build: the checksum (of the index) still holds, so only where it lies protects.
    writeFileSync(file, readFileSync(otherFile, 'latin1').replace(typesOf(other).buildId!, typesOf(binary).buildId!), 'latin1');
    chmodSync(join(directory, 'types'), 0o777);
    const types = typesOf(binary, directory);
    expect(types.names()).toContain('struct player');
    expect(sizeOf(one(types, 'struct node'))).toBe(16);
  });

  it('is no error where it cannot be written (its types directory is a file)', () => {
    const directory = mkdtempSync(join(dir, 'unwritable-'));
    writeFileSync(join(directory, 'types'), '');
    expect(sizeOf(one(typesOf(binary, directory), 'struct node'))).toBe(16);
  });

  it('is no error where the directory is a file', () => {
    const file = join(dir, 'not-a-directory');
    writeFileSync(file, '');
    expect(sizeOf(one(typesOf(binary, file), 'struct node'))).toBe(16);
  });
});
