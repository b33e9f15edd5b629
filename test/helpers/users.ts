// Running pvm, or a target, as an ordinary user without CAP_SYS_PTRACE, so
// that refusals can be tested whoever runs the tests. As root that user is
// 65534 (nobody), kept able to read the checkout wherever it lies (CI may
// clone under /root) with CAP_DAC_READ_SEARCH, which has nothing to do with
// ptrace; as anyone else it is simply the current user.
import { chownSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IS_ROOT } from './needs.ts';

export const NOBODY_UID = 65534;

/** A command prefix that runs the rest as an ordinary user; empty when we already are one. */
export const AS_ORDINARY_USER: readonly string[] = IS_ROOT ? ['setpriv', '--reuid', String(NOBODY_UID), '--regid', String(NOBODY_UID), '--clear-groups', '--inh-caps', '+dac_read_search', '--ambient-caps', '+dac_read_search'] : [];

/** The uid AS_ORDINARY_USER runs as. */
export const ORDINARY_UID = IS_ROOT ? NOBODY_UID : process.geteuid!();

/** HOME and the runtimes' caches in a fresh directory that user may write (Deno compiles into its cache). */
export function ordinaryUserEnv(): NodeJS.ProcessEnv {
  if (!IS_ROOT) return {};
  const home = mkdtempSync(join(tmpdir(), 'pvm-test-home-'));
  chownSync(home, NOBODY_UID, NOBODY_UID);
  return { HOME: home, DENO_DIR: join(home, 'deno'), XDG_CACHE_HOME: join(home, 'cache') };
}
