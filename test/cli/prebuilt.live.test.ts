// `bun src/cli/main.ts` and `deno run src/cli/main.ts` run the bundle the
// last build made (dist/bun, dist/node) only while every file it was made
// from is as the build stamped it (src/cli/prebuilt.ts): a changed src/ file
// takes effect at once. Shown on a copy of the checkout whose "bundles" say
// who they are.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST, stamper } from '../../src/cli/prebuilt.ts';
import { commandFor } from '../helpers/cli.ts';
import { ROOT } from '../helpers/paths.ts';

const RUNTIMES = ['bun', 'deno'] as const;
let copy: string;

/** Runs pvm from the copy's src/ on `runtime`. */
function version(runtime: (typeof RUNTIMES)[number], root = copy): string {
  const [command, ...args] = commandFor(runtime).map((part) => part.replace(`${ROOT}src/`, `${root}src/`));
  const result = spawnSync(command!, [...args, '--version'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  expect(result.stderr).toBe('');
  return result.stdout;
}

/** Stamps the copy's src/ as the build does, for the two bundles it would run. */
async function stampCopy(): Promise<void> {
  const stampOf = await stamper(copy);
  const inputs = readdirSync(`${copy}src`, { recursive: true, encoding: 'utf8' }).map((path) => [`src/${path}`, stampOf(`src/${path}`)]);
  const bundles = { bun: { path: 'dist/bun/cli.js', inputs }, deno: { path: 'dist/node/main.js', inputs } };
  writeFileSync(`${copy}${MANIFEST}`, JSON.stringify({ root: copy, bundles }));
}

beforeAll(async () => {
  copy = `${realpathSync(mkdtempSync(join(tmpdir(), 'pvm-prebuilt-')))}/`;
  cpSync(`${ROOT}src`, `${copy}src`, { recursive: true });
  for (const file of ['package.json', 'deno.json', 'tsconfig.json']) cpSync(`${ROOT}${file}`, `${copy}${file}`);
  symlinkSync(`${ROOT}node_modules`, `${copy}node_modules`);
  mkdirSync(`${copy}dist/bun`, { recursive: true });
  mkdirSync(`${copy}dist/node`, { recursive: true });
  writeFileSync(`${copy}dist/bun/cli.js`, "console.log('the bundle for Bun');\n");
  writeFileSync(`${copy}dist/node/main.js`, "console.log('the bundle for Deno');\n");
  await stampCopy();
});
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe.each(RUNTIMES)('on %s', (runtime) => {
  const bundle = runtime === 'bun' ? 'the bundle for Bun\n' : 'the bundle for Deno\n';

  it('runs the bundle while src/ is as built, and src/ once a file changes', async () => {
    await stampCopy();
    expect(version(runtime)).toBe(bundle);
    // The same size and the same mtime: only the inode's change time says the file changed.
    const path = `${copy}src/version.ts`;
    const mtimeMs = Number(statSync(path, { bigint: true }).mtimeNs / 1_000_000n);
    const text = readFileSync(path, 'utf8');
    const edited = text.replace(/VERSION = '[^']*'/, (found) => `VERSION = '${'9'.repeat(found.length - "VERSION = ''".length)}'`);
    expect(edited.length).toBe(text.length);
    await new Promise((done) => setTimeout(done, 1100)); // ctimes are compared in whole seconds (Deno's precision); the build itself takes longer
    writeFileSync(path, edited);
    utimesSync(path, new Date(), (mtimeMs + 0.5) / 1000); // the same ms, whatever the rounding of seconds as a float
    expect(version(runtime)).toMatch(/^pvm 9+\n$/);
    writeFileSync(path, text);
  });

  it('runs src/ when the bundle was built in another checkout, or there is no manifest', async () => {
    await stampCopy();
    const manifest = JSON.parse(readFileSync(`${copy}${MANIFEST}`, 'utf8'));
    writeFileSync(`${copy}${MANIFEST}`, JSON.stringify({ ...manifest, root: '/elsewhere/' }));
    expect(version(runtime)).toMatch(/^pvm \d/);
    rmSync(`${copy}${MANIFEST}`);
    expect(version(runtime)).toMatch(/^pvm \d/);
  });

  it("finds the checkout's own build fresh (the build's stamps match what this runtime reads)", () => {
    const script = `import { freshBundle } from '${ROOT}src/cli/prebuilt.ts'; console.log(await freshBundle('${ROOT}'));`;
    const command = runtime === 'bun' ? [`${ROOT}node_modules/.bin/bun`, '-e', script] : [`${ROOT}node_modules/deno/deno`, 'eval', '--quiet', script];
    const result = spawnSync(command[0]!, command.slice(1), { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(result.stdout).toBe(`${ROOT}${runtime === 'bun' ? 'dist/bun/cli.js' : 'dist/node/main.js'}\n`);
  });
});
