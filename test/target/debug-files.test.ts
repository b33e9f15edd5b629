// Separate debug files, found as gdb finds them: by build-id under a debug
// directory, or by .gnu_debuglink beside the file (checked by CRC32). Built
// here with cc, objcopy and strip, and checked against libc6-dbg's real file.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesReader, parseElf } from '../../src/native/elf.ts';
import { ModuleResolver } from '../../src/runtime/symbols/modules.ts';
import { debugFileCandidates, findDebugFile } from '../../src/target/debug-files.ts';
import { MemoryTarget } from '../../src/target/memory-target.ts';
import { caught } from '../helpers/errors.ts';
import { needs } from '../helpers/needs.ts';

const LIBC = '/lib/x86_64-linux-gnu/libc.so.6';
const BASE = 0x5550_0000_0000n;
const SOURCE = 'static int hidden_counter = 7;\nint *where(void) { return &hidden_counter; }\nint main(void) { return *where(); }\n';

let dir: string;

/** The value `nm` gives a symbol in a file. */
function nm(path: string, name: string): bigint {
  const line = execFileSync('nm', [path], { encoding: 'utf8' }).split('\n').find((l) => l.endsWith(` ${name}`))!;
  return BigInt(`0x${line.split(' ')[0]}`);
}

/** Compiles SOURCE into `name` in the test directory, moves its symbols to a debug file and strips it. */
function build(name: string, buildId: boolean): { binary: string; debug: string } {
  const binary = join(dir, name);
  writeFileSync(`${binary}.c`, SOURCE);
  execFileSync('cc', ['-O0', '-g', `-Wl,--build-id=${buildId ? 'sha1' : 'none'}`, '-o', binary, `${binary}.c`]);
  execFileSync('objcopy', ['--only-keep-debug', name, `${name}.debug`], { cwd: dir });
  execFileSync('strip', ['--strip-all', name], { cwd: dir });
  execFileSync('objcopy', [`--add-gnu-debuglink=${name}.debug`, name], { cwd: dir });
  return { binary, debug: `${binary}.debug` };
}

/** A memory target that maps `binary`'s first page at BASE, as the loader would. */
function targetMapping(binary: string): MemoryTarget {
  const image = readFileSync(binary);
  const page = Uint8Array.prototype.slice.call(image, 0, 4096);
  return new MemoryTarget([{ start: BASE, end: BASE + 4096n, perms: 'r--p', offset: 0n, path: binary, deleted: false, bytes: page }], 'app', new Map([[binary, image]]));
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pvm-debug-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('separate debug files', () => {
  it("finds a stripped file's local symbols in the debug file its .gnu_debuglink names, beside it", () => {
    const { binary, debug } = build('linked', false);
    const resolver = new ModuleResolver(targetMapping(binary), { debugDirectories: [join(dir, 'none')] });
    expect(resolver.symbol('linked', 'hidden_counter')).toBe(BASE + nm(debug, 'hidden_counter'));
    expect(resolver.symbolRange('linked', 'hidden_counter')).toEqual({ start: BASE + nm(debug, 'hidden_counter'), end: BASE + nm(debug, 'hidden_counter') + 4n });
    resolver.close();
  });

  it('refuses a debug file whose CRC32 is not the one the debuglink records, naming the paths it tried', () => {
    const { binary, debug } = build('edited', false);
    appendFileSync(debug, 'x');
    const error = caught(() => new ModuleResolver(targetMapping(binary), { debugDirectories: [join(dir, 'none')] }).symbol('edited', 'hidden_counter'));
    expect(error).toMatchObject({ exit: 4, code: 'no-symbol' });
    expect(error.hint).toContain(`no debug file was found (tried ${debug}, ${join(dir, '.debug', 'edited.debug')}, ${join(dir, 'none', dir, 'edited.debug')})`);
  });

  it("finds a debug file by build-id under a debug directory of the caller's choosing", () => {
    const { binary, debug } = build('byid', true);
    const id = parseElf(bytesReader(readFileSync(binary))).buildId!;
    const directory = join(dir, 'debug-root');
    mkdirSync(join(directory, '.build-id', id.slice(0, 2)), { recursive: true });
    execFileSync('mv', [debug, join(directory, '.build-id', id.slice(0, 2), `${id.slice(2)}.debug`)]);
    const resolver = new ModuleResolver(targetMapping(binary), { debugDirectories: [directory] });
    expect(resolver.symbol('byid', 'hidden_counter')).toBe(BASE + nm(join(directory, '.build-id', id.slice(0, 2), `${id.slice(2)}.debug`), 'hidden_counter'));
    resolver.close();
  });

  it('passes over a FIFO or a device where a debug file should be, without blocking (issue 29, item 17)', () => {
    const { binary } = build('fifo', true);
    const id = parseElf(bytesReader(readFileSync(binary))).buildId!;
    const directory = join(dir, 'fifo-root');
    mkdirSync(join(directory, '.build-id', id.slice(0, 2)), { recursive: true });
    execFileSync('mkfifo', [join(directory, '.build-id', id.slice(0, 2), `${id.slice(2)}.debug`)]);
    rmSync(join(dir, 'fifo.debug'));
    execFileSync('ln', ['-s', '/dev/zero', join(dir, 'fifo.debug')]);
    const found = findDebugFile(binary, parseElf(bytesReader(readFileSync(binary))), [directory]);
    expect(found).toEqual({ tried: expect.arrayContaining([join(directory, '.build-id', id.slice(0, 2), `${id.slice(2)}.debug`), join(dir, 'fifo.debug')]) });
  });

  it("finds libc's debug file (libc6-dbg) by build-id, with gdb's main_arena", (context) => {
    needs(context, existsSync(LIBC), `${LIBC} is not here (Debian's x86-64 layout)`);
    const libc = parseElf(bytesReader(readFileSync(LIBC)));
    const [byId] = debugFileCandidates(LIBC, libc, ['/usr/lib/debug']);
    needs(context, byId !== undefined && existsSync(byId), `libc's debug file (${byId}) is not installed: apt install libc6-dbg`);
    const found = findDebugFile(LIBC, libc, ['/usr/lib/debug']);
    expect('file' in found && found.file.path).toBe(byId);
    if (!('file' in found)) return;
    expect(found.file.elf.findSymbol('main_arena')?.value).toBe(nm(byId!, 'main_arena'));
    found.file.close();
  });
});
