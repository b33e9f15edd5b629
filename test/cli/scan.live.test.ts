// Issue 4 on a live process, on Node, Bun and Deno: what a scan reads, what
// it leaves out and says so, that it does not grow the target, and progress.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandFor, pvm, RUNTIMES } from '../helpers/cli.ts';
import { type Fixture, startFixture } from '../helpers/fixture.ts';
import { needs } from '../helpers/needs.ts';
import { ROOT } from '../helpers/paths.ts';

let fixture: Fixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterAll(() => fixture.stop());

const hex = (n: bigint) => `0x${n.toString(16)}`;
/** The Rss of the mapping that starts at `start`, from smaps: 0 while no page of it is in the process's page tables. */
const residentKiB = (start: bigint) => {
  const smaps = readFileSync(`/proc/${fixture.pid}/smaps`, 'utf8');
  const at = smaps.indexOf(`${start.toString(16)}-`);
  return Number(/Rss:\s+(\d+) kB/.exec(smaps.slice(at))![1]);
};
/** Kilobytes of page tables the target has (VmPTE): reading untouched memory would grow it. */
const pageTables = () => Number(/VmPTE:\s+(\d+) kB/.exec(readFileSync(`/proc/${fixture.pid}/status`, 'utf8'))![1]);

describe.each(RUNTIMES)('scan on %s', (runtime) => {
  it('reads only the pages of anonymous memory that hold data, finds what is there, and leaves the target as it was', () => {
    const sparse = fixture.at('sparse');
    const page = BigInt(fixture.pageSize);
    const before = pageTables();
    const result = pvm(runtime, ['-e', 'print scan "PVM-BENCH-HIT" in all', '--pid', String(fixture.pid), '--json']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const [scan, print] = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    const doomed = fixture.at('doomed') + (3n << 20n);
    expect(print).toEqual({ type: 'print', values: [[sparse + 100n * page + 40n, sparse + 9000n * page + 80n, doomed].sort((a, b) => (a < b ? -1 : 1)).map(hex)], line: 1 });
    // The 64 MiB region's untouched pages are skipped, and said to be; reading them would have added ~128 KiB of page tables.
    expect(scan).toMatchObject({ type: 'scan', hits: 3, line: 1 });
    expect(scan.skipped).toContainEqual({ start: hex(sparse + 101n * page), end: hex(sparse + 9000n * page), reason: expect.stringContaining('pages that hold no data') });
    expect(scan.bytes).toBeLessThan(32 << 20);
    expect(pageTables()).toBeLessThanOrEqual(before + 8);
  });

  it('reads the pages of a file the process never touched from the file, so they stay untouched', () => {
    // The fixture maps its own executable a second time and never reads it; the
    // XOR-encoded marker it plants elsewhere sits in that file, on a page of its own.
    const copy = fixture.at('exe_copy');
    const size = fixture.number('exe_size');
    const encoded = 'hex"05 03 18 78 17 10 1b 16 1d 78 1d 1c 01"';
    const offset = readFileSync(`/proc/${fixture.pid}/exe`).indexOf(Buffer.from('050318781710 1b161d781d1c01'.replaceAll(' ', ''), 'hex'));
    expect(offset).toBeGreaterThan(0);
    const result = pvm(runtime, ['-e', `print scan ${encoded} in range(${hex(copy)}, ${size})`, '--pid', String(fixture.pid)]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`[${hex(copy + BigInt(offset))}]\n`);
    expect(residentKiB(copy)).toBe(0);
  });

  it('skips a userfaultfd region, whose read would block forever, and [vvar], saying why', (context) => {
    needs(context, fixture.has('uffd'), 'the fixture could not register a userfaultfd page (this kernel allows no userfaultfd for this user)');
    const uffd = fixture.at('uffd');
    const result = pvm(runtime, ['-e', 'let n = len(scan "PVM-BENCH-HIT" in all)', '--pid', String(fixture.pid), '--verbose']);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^scan at line 1: [\d.]+ MiB in \d+ regions, 3 hits\n/);
    expect(result.stderr).toContain(`skipped ${hex(uffd)}-${hex(uffd + BigInt(fixture.pageSize))} (4.0 KiB): registered with userfaultfd (VmFlags um): a read can block until the target is killed`);
    // [vvar] (and [vvar_vclock], on kernels that have it) are one line (one reason), as are the many untouched ranges.
    expect(result.stderr).toMatch(/skipped (2 ranges \([\d.]+ KiB\)|0x[0-9a-f]+-0x[0-9a-f]+ \([\d.]+ KiB\): \[vvar\]): kernel data page \(reading it faults\)\n/);
    expect(result.stderr).toMatch(/skipped \d+ ranges \([\d.]+ [KMG]iB\): pages that hold no data \(never touched\)/);
    expect(result.stderr.split('\n').filter((line) => line.includes('pages that hold no data'))).toHaveLength(1);
    // Asked for by name, the region is still left out.
    const direct = pvm(runtime, ['-e', `print len(scan "x" in range(${hex(uffd)}, 4096))`, '--pid', String(fixture.pid), '--json']);
    expect(direct.stdout).toContain('"reason":"registered with userfaultfd (VmFlags um)');
    expect(direct.stdout).toContain('{"type":"print","values":[0],"line":1}');
  });

  it('shows progress on a terminal only, and erases it', async () => {
    // A slow scan: a pattern that can start with any byte is tried at every position of 128 MiB (1 to 2 s).
    const big = await startFixture(['--bulk-mib', '128']);
    try {
      const recipe = `print len(scan hex"?? ( ?5 ?6 | ?7 ?8 ) ?D" in range(${big.hex('bulk')}, ${128 << 20}))`;
      const command = [...commandFor(runtime), '-e', recipe, '--pid', String(big.pid)].map((part) => `'${part.replaceAll("'", "'\\''")}'`).join(' ');
      const tty = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
      // ESC [ K: the terminal's erase-line, before each progress line.
      expect(tty.stdout).toMatch(new RegExp(`\r${String.fromCharCode(27)}\\[Kscan at line 1: [\\d.]+ MiB of 128\\.0 MiB \\(\\d+%\\), 0 hits`));
      // Erased before the result is printed.
      expect(tty.stdout.endsWith('\r\x1b[K0\r\n')).toBe(true);
      const piped = pvm(runtime, ['-e', recipe, '--pid', String(big.pid)]);
      expect(piped).toMatchObject({ status: 0, stdout: '0\n', stderr: '' });
    } finally {
      await big.stop();
    }
  });
});

