// Tests that need something an ordinary user's machine may lack (root, a
// kernel feature). Locally they are skipped with the reason; on CI
// (CI=true), where everything must run, they fail with the reason instead,
// so a missing capability never hides as a skip.
import { spawnSync } from 'node:child_process';
import { it, type TestContext } from 'vitest';

const ON_CI = process.env.CI === 'true' || process.env.CI === '1';

/** True when this process runs as root (uid 0), which CI does. */
export const IS_ROOT = process.geteuid?.() === 0;

/** Inside a test: go on only if `available`; otherwise skip (locally) or fail (on CI), saying `why`. */
export function needs(context: TestContext, available: boolean, why: string): void {
  if (available) return;
  if (ON_CI) throw new Error(`${why}; CI must run this test, so it fails instead of skipping`);
  context.skip(why);
}

/** A test that truly needs root, such as one that starts a target as another user. */
export function itAsRoot(name: string, body: () => void | Promise<void>, timeout?: number): void {
  const why = `needs root (runs as uid ${process.geteuid?.()})`;
  if (IS_ROOT) it(name, body, timeout);
  else if (ON_CI) {
    it(name, () => {
      throw new Error(`${why}; CI must run this test, so it fails instead of skipping`);
    });
  } else it.skip(`${name} [skipped: ${why}]`, body);
}

/** True when `command` is on the PATH (a tool such as gdb, python3 or ansible-playbook). */
export function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' }).status === 0;
}
