// The library as its users get it: the packed tarball installed into an empty
// project (unpacked beside its dependencies, as npm would, with no network), a TypeScript program using it checked by tsc --strict and run on
// Node (compiled), Bun and Deno (as it is); and the orchestrator example of
// docs/api.md patching a fleet of demo servers of one build; and `pvm lsp`
// from the installed package, as an editor starts it.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, startFixture } from '../helpers/fixture.ts';
import { ROOT } from '../helpers/paths.ts';
import { type Runtime, RUNTIMES } from '../helpers/cli.ts';
import { startLsp } from '../lsp/lsp-client.ts';

let project: string;
let fixture: Fixture;
/** tsc --strict over the programs, once: its output (Node runs what it emits). */
let checked: { status: number | null; output: string };
beforeAll(async () => {
  fixture = await startFixture();
  project = mkdtempSync(join(tmpdir(), 'pvm-api-project-'));
  // --ignore-scripts: `prepare` would rebuild dist/ while other tests run it (npm test built it already).
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], { cwd: ROOT, encoding: 'utf8' })) as { filename: string }[];
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'pvm-user', private: true, type: 'module' }));
  // Installed as npm installs it, without the network: the tarball unpacked as node_modules/pvm, beside the
  // packages its manifest depends on (the checkout's copies), and the compiler a user has.
  const modules = join(project, 'node_modules');
  mkdirSync(modules);
  execFileSync('tar', ['-xzf', join(project, packed!.filename), '-C', modules]);
  renameSync(join(modules, 'package'), join(modules, 'pvm'));
  const manifest = JSON.parse(readFileSync(join(modules, 'pvm/package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const name of [...Object.keys(manifest.dependencies), 'typescript', '@types']) symlinkSync(join(ROOT, 'node_modules', name), join(modules, name));
  for (const [from, to] of [['test/api/consumer/app.ts', 'app.ts'], ['examples/api/fleet-fix.ts', 'fleet-fix.ts'], ['examples/fly.pvm', 'fly.pvm']]) copyFileSync(join(ROOT, from!), join(project, to!));
  const options = { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', outDir: 'out', types: ['node'] };
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, files: ['app.ts', 'fleet-fix.ts'] }));
  const tsc = spawnSync(process.execPath, [join(project, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: project, encoding: 'utf8' });
  checked = { status: tsc.status, output: tsc.stdout + tsc.stderr };
}, 180_000);
afterAll(async () => {
  await fixture.stop();
  rmSync(project, { recursive: true, force: true });
});

/** How each runtime runs the program: Node its tsc output, Bun and Deno the .ts itself. */
function command(runtime: Runtime, program: string): string[] {
  switch (runtime) {
    case 'node':
      return [process.execPath, `out/${program}.js`];
    case 'bun':
      return [`${ROOT}node_modules/.bin/bun`, `${program}.ts`];
    case 'deno':
      return [`${ROOT}node_modules/deno/deno`, 'run', '--quiet', '--allow-all', `${program}.ts`];
  }
}

function run(runtime: Runtime, program: string, args: readonly string[]) {
  const [file, ...rest] = [...command(runtime, program), ...args];
  return spawnSync(file!, rest, { cwd: project, encoding: 'utf8', timeout: 60_000 });
}

describe('the package as a library', () => {
  it('a program using it passes tsc --strict, with the types the package ships', () => {
    expect(checked).toEqual({ status: 0, output: '' });
  });

  it.each(RUNTIMES)('the same program runs on %s: events, results, and a policy object that denies writes (exit 3)', (runtime) => {
    const result = run(runtime, 'app', [String(fixture.pid), fixture.hex('counter')]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      planned: 1,
      events: [{ type: 'emit', name: 'counter', value: 1000, line: 1 }],
      results: { doubled: 42 },
      denied: { code: 'policy-denied', exit: 3 },
    });
  });
});

describe('the orchestrator example (examples/api/fleet-fix.ts)', () => {
  it.each(RUNTIMES)('on %s, patches every demo server of one build unless it is patched already, then gives the status', async (runtime) => {
    // A build-id of its own: no other test's demo server matches it.
    const buildId = Array.from({ length: 20 }, () => Math.floor(Math.random() * 256).toString(16).padStart(2, '0')).join('');
    const dir = mkdtempSync(join(tmpdir(), 'pvm-fleet-'));
    execFileSync('cc', ['-g', '-O0', `-Wl,--build-id=0x${buildId}`, '-o', join(dir, 'demo-target'), join(ROOT, 'examples/demo-target.c')]);
    const servers = await Promise.all([0, 1, 2].map(() => serve(join(dir, 'demo-target'))));
    try {
      const [patched, ...others] = servers.map((s) => s.pid!).sort((a, b) => a - b);
      // One of them holds the patch already (the CLI patched it).
      execFileSync(process.execPath, [join(project, 'node_modules/pvm/dist/node/main.js'), 'run', 'fly.pvm', '--pid', String(patched), '--allow-write'], { cwd: project, stdio: 'ignore' });
      const journal = join(dir, 'fly.journal');
      const result = run(runtime, 'fleet-fix', [buildId, 'fly.pvm', journal]);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout.trimEnd().split('\n')).toEqual([
        `pid ${patched}: already patched`,
        ...others.map((pid) => `pid ${pid}: applied (1 site(s))`),
        ...others.map((pid) => `status: pid ${pid}: patch "fly" applied`),
      ]);
      // Run again: every process holds it, nothing to do.
      expect(run(runtime, 'fleet-fix', [buildId, 'fly.pvm', journal]).stdout.trimEnd().split('\n')).toEqual(servers.map((s) => s.pid!).sort((a, b) => a - b).map((pid) => `pid ${pid}: already patched`));
    } finally {
      for (const server of servers) server.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** `demo-target --serve`, once it has printed where its world lives. */
function serve(binary: string) {
  return new Promise<ReturnType<typeof spawn>>((resolve, reject) => {
    const server = spawn(binary, ['--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
    server.stdout!.once('data', () => resolve(server));
    server.once('exit', (code) => reject(new Error(`demo-target --serve exited with ${code}`)));
  });
}

describe('the package as an editor runs it', () => {
  it("`pvm lsp` from the installed package publishes a recipe's diagnostics", async () => {
    const client = await startLsp('node', undefined, [], [process.execPath, join(project, 'node_modules/pvm/dist/node/main.js')]);
    try {
      const diagnostics = await client.open('installed.pvm', 'let x = read u24 at 0\n');
      expect(diagnostics).toMatchObject([{ code: 'unknown-type', range: { start: { line: 0, character: 13 }, end: { line: 0, character: 16 } } }]);
    } finally {
      expect(await client.stop()).toBe(0);
    }
  });
});
