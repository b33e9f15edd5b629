// `pvm lsp` is the only command that loads the language server and
// vscode-languageserver: in Node's bundle they are in chunks no other
// command's start-up imports, and Bun's bundle requires the package only when
// `pvm lsp` runs.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths.ts';

/** A function of vscode-languageserver's protocol layer: its code is in whichever file holds this. */
const MARKER = 'createProtocolConnection';

/** The files `entry` imports statically, itself included, transitively (dynamic import() left out). */
function staticClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(`${ROOT}dist/node/${file}`, 'utf8');
    for (const [, imported] of text.matchAll(/(?:^|[;\s])(?:import|export)\s*(?:[^'"();]*?\sfrom\s*)?["']\.\/([^"']+)["']/g)) visit(imported!);
  };
  visit(entry);
  return seen;
}

describe('the language server is loaded by pvm lsp alone', () => {
  it("in Node's bundle: main.js and what it imports statically hold none of it", () => {
    const closure = staticClosure('main.js');
    expect(closure.size).toBeGreaterThan(1);
    const holding = readdirSync(`${ROOT}dist/node`).filter((file) => file.endsWith('.js') && readFileSync(`${ROOT}dist/node/${file}`, 'utf8').includes(MARKER));
    expect(holding.length).toBeGreaterThan(0);
    expect(holding.filter((file) => closure.has(file))).toEqual([]);
  });

  it("in Bun's bundle: a command's start-up requires no vscode- package, pvm lsp does", async () => {
    // stdin left open (pvm lsp ends when it closes) until the script has looked.
    const loaded = async (args: string[], waitMs: number) => {
      const child = spawn(`${ROOT}node_modules/.bin/bun`, [`${ROOT}test/lsp/loaded-packages.cjs`], {
        env: { ...process.env, BUNDLE: `${ROOT}dist/bun/cli.js`, PVM_ARGS: JSON.stringify(args), WAIT_MS: String(waitMs) },
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      await new Promise((resolve) => child.on('exit', resolve));
      child.stdin.end();
      return JSON.parse(stderr.trim().split('\n').at(-1)!) as string[];
    };
    const checked = await loaded(['check', `${ROOT}examples/demo.pvm`], 500);
    expect(checked.filter((name) => name.startsWith('vscode-'))).toEqual([]);
    expect(await loaded(['lsp'], 500)).toContain('vscode-languageserver');
  });
});
