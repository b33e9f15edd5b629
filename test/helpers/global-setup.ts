// Compiles the C fixture once per test run, with the machine's cc; and
// builds the single binary (dist/bin/pvm), which the binary and Ansible tests run.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { BUILD_DIR, FIXTURE_BINARY, FIXTURE_SOURCE, ROOT } from './paths.ts';

export default function setup(): void {
  mkdirSync(BUILD_DIR, { recursive: true });
  execFileSync('cc', ['-O0', '-g', '-Wall', '-Werror', '-pthread', '-o', FIXTURE_BINARY, FIXTURE_SOURCE], { stdio: 'inherit' });
  execFileSync(process.execPath, [`${ROOT}scripts/build-bin.mjs`], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}
