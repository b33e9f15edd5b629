// Issue 29, item 16: the files a user names for pvm to read (policies,
// `--arg NAME=@FILE`, journals) are regular files of a bounded size. A device
// (/dev/zero grew pvm to 16.8 GB), a pipe held open (/dev/stdin hung) or a
// file over the bound is exit 2, at once, naming the file and why.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_ARG_FILE_BYTES, MAX_JOURNAL_BYTES, MAX_POLICY_BYTES, MAX_RECIPE_BYTES } from '../../src/limits.ts';
import { commandFor, pvm } from '../helpers/cli.ts';
import { ROOT } from '../helpers/paths.ts';

const dir = mkdtempSync(join(tmpdir(), 'pvm-user-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const recipe = join(dir, 'hits.pvm');
writeFileSync(recipe, 'param hits: list\nfor h in hits {\n  print h\n}\n');
const fifo = join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);
/** A sparse file of `size` bytes: costs no disk. */
const sized = (name: string, size: number) => {
  const path = join(dir, name);
  writeFileSync(path, '');
  truncateSync(path, size);
  return path;
};

/** Runs pvm with its standard input a pipe that stays open (as `sleep 99 | pvm …`): resolves with its exit, or 'hung' after 10 s. */
function withOpenStdin(args: readonly string[]): Promise<{ status: number | null | 'hung'; stderr: string }> {
  const [command, ...rest] = commandFor('node');
  // The FIFO opened for reading and writing: a pipe with a writer that never writes (Node's own 'pipe' is a socket).
  const pipe = openSync(fifo, constants.O_RDWR);
  const child = spawn(command!, [...rest, ...args], { cwd: ROOT, stdio: [pipe, 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  closeSync(pipe);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ status: 'hung', stderr });
    }, 10_000);
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr });
    });
  });
}

describe('a policy', () => {
  it.each([
    ['/dev/zero', 'it is a character device, not a regular file'],
    [fifo, 'it is a pipe (FIFO), not a regular file'],
    [dir, 'it is a directory, not a regular file'],
  ])('%s: exit 2, at once', (path, why) => {
    const result = pvm('node', ['check', recipe, '--policy', path]);
    expect(result).toMatchObject({ status: 2, stderr: `pvm: error: cannot read policy ${path}: ${why}\nhint: pvm reads it only from a regular file: save it to one first\n` });
  });

  it('larger than the bound: exit 2, saying the bound', () => {
    const path = sized('big.json', MAX_POLICY_BYTES + 1);
    expect(pvm('node', ['check', recipe, '--policy', path])).toMatchObject({
      status: 2,
      stderr: `pvm: error: cannot read policy ${path}: it holds ${MAX_POLICY_BYTES + 1} bytes, more than the ${MAX_POLICY_BYTES} pvm reads from it\nhint: give a smaller file\n`,
    });
  });

  it('/dev/stdin on a pipe that stays open: exit 2, not a hang', async () => {
    const result = await withOpenStdin(['check', recipe, '--policy', '/dev/stdin']);
    expect(result).toMatchObject({ status: 2, stderr: expect.stringContaining('cannot read policy /dev/stdin: it is a pipe (FIFO), not a regular file') });
  });
});

describe('an --arg NAME=@FILE', () => {
  // Arguments are bound before any target is opened: pid 1 is never touched.
  it.each([['/dev/zero', 'it is a character device, not a regular file'], [fifo, 'it is a pipe (FIFO), not a regular file']])('%s: exit 2, at once', (path, why) => {
    const result = pvm('node', ['run', recipe, '--pid', '1', '--arg', `hits=@${path}`]);
    expect(result).toMatchObject({ status: 2, stderr: `pvm: error: --arg hits=@${path}: cannot read ${path}: ${why}\nhint: pvm reads it only from a regular file: save it to one first\n` });
  });

  it('larger than the bound: exit 2', () => {
    const path = sized('big-hits.json', MAX_ARG_FILE_BYTES + 1);
    const result = pvm('node', ['run', recipe, '--pid', '1', '--arg', `hits=@${path}`]);
    expect(result).toMatchObject({ status: 2, stderr: expect.stringContaining(`cannot read ${path}: it holds ${MAX_ARG_FILE_BYTES + 1} bytes, more than the ${MAX_ARG_FILE_BYTES} pvm reads from it`) });
  });

  it('/dev/stdin on a pipe that stays open: exit 2, not a hang', async () => {
    const result = await withOpenStdin(['run', recipe, '--pid', '1', '--arg', 'hits=@/dev/stdin']);
    expect(result).toMatchObject({ status: 2, stderr: expect.stringContaining('it is a pipe (FIFO), not a regular file') });
  });
});

