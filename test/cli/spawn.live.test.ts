// `-- COMMAND ARGS...` (issue 11, item 7): pvm starts the program as its own
// child, which Yama ptrace_scope 1 lets it read, runs the recipe once the
// program is ready, then waits for it, leaves it, or kills it.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { pvm, RUNTIMES } from '../helpers/cli.ts';

describe.each(RUNTIMES)('a program pvm starts, on %s', (runtime) => {
  it('is read once its libraries are loaded, then killed with --then kill', () => {
    const started = Date.now();
    // A duration no other test uses, so that the process can be looked for by its command line.
    const seconds = `30.${process.pid}${RUNTIMES.indexOf(runtime)}`;
    const result = pvm(runtime, ['-e', 'print module("libc.so.6").size > 0, len(threads())', '--then', 'kill', '--', 'sleep', seconds]);
    expect(result).toMatchObject({ status: 0, stdout: 'true 1\n', stderr: '' });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(execFileSync('sh', ['-c', `pgrep -x -f "sleep ${seconds}" || true`], { encoding: 'utf8' })).toBe('');
  });

  it('waits for the program by default; with --json its output goes to stderr, so stdout stays JSON lines', () => {
    const result = pvm(runtime, ['-e', 'print 2', '--json', '--', 'sh', '-c', 'echo from-the-program; sleep 0.3; echo done']);
    expect(result).toMatchObject({ status: 0, stdout: '{"type":"print","values":[2],"line":1}\n' });
    expect(result.stderr).toBe('from-the-program\ndone\n');
  });

  it('--ready module:NAME waits for a library to be mapped', () => {
    expect(pvm(runtime, ['-e', 'print len(scan "GNU C Library" in module("libc.so.6") limit 1)', '--ready', 'module:libc.so.6', '--then', 'kill', '--', 'sleep', '30'])).toMatchObject({ status: 0, stdout: '1\n' });
  });

  it('a program that cannot start, or ends before it is ready, is a target error (exit 4)', () => {
    expect(pvm(runtime, ['-e', 'print 1', '--', '/nonexistent/program'])).toMatchObject({
      status: 4,
      stderr: 'pvm: error: cannot start /nonexistent/program: no such program\nhint: check the command after --: it must be a program on PATH or a path to one\n',
    });
    expect(pvm(runtime, ['-e', 'print 1', '--', 'true'])).toMatchObject({ status: 4, stderr: expect.stringContaining('pvm: error: true exited (status 0) before it was ready for the recipe') });
  });
});

describe('the command line', () => {
  it('refuses a second target, --ready without a program, and a program for revert', () => {
    expect(pvm('node', ['-e', 'print 1', '--pid', '1', '--', 'sleep', '1'])).toMatchObject({ status: 2, stderr: expect.stringContaining('give one target: --pid or a program after --, not both') });
    expect(pvm('node', ['-e', 'print 1', '--pid', '1', '--ready', 'ms:10'])).toMatchObject({ status: 2, stderr: expect.stringContaining('--ready applies to a program pvm starts') });
    expect(pvm('node', ['-e', 'print 1', '--ready', 'soon', '--', 'sleep', '1'])).toMatchObject({ status: 2, stderr: expect.stringContaining('--ready soon: not a readiness') });
    expect(pvm('node', ['revert', 'x.journal', '--', 'sleep', '1'])).toMatchObject({ status: 2, stderr: expect.stringContaining('a program started by pvm is a new process') });
  });
});
