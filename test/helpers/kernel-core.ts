// The kernel's own core of a fixture: started with core dumps allowed, in a
// directory of its own, then killed with SIGSEGV. Where the kernel pipes
// cores elsewhere (core_pattern `|…`, systemd-coredump), there is none, and
// the reason says so (tests fail with it on CI: needs.ts).
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Fixture, startFixture } from './fixture.ts';
import { FIXTURE_BINARY } from './paths.ts';

/** The core file and the fixture it was taken of (its addresses, read before it died), or why there is none; `before` runs on the fixture before it is killed (a snapshot to compare with). */
export type KernelCore = { readonly core: string; readonly fixture: Fixture } | { readonly core: undefined; readonly why: string };

export async function kernelCore(dir: string, binary: string = FIXTURE_BINARY, before: (fixture: Fixture) => void | Promise<void> = () => {}): Promise<KernelCore> {
  const pattern = readFileSync('/proc/sys/kernel/core_pattern', 'utf8').trim();
  if (pattern.startsWith('|')) return { core: undefined, why: `the kernel pipes cores to ${pattern}` };
  const crashDir = mkdtempSync(join(dir, 'crash-'));
  const fixture = await startFixture([], ['bash', '-c', `ulimit -c unlimited && cd '${crashDir}' && exec "$0" "$@"`], binary);
  const exited = new Promise((resolve) => fixture.child.once('exit', resolve));
  await before(fixture);
  process.kill(fixture.pid, 'SIGSEGV');
  await exited;
  const core = readdirSync(crashDir).map((name) => join(crashDir, name)).find((path) => /\/core(\.\d+)?$/.test(path));
  return core === undefined ? { core: undefined, why: `no core file appeared in ${crashDir} (core_pattern is '${pattern}')` } : { core, fixture };
}