describe("a file mapping whose file ends mid-page (issue 14: python's locale files)", () => {
  let mapper: ChildProcess;
  let file: string;
  beforeAll(async () => {
    file = join(mkdtempSync(join(tmpdir(), 'pvm-tail-')), 'tail.bin');
    // 4096 + 100 bytes: the needle lies in the file's last, partial page, which nothing touches.
    writeFileSync(file, Buffer.concat([Buffer.alloc(4096), Buffer.from('x'.repeat(50) + 'PVM-TAIL-NEEDLE' + 'y'.repeat(35))]));
    mapper = spawn('python3', ['-c', `import mmap, sys\nf = open(${JSON.stringify(file)}, 'rb')\nm = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)\nprint('ready', flush=True)\nsys.stdin.read()`], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise((resolve) => mapper.stdout!.once('data', resolve));
  });
  afterAll(() => mapper.kill());

  it.each(RUNTIMES)('is searched to its last byte on %s, and reads as zeros to the end of that page', (runtime) => {
    const result = pvm(runtime, ['-e', `let hit = scan "PVM-TAIL-NEEDLE" in region(${JSON.stringify(file)}) unique\nprint hit - region(${JSON.stringify(file)}).start, hex(read bytes 4 at hit + 15 + 35)`, '--pid', String(mapper.pid)]);
    expect(result).toMatchObject({ status: 0, stderr: '', stdout: '4146 00000000\n' });
  });
});

// Issue 13: small typed values over resident zero pages, where a plain memmem compares at every position.
// The fixture plants u32 7 at five 4-aligned places in 2 MiB of zero pages; the aligned search (wmemchr),
// the rare-byte search (memchr) and memmem must each find exactly those, on every runtime.
describe('value scans over zero pages', () => {
  let zeros: Fixture;
  beforeAll(async () => {
    zeros = await startFixture(['--bulk-mib', '1', '--zero-mib', '2']);
  });
  afterAll(() => zeros.stop());

  it.each(RUNTIMES)('find every planted u32 7 with and without alignment, and nothing else, on %s', (runtime) => {
    const start = zeros.at('zero');
    const size = zeros.number('zero_size');
    const planted = [4096 - 4, (64 << 10) - 8, (1 << 20) + 4, size / 2 + 12, size - 4].map((offset) => hex(start + BigInt(offset)));
    const range = `range(${hex(start)}, ${size})`;
    for (const scan of [`scan u32 7 in ${range} align 4`, `scan u32 7 in ${range}`, `scan u64 7 in ${range} align 4`, `scan hex"07 00" in ${range} align 2`]) {
      const result = pvm(runtime, ['-e', `print ${scan}`, '--pid', String(zeros.pid), '--json']);
      expect(result.stderr).toBe('');
      const print = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line)).find((event) => event.type === 'print');
      // u64 7 needs 4 zero bytes after the 7: the last planted u32 ends the region, so it is not one.
      expect({ scan, hits: print.values[0] }).toEqual({ scan, hits: scan.includes('u64') ? planted.slice(0, -1) : planted });
    }
  });
});

