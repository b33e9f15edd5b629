// Data flows one way (docs/design.md, "Data flows one way"): no layer imports
// one above it. The command line and the language server use the library
// (src/api/); the library, and everything under it, never imports them.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/paths.ts';

/** Each source file of a layer, with the layers it imports (relative imports, static or dynamic). */
function importsOf(layer: string): { file: string; imports: string[] }[] {
  const files = readdirSync(`${ROOT}src/${layer}`, { recursive: true, encoding: 'utf8' }).filter((path) => path.endsWith('.ts'));
  return files.map((path) => {
    const text = readFileSync(`${ROOT}src/${layer}/${path}`, 'utf8');
    const depth = path.split('/').length; // ../ that many times leaves src/
    const up = '\\.\\./'.repeat(depth);
    const imports = [...text.matchAll(new RegExp(`(?:from|import\\()\\s*'${up}([a-z-]+)/`, 'g'))].map((m) => m[1]!);
    return { file: `src/${layer}/${path}`, imports };
  });
}

describe('layers', () => {
  it.each(['api', 'dsl', 'plan', 'policy', 'runtime', 'target', 'snapshot', 'native', 'types'])('src/%s imports neither the command line nor the language server', (layer) => {
    const upward = importsOf(layer).filter(({ imports }) => imports.some((name) => name === 'cli' || name === 'lsp'));
    expect(upward.map(({ file }) => file)).toEqual([]);
  });

  it.each(['dsl', 'plan', 'policy', 'runtime', 'target', 'snapshot', 'native', 'types'])('src/%s does not import the library that runs it', (layer) => {
    const upward = importsOf(layer).filter(({ imports }) => imports.includes('api'));
    expect(upward.map(({ file }) => file)).toEqual([]);
  });
});