describe('a recipe', () => {
  it('a FIFO or a device: exit 2 at once, without opening it for a read that waits (it could be swapped in after a look)', async () => {
    for (const path of [fifo, '/dev/zero']) {
      const result = await withOpenStdin(['run', path, '--pid', '1']);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`cannot read recipe '${path}': it is a (pipe \\(FIFO\\)|character device), not a regular file`));
    }
  });

  it('larger than the bound: exit 2, saying the bound', () => {
    const big = sized('big.pvm', MAX_RECIPE_BYTES + 1);
    expect(pvm('node', ['run', big, '--pid', '1'])).toMatchObject({ status: 2, stderr: expect.stringContaining(`recipe '${big}' is too large: it holds ${MAX_RECIPE_BYTES + 1} bytes, more than the ${MAX_RECIPE_BYTES} pvm reads from it`) });
  });
});

describe('a journal', () => {
  it.each([['/dev/zero', 'it is a character device, not a regular file'], [fifo, 'it is a pipe (FIFO), not a regular file']])('%s: exit 2, at once', (path, why) => {
    expect(pvm('node', ['status', path])).toMatchObject({ status: 2, stderr: `pvm: error: cannot read the journal '${path}': ${why}\nhint: pvm reads it only from a regular file: save it to one first\n` });
  });

  it('larger than the bound: exit 2', () => {
    const path = sized('big.journal', MAX_JOURNAL_BYTES + 1);
    expect(pvm('node', ['status', path])).toMatchObject({ status: 2, stderr: expect.stringContaining(`it holds ${MAX_JOURNAL_BYTES + 1} bytes, more than the ${MAX_JOURNAL_BYTES} pvm reads from it`) });
  });
});

describe('a journal or an audit log pvm appends to', () => {
  // Appending to a FIFO blocks once no one reads it (both hung before); a device cannot be synced.
  it.each([['--journal', 'exit 3', 3, "cannot open the journal '"], ['--audit', 'exit 2', 2, "cannot open the audit log '"]] as const)('%s naming a FIFO or a device: %s, at once, nothing written', (option, _, status, message) => {
    const policy = join(dir, 'any.json');
    writeFileSync(policy, '{}');
    for (const [path, why] of [[fifo, 'it is a pipe (FIFO), not a regular file'], ['/dev/null', 'it is a character device, not a regular file']] as const) {
      const args = option === '--journal' ? ['-e', 'write u8 at 0x1000 = 1', '--pid', String(process.pid), '--allow-write', option, path] : ['-e', 'print 1', '--pid', String(process.pid), '--policy', policy, option, path];
      const result = pvm('node', args);
      expect(result.stderr).toContain(`${message}${path}' for appending: ${why}`);
      expect(result.status).toBe(status);
    }
  });
});

describe('a report', () => {
  const sleeper = ['--ready', 'ms:100', '--then', 'kill', '--', 'sleep', '30'];

  it.each([['a FIFO', fifo, 'it is a pipe (FIFO), not a regular file'], ['/dev/null', '/dev/null', 'it is a character device, not a regular file']])(
    'to %s: exit 2 before any program is started, at once',
    (_, path, why) => {
      const result = pvm('node', ['-e', 'print 1', '--report', path, ...sleeper]);
      expect(result).toMatchObject({ status: 2, stdout: '' });
      expect(result.stderr).toContain(`cannot write the report ${path}: ${why}`);
    },
  );

  it('that cannot be written to its end (a file size limit, as a full disk): exit 2 saying why, not a crash, and no spill file left', () => {
    const report = join(dir, 'cut.report.json');
    const [command, ...rest] = commandFor('node');
    // SIGXFSZ ignored (fileSizeLimit in journal.live.test.ts): a write past the limit fails with EFBIG.
    const result = spawnSync('sh', ['-c', `trap '' XFSZ; exec prlimit --fsize=4000 -- "$@"`, 'sh', command!, ...rest, '-e', 'for i in 0..2000 { print i }', '--report', report, ...sleeper], { cwd: ROOT, encoding: 'utf8' });
    expect(result.stderr).toContain(`cannot write the report ${report}: `);
    expect(result.status).toBe(2);
    expect(readdirSync(dir).filter((name) => name.endsWith('.part'))).toEqual([]);
  });
});
