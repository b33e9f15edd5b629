// Starts the C fixture as a live process and reads the addresses it prints.
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach } from 'vitest';
import { FIXTURE_BINARY } from './paths.ts';

export interface Fixture {
  readonly pid: number;
  readonly pageSize: number;
  /** Address of each named object, as printed by the fixture. */
  readonly at: (name: string) => bigint;
  /** Whether the fixture could set up an optional object (it prints null where it could not, e.g. 'uffd'). */
  readonly has: (name: string) => boolean;
  /** A number the fixture printed (a size). */
  readonly number: (name: string) => number;
  /** The same, as `0x…` text for recipes and --arg. */
  readonly hex: (name: string) => string;
  readonly child: ChildProcess;
  /** Sends a line to the fixture's stdin and resolves with the next line it prints. */
  ask(line: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts the fixture; `prefix` runs it through another command, e.g. setpriv to run it as another user; `binary`: a copy of it. */
export async function startFixture(args: readonly string[] = [], prefix: readonly string[] = [], binary = FIXTURE_BINARY): Promise<Fixture> {
  const [command, ...rest] = [...prefix, binary, ...args];
  const child = spawn(command!, rest, { stdio: ['pipe', 'pipe', 'inherit'] });
  // Every line the fixture prints goes to the oldest waiting reader: first the JSON line, then answers to `ask`.
  let text = '';
  const waiting: ((line: string) => void)[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    for (let newline = text.indexOf('\n'); newline >= 0 && waiting.length > 0; newline = text.indexOf('\n')) {
      waiting.shift()!(text.slice(0, newline));
      text = text.slice(newline + 1);
    }
  });
  const nextLine = () => new Promise<string>((resolve) => waiting.push(resolve));
  const line = await new Promise<string>((resolve, reject) => {
    nextLine().then(resolve, reject);
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`fixture exited early with ${code}`)));
  });
  const info = JSON.parse(line) as Record<string, string | number | null>;
  const at = (name: string): bigint => {
    const value = info[name];
    if (value === null) throw new Error(`the fixture could not set up '${name}' here; check fixture.has('${name}') first`);
    if (typeof value !== 'string' || !value.startsWith('0x')) throw new Error(`fixture has no address '${name}'`);
    return BigInt(value);
  };
  return {
    pid: Number(info.pid),
    pageSize: Number(info.page_size),
    at,
    has: (name) => typeof info[name] === 'string',
    hex: (name) => `0x${at(name).toString(16)}`,
    number: (name) => {
      const value = info[name];
      if (typeof value !== 'number') throw new Error(`fixture has no number '${name}'`);
      return value;
    },
    child,
    ask: (request) => {
      const answer = nextLine();
      child.stdin!.write(`${request}\n`);
      return answer;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

/**
 * For a test file whose tests each start their own fixtures: a `fixture(args)`
 * that starts one, and stops every one a test started after that test
 * (SIGKILL ends a stopped process too).
 */
export function fixturesPerTest(): (args?: readonly string[]) => Promise<Fixture> {
  const started: Fixture[] = [];
  afterEach(async () => {
    for (const f of started.splice(0)) await f.stop();
  });
  return async (args = []) => {
    const f = await startFixture(args);
    started.push(f);
    return f;
  };
}