// Issue 13: a scan of more than 128 MiB takes a worker thread beside the main one. The hits must be those of
// one thread, in the same order, with or without a limit, on every runtime; under a policy no worker reads.
describe('a large scan on two threads', () => {
  let big: Fixture;
  beforeAll(async () => {
    big = await startFixture(['--bulk-mib', '160', '--zero-mib', '1']);
  });
  afterAll(() => big.stop());

  const hitsOf = (stdout: string) => stdout.trimEnd().split('\n').map((line) => JSON.parse(line)).find((event) => event.type === 'print').values[0];

  it.each(RUNTIMES)('finds what one thread finds, in the same order, limit or not, on %s', (runtime) => {
    const range = `range(${hex(big.at('bulk'))}, ${big.number('bulk_size')})`;
    // hex"00 84" lies across 160 of the 40 960 page boundaries (the fixture's bytes are i * 131 + i / 4096), spread over both halves.
    // The first scans' size is a number, so a worker is warmed as the run starts; the last one's is computed, so its worker starts with the scan.
    const computed = `range(${hex(big.at('bulk'))}, ${big.number('bulk_size')} + 0)`;
    for (const scan of [`scan "PVM-BENCH-HIT" in ${range}`, `scan hex"00 84" in ${range}`, `scan hex"00 84" in ${range} limit 50`, `scan hex"?0 84" in ${range} limit 150`, `scan hex"00 84" in ${computed}`]) {
      const alone = pvm(runtime, ['-e', `print ${scan}`, '--pid', String(big.pid), '--json'], { env: { ...process.env, PVM_SCAN_WORKERS: '0' } });
      // `wait`: this thread waits for the worker to be ready, so that both search whatever the machine's load.
      const both = pvm(runtime, ['-e', `print ${scan}`, '--pid', String(big.pid), '--json'], { env: { ...process.env, PVM_SCAN_WORKERS: 'wait', PVM_SCAN_DEBUG: '1' } });
      // Without a limit the worker has a share; with one, this thread may have all the hits before the worker's first claim.
      expect(both.stderr).toMatch(scan.includes('limit') ? /^worker took \d+ of \d+ chunks\n$/ : /^worker took [1-9]\d* of \d+ chunks\n$/);
      expect({ scan, hits: hitsOf(both.stdout) }).toEqual({ scan, hits: hitsOf(alone.stdout) });
      expect(hitsOf(alone.stdout).length).toBeGreaterThan(0);
    }
  });

  it('keeps a scan under a policy on one thread: a worker would read past the guard', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pvm-policy-'));
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ targets: [{ comm: 'target' }], read: { deny: ['[stack]'] } }));
    const range = `range(${hex(big.at('bulk'))}, ${big.number('bulk_size')})`;
    const run = pvm('node', ['-e', `print len(scan "PVM-BENCH-HIT" in ${range})`, '--pid', String(big.pid), '--policy', policy], { env: { ...process.env, PVM_SCAN_DEBUG: '1' } });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('5\n');
  });
});
