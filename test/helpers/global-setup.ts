// Once per test run: compiles the C fixture with the machine's cc, and builds
// what the tests run but do not import: dist/ (Node runs the bundle
// dist/node/main.js; some tests load dist/native, or copy dist/) and the
// single binary dist/bin/pvm. A build is skipped while its output is newer
// than every file it is built from (looking takes ~7 ms; a build 10-20 s),
// so a bare `vitest` after an edit of src/ never tests a stale bundle, and
// `npm test`, which has just built, does not build twice. In watch mode the
// same check runs before each rerun.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { BUILD_DIR, FIXTURE_BINARY, FIXTURE_SOURCE, ROOT } from './paths.ts';

/** What a build of dist/ reads, beside src/. */
const BUILD_INPUTS = ['scripts/build.mjs', 'scripts/replace-directory.mjs', 'scripts/build-bin.mjs', 'tsconfig.json', 'package.json', 'package-lock.json'];

/** The latest modification time of what dist/ is built from (a folder's changes when a file is added or removed). */
function newestInput(): number {
  const paths = [...BUILD_INPUTS, 'src', ...readdirSync(`${ROOT}src`, { recursive: true, encoding: 'utf8' }).map((path) => `src/${path}`)];
  return Math.max(...paths.map((path) => statSync(`${ROOT}${path}`).mtimeMs));
}

/** True when `path` exists and was written after every input. */
function upToDate(path: string, inputs: number): boolean {
  return (statSync(`${ROOT}${path}`, { throwIfNoEntry: false })?.mtimeMs ?? 0) > inputs;
}

/** Builds dist/ and dist/bin/pvm where they are older than their sources. */
function buildStale(): void {
  const inputs = newestInput();
  // build.mjs swaps a whole new dist/ in (dist/bin carried over), its dist/node/main.js newer than its sources.
  if (!upToDate('dist/node/main.js', inputs)) execFileSync(process.execPath, [`${ROOT}scripts/build.mjs`], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (!upToDate('dist/bin/pvm', inputs)) execFileSync(process.execPath, [`${ROOT}scripts/build-bin.mjs`], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

export default function setup(project: TestProject): void {
  mkdirSync(BUILD_DIR, { recursive: true });
  execFileSync('cc', ['-O0', '-g', '-Wall', '-Werror', '-pthread', '-o', FIXTURE_BINARY, FIXTURE_SOURCE], { stdio: 'inherit' });
  buildStale();
  project.onTestsRerun(buildStale);
}
