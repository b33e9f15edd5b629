// Another process that ptrace-stops a target and holds it, as a debugger
// would, until it is killed (the kernel then resumes the target).
import { type ChildProcess, spawn } from 'node:child_process';
import { ROOT } from './paths.ts';

export async function holdWithTracer(pid: number): Promise<ChildProcess> {
  const script = `
    const { loadLibc } = await import('${ROOT}dist/native/libc.js');
    const { freezeProcess } = await import('${ROOT}dist/native/freeze.js');
    freezeProcess(await loadLibc(), ${pid});
    process.stdout.write('frozen\\n');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the tracer exited early with ${code}`)));
  });
  return child;
}

/** Kills the tracer and waits until it is gone (so the target runs again). */
export async function release(tracer: ChildProcess): Promise<void> {
  if (tracer.exitCode !== null || tracer.signalCode !== null) return;
  const gone = new Promise((resolve) => tracer.once('exit', resolve));
  tracer.kill('SIGKILL');
  await gone;
}
