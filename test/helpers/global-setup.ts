// Compiles the C fixture once per test run, with the machine's cc.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { BUILD_DIR, FIXTURE_BINARY, FIXTURE_SOURCE } from './paths.ts';

export default function setup(): void {
  mkdirSync(BUILD_DIR, { recursive: true });
  execFileSync('cc', ['-O0', '-g', '-Wall', '-Werror', '-pthread', '-o', FIXTURE_BINARY, FIXTURE_SOURCE], { stdio: 'inherit' });
}
