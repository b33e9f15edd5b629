// Runs the pvm CLI as a user would, under each runtime: Node runs the built
// dist/, Bun and Deno run src/ directly (the README's entry points).
import { spawnSync } from 'node:child_process';
import { ROOT } from './paths.ts';

export type Runtime = 'node' | 'bun' | 'deno';
export const RUNTIMES: readonly Runtime[] = ['node', 'bun', 'deno'];

export function commandFor(runtime: Runtime): string[] {
  switch (runtime) {
    case 'node':
      return [process.execPath, `${ROOT}dist/node/main.js`]; // the bundle: what `pvm` runs on Node
    case 'bun':
      return [`${ROOT}node_modules/.bin/bun`, `${ROOT}src/cli/main.ts`];
    case 'deno':
      // The same command as `deno task pvm` (deno.json).
      return [`${ROOT}node_modules/deno/deno`, 'run', '--quiet', '--allow-all', `${ROOT}src/cli/main.ts`];
  }
}

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Run as another user, e.g. ['setpriv', '--reuid', '65534', …]. */
  readonly prefix?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
  /** Node only: run this main.js instead of dist's (a copy of pvm built differently). */
  readonly entry?: string;
}

export function pvm(runtime: Runtime, args: readonly string[], options: RunOptions = {}): CliResult {
  const cli = options.entry === undefined ? commandFor(runtime) : [process.execPath, options.entry];
  const [command, ...rest] = [...(options.prefix ?? []), ...cli, ...args];
  const result = spawnSync(command!, rest, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    input: options.input ?? '',
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
