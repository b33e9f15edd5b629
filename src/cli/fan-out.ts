// `pvm run RECIPE --match SELECTOR` (or --pid given more than once): the
// recipe runs against every process, each as a pvm of its own (the same
// runtime, the same command line with --pid of that process), at most --jobs
// at a time. One process that vanishes, refuses or fails never stops the
// others. With --json every line carries "pid", each process ends with a
// `target` line and the run with a `summary`; for people, each process's
// output is a block under its pid. The exit status is the most serious of
// theirs (journal-commands.ts mostSerious).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { attempt } from '../attempt.ts';
import { count } from '../count.ts';
import { TargetError, type ExitCode } from '../errors.ts';
import { selectProcesses, type Selector } from '../target/select-processes.ts';
import { mostSerious } from './journal-commands.ts';

type Out = (text: string) => void;

interface Finished {
  readonly pid: number;
  readonly exit: ExitCode;
  readonly stdout: string;
  readonly stderr: string;
}

export async function fanOut(command: { readonly pids: readonly number[] | undefined; readonly selector: Selector | undefined; readonly jobs: number; readonly json: boolean; readonly childArgs: readonly string[] }, out: Out): Promise<ExitCode> {
  const pids = command.pids ?? selectProcesses(command.selector!, process.pid);
  if (pids.length === 0) {
    throw new TargetError('no-such-process', `no process matches --match ${command.selector?.text ?? ''}`, { hint: 'check the selector against `ps -eo pid,uid,comm,exe`; every key must hold' });
  }
  const self = selfCommand();
  const results: Finished[] = new Array(pids.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < pids.length) {
      const index = next++;
      results[index] = await runOne(self, [...command.childArgs, '--pid', String(pids[index])], pids[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(command.jobs, pids.length) }, worker));

  for (const result of results) {
    if (command.json) {
      // Each line gains "pid", after "type": one process's lines can be told from another's.
      for (const line of result.stdout.split('\n').filter((l) => l.trim() !== '')) out(line.startsWith('{"type":') ? line.replace(/^\{("type":"[^"]*")/, `{$1,"pid":${result.pid}`) : JSON.stringify({ type: 'output', pid: result.pid, text: line }));
      if (result.stderr.trim() !== '') process.stderr.write(result.stderr.replace(/^(?=.)/gm, `pid ${result.pid}: `));
      out(JSON.stringify({ type: 'target', pid: result.pid, status: result.exit === 0 ? 'ok' : 'failed', exit: result.exit }));
    } else {
      out(`== pid ${result.pid} (${comm(result.pid)}): ${result.exit === 0 ? 'ok' : `exit ${result.exit}`} ==`);
      if (result.stdout !== '') out(result.stdout.replace(/\n$/, ''));
      if (result.stderr !== '') process.stderr.write(result.stderr.replace(/^(?=.)/gm, `pid ${result.pid}: `));
    }
  }
  const failed = results.filter((r) => r.exit !== 0).length;
  const exit = mostSerious(results.map((r) => r.exit));
  out(command.json ? JSON.stringify({ type: 'summary', processes: results.length, ok: results.length - failed, failed, exit }) : `${count(results.length, 'process')}: ${results.length - failed} ok, ${failed} failed`);
  return exit;
}

/** This very pvm, as a command: the runtime and the entry point it was started with. */
function selfCommand(): string[] {
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
  if (deno !== undefined) return [deno.execPath(), 'run', '--quiet', '--allow-all', process.argv[1]!];
  return [process.execPath, process.argv[1]!];
}

function runOne(self: readonly string[], args: readonly string[], pid: number): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(self[0]!, [...self.slice(1), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => resolve({ pid, exit: 4, stdout, stderr: `${stderr}cannot start pvm for pid ${pid}: ${error.message}\n` }));
    child.on('close', (code) => resolve({ pid, exit: (code ?? 4) as ExitCode, stdout, stderr }));
  });
}

function comm(pid: number): string {
  return attempt(() => readFileSync(`/proc/${pid}/comm`, 'utf8').trim()) ?? 'exited';
}
