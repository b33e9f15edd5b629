// Starts the C fixture as a live process and reads the addresses it prints.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
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
  /**
   * Resolves once the fixture is still: its main thread waiting in read(2)
   * for its next line (it prints its addresses first, and may still be on its
   * way there), and every other thread past its start (it has run for a tick
   * of CPU time: a spinner in its loop). What a test snapshots, stops or
   * compares is then what stays.
   */
  settled(): Promise<void>;
  /** SIGSTOP, resolving once the fixture has stopped (state T): the signal lands when it is next scheduled. */
  stopped(): Promise<void>;
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
  const pid = Number(info.pid);
  /** Waits until `holds`, at most 10 s; else fails saying what it waited for. */
  const until = async (holds: () => boolean, what: string) => {
    for (const deadline = Date.now() + 10_000; !holds();) {
      if (Date.now() > deadline) throw new Error(`the fixture (pid ${pid}) did not become ${what} in 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const task = (tid: string, file: string) => readFileSync(`/proc/${pid}/task/${tid}/${file}`, 'latin1');
  /** utime + stime, in ticks (fields 14 and 15 of stat, after the command in parentheses). */
  const ticks = (tid: string) => task(tid, 'stat').slice(task(tid, 'stat').lastIndexOf(')') + 2).split(' ').slice(11, 13).reduce((sum, n) => sum + Number(n), 0);
  return {
    pid,
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
    settled: () =>
      until(
        () => readdirSync(`/proc/${pid}/task`).every((tid) => (Number(tid) === pid ? task(tid, 'syscall').startsWith('0 ') : ticks(tid) > 0)),
        'still (its main thread in read(2), every other thread running)',
      ),
    stopped: async () => {
      process.kill(pid, 'SIGSTOP');
      await until(() => /\nState:\tT /.test(readFileSync(`/proc/${pid}/status`, 'utf8')), 'stopped (state T)');
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
