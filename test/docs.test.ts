// Keeps the docs honest where a machine can tell: they stand alone (no link
// to a file that is not in the repository, no reference to documents outside
// it), the README names no issue numbers, and docs/reference.md names every
// JSON line type the CLI prints and every PVM_ variable pvm reads.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/paths.ts';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** Every .ts and .mjs file under `folder`, as paths from the root. */
function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((path) => /\.(ts|mjs)$/.test(path))
    .map((path) => `${folder}/${path}`);
}

describe('the docs', () => {
  it.each(DOCS)('%s links only to files that exist', (doc) => {
    const links = [...read(doc).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((link) => !/^[a-z]+:/.test(link) && !link.startsWith('#'));
    const missing = links.filter((link) => !existsSync(join(ROOT, dirname(doc), link.split('#')[0]!)));
    expect(missing).toEqual([]);
  });

  it('refer to no document outside the repository', () => {
    // Built from pieces, so that this file does not name them itself.
    const outside = new RegExp(`\\b(${['SPEC', 'KERNEL\\.md', 'STYLE'].join('|')})\\b`);
    const files = [...DOCS, ...['src', 'test', 'scripts', 'bench'].flatMap(sources)].filter((path) => path !== 'test/docs.test.ts');
    expect(files.filter((path) => outside.test(read(path)))).toEqual([]);
  });

  it('the README is for users: it names no issue numbers', () => {
    expect(read('README.md').match(/\bissues? \d+|#\d+\b/g)).toBeNull();
  });

  it('docs/reference.md names every JSON line type the CLI prints', () => {
    const types = new Set(sources('src/cli').flatMap((path) => [...read(path).matchAll(/\btype: '([a-z][a-z-]*)'/g)].map((m) => m[1]!)));
    for (const option of ['string', 'boolean']) types.delete(option); // parseArgs' option types
    expect(types.size).toBeGreaterThan(10);
    const reference = read('docs/reference.md');
    expect([...types].filter((type) => !reference.includes(`| \`${type}\` |`))).toEqual([]);
  });

  it('docs/reference.md names every PVM_ variable pvm reads', () => {
    const variables = new Set(sources('src').flatMap((path) => [...read(path).matchAll(/process\.env(?:\.|\[')(PVM_[A-Z_]+)|'(PVM_[A-Z_]+)'/g)].map((m) => (m[1] ?? m[2])!)));
    expect(variables.size).toBeGreaterThan(3);
    const reference = read('docs/reference.md');
    expect([...variables].filter((name) => !reference.includes(`\`${name}`))).toEqual([]);
  });
});
