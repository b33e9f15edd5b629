// module() and symbol() against an in-memory target that maps a real ELF file
// (the test fixture), so every error path can be arranged exactly.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesReader, parseElf as parseReader } from '../../src/native/elf.ts';
import { ModuleResolver } from '../../src/runtime/symbols/modules.ts';
import { type MemoryRegion, MemoryTarget } from '../../src/target/memory-target.ts';
import type { MemorySource } from '../../src/target/target.ts';
import { guardSource } from '../../src/policy/guard.ts';
import { parsePolicy } from '../../src/policy/load.ts';
import { caught } from '../helpers/errors.ts';
import { BUILD_DIR, FIXTURE_BINARY } from '../helpers/paths.ts';

const IMAGE = readFileSync(FIXTURE_BINARY);
const parseElf = (bytes: Uint8Array) => parseReader(bytesReader(bytes));
const BASE = 0x5550_0000_0000n;

function mapping(path: string, start: bigint, bytes: Uint8Array, extra: Partial<MemoryRegion> = {}): MemoryRegion {
  return { start, end: start + BigInt(bytes.length), perms: 'r--p', offset: 0n, path, deleted: false, bytes, ...extra };
}

/** A shared library built here with cc, its file named `file` and its soname `soname` (as a distribution installs one). */
function sharedLibrary(file: string, soname: string): string {
  const path = `${BUILD_DIR}/${file}`;
  execFileSync('cc', ['-shared', '-fPIC', `-Wl,-soname,${soname}`, '-o', path, '-x', 'c', '-'], { input: 'const char pvm_soname_version[] = "0.8.6";\n' });
  return path;
}

/** A copy of the fixture's first page, as the loader maps it (PIE: file offset 0 at BASE). */
function firstPage(): Uint8Array {
  return Uint8Array.prototype.slice.call(IMAGE, 0, 4096); // Buffer#slice would be a view of IMAGE
}

/** `target` with a map that can change (`maps.current`), counting how often it is read. */
function movable(target: MemoryTarget, maps: { current: MemoryRegion[] }, reads: { n: number }): MemorySource {
  return new Proxy(target, {
    get(inner, key) {
      if (key === 'regions') {
        return () => {
          reads.n++;
          return maps.current;
        };
      }
      const value = Reflect.get(inner, key, inner);
      return typeof value === 'function' ? value.bind(inner) : value;
    },
  });
}

describe('ModuleResolver on a map that changes', () => {
  const image = () => new Map([['/app', IMAGE]]);
  const counter = parseElf(IMAGE).findSymbol('counter')!.value;

  it('works module(), symbol() and region() out once for the map, and reads the map at most every few milliseconds', () => {
    const maps = { current: [mapping('/app', BASE, firstPage()), mapping('[heap]', BASE + 0x100000n, new Uint8Array(4096), { path: '[heap]' })] };
    const reads = { n: 0 };
    const resolver = new ModuleResolver(movable(new MemoryTarget(maps.current, 'app', image()), maps, reads), { now: () => 0 });
    for (let i = 0; i < 1000; i++) {
      expect(resolver.symbol('app', 'counter')).toBe(BASE + counter);
      expect(resolver.module('app').start).toBe(BASE);
      expect(resolver.region('[heap]').start).toBe(BASE + 0x100000n);
    }
    expect(reads.n).toBe(1);
  });

  it('works an answer out again once the map has changed (a module mapped elsewhere)', () => {
    const maps = { current: [mapping('/app', BASE, firstPage())] };
    let now = 0;
    const resolver = new ModuleResolver(movable(new MemoryTarget(maps.current, 'app', image()), maps, { n: 0 }), { now: () => now });
    expect(resolver.symbol('app', 'counter')).toBe(BASE + counter);
    const elsewhere = BASE + 0x1000_0000n;
    maps.current = [mapping('/app', elsewhere, firstPage())];
    now += 5; // within the few milliseconds a map is taken as current
    expect(resolver.symbol('app', 'counter')).toBe(BASE + counter);
    now += 10;
    expect(resolver.symbol('app', 'counter')).toBe(elsewhere + counter);
    expect(resolver.module('app').start).toBe(elsewhere);
  });

  it("resolves a policy's symbol: rule on the map the rules are made from, so a module moved a moment later is still denied", () => {
    // A mapping as large as the program's image, so that `counter` lies in it.
    const image1M = new Uint8Array(1 << 20);
    image1M.set(firstPage());
    const maps = { current: [mapping('/app', BASE, image1M)] };
    let now = 0;
    let resolver: ModuleResolver | undefined;
    const guarded = guardSource(movable(new MemoryTarget(maps.current, 'app', image()), maps, { n: 0 }), {
      policies: [parsePolicy('p.json', JSON.stringify({ read: { deny: ['symbol:app:counter'] } }))],
      symbol: (module, name, reading, map) => (resolver ??= new ModuleResolver(reading, { map })).symbolRange(module, name),
      now: () => now,
    });
    /** The policy's verdict on reading the 4 bytes at `address`: a denial comes back as the read's fault. */
    const denied = (address: bigint) => (guarded.read([{ address, length: 4 }])[0]?.fault?.denied as { code?: string } | undefined)?.code;
    expect(denied(BASE + counter)).toBe('policy-denied');
    const elsewhere = BASE + 0x1000_0000n;
    maps.current = [mapping('/app', elsewhere, image1M)];
    now += 3; // well within the time a map read is taken as current
    expect(denied(elsewhere + counter)).toBe('policy-denied');
    now += 1000;
    expect(denied(elsewhere + counter)).toBe('policy-denied');
  });

  it('keeps symbol("x") and symbol("", "x") apart', () => {
    const maps = { current: [mapping('/app', BASE, firstPage())] };
    const resolver = new ModuleResolver(movable(new MemoryTarget(maps.current, 'app', image(), { exe: '/app' }), maps, { n: 0 }), { now: () => 0 });
    expect(resolver.symbol(undefined, 'counter')).toBe(BASE + counter);
    expect(caught(() => resolver.symbol('', 'counter'))).toMatchObject({ code: 'no-module' });
  });

  it('looks at the map afresh before saying a name is not there (a library mapped since)', () => {
    const maps = { current: [mapping('/app', BASE, firstPage())] };
    const resolver = new ModuleResolver(movable(new MemoryTarget(maps.current, 'app', image()), maps, { n: 0 }), { now: () => 0 });
    expect(resolver.module('app').path).toBe('/app');
    maps.current = [...maps.current, mapping('/lib/libnew.so', BASE + 0x200000n, firstPage())];
    expect(resolver.module('libnew.so').path).toBe('/lib/libnew.so');
    expect(caught(() => resolver.module('libgone.so'))).toMatchObject({ code: 'no-module' });
  });
});

describe('ModuleResolver', () => {
  it('relocates a symbol by the load bias, after checking the build-id in memory', () => {
    const target = new MemoryTarget([mapping('/opt/app/bin/app', BASE, firstPage())], 'app', new Map([['/opt/app/bin/app', IMAGE]]));
    const resolver = new ModuleResolver(target);
    expect(resolver.symbol('app', 'counter')).toBe(BASE + parseElf(IMAGE).findSymbol('counter')!.value);
    expect(resolver.symbol('bin/app', 'counter')).toBe(resolver.symbol('/opt/app/bin/app', 'counter'));
    expect(resolver.module('app')).toMatchObject({ path: '/opt/app/bin/app', start: BASE, end: BASE + 4096n });
  });

  it('refuses a file on disk whose build-id differs from the running one', () => {
    const page = firstPage();
    const id = parseElf(IMAGE).buildId!;
    const at = Buffer.from(page).indexOf(Buffer.from(id, 'hex'));
    page[at] = page[at]! ^ 0xff; // the running file differs in one byte of its build-id
    const target = new MemoryTarget([mapping('/app', BASE, page)], 'app', new Map([['/app', IMAGE]]));
    const error = caught(() => new ModuleResolver(target).symbol('app', 'counter'));
    expect(error).toMatchObject({ exit: 4, code: 'build-id-mismatch' });
    expect(error.message).toBe(`/app on disk (build-id ${id}) is not the file app runs (build-id ${(page[at]!).toString(16).padStart(2, '0')}${id.slice(2)})`);
  });

  it('names the candidates when a module name is ambiguous or unknown', () => {
    const target = new MemoryTarget([mapping('/a/libx.so', BASE, firstPage()), mapping('/b/libx.so', BASE + 0x10000n, firstPage()), mapping('/usr/lib/libc.so.6', BASE + 0x20000n, firstPage())], 'app');
    const resolver = new ModuleResolver(target);
    expect(caught(() => resolver.module('libx.so'))).toMatchObject({ exit: 4, code: 'ambiguous-module', message: "'libx.so' matches 2 files in app: /a/libx.so, /b/libx.so" });
    expect(resolver.module('b/libx.so').path).toBe('/b/libx.so');
    expect(caught(() => resolver.module('libc'))).toMatchObject({ code: 'no-module', message: "no module matches 'libc' in app", hint: "did you mean 'libc.so.6'?" });
  });

  it('refuses a deleted module and explains a missing symbol', () => {
    const deleted = new MemoryTarget([mapping('/app', BASE, firstPage(), { deleted: true })], 'app', new Map([['/app', IMAGE]]));
    expect(caught(() => new ModuleResolver(deleted).symbol('app', 'counter'))).toMatchObject({ code: 'module-deleted' });
    const target = new MemoryTarget([mapping('/app', BASE, firstPage())], 'app', new Map([['/app', IMAGE]]));
    expect(caught(() => new ModuleResolver(target).symbol('app', 'conuter'))).toMatchObject({ code: 'no-symbol', message: "/app has no symbol 'conuter'" });
  });

  it('finds a module by its soname when no path matches (libpvmsoname.so.0 for libpvmsoname.so.0.8.6)', () => {
    const path = sharedLibrary('libpvmsoname.so.0.8.6', 'libpvmsoname.so.0');
    const image = readFileSync(path);
    const target = new MemoryTarget([mapping(path, BASE, Uint8Array.prototype.slice.call(image, 0, 4096))], 'app', new Map([[path, image]]));
    const resolver = new ModuleResolver(target);
    expect(resolver.module('libpvmsoname.so.0').path).toBe(path);
    expect(resolver.symbol('libpvmsoname.so.0', 'pvm_soname_version')).toBe(BASE + parseElf(image).findSymbol('pvm_soname_version')!.value);
    expect(caught(() => resolver.module('libpvmsoname.so.1'))).toMatchObject({ code: 'no-module' });
  });

  it('says which module has a symbol looked for in one that does not (a program built with a shared library)', () => {
    const path = sharedLibrary('libpvmelsewhere.so.1', 'libpvmelsewhere.so.1');
    const library = readFileSync(path);
    const target = new MemoryTarget([mapping('/app', BASE, firstPage()), mapping(path, BASE + 0x100000n, Uint8Array.prototype.slice.call(library, 0, 4096))], 'app', new Map([['/app', IMAGE], [path, library]]), { exe: '/app' });
    expect(caught(() => new ModuleResolver(target).symbol('app', 'pvm_soname_version'))).toMatchObject({
      code: 'no-symbol',
      hint: `'pvm_soname_version' is in ${path} (a program built with a shared library has it there): symbol("libpvmelsewhere.so.1", "pvm_soname_version"), or symbol("pvm_soname_version") to look in every module`,
    });
  });

  it('looks a symbol up without a module: the executable first, then the other modules', () => {
    const target = new MemoryTarget([mapping('/opt/app', BASE, firstPage())], 'app', new Map([['/opt/app', IMAGE]]), { exe: '/opt/app' });
    const resolver = new ModuleResolver(target);
    expect(resolver.symbol(undefined, 'counter')).toBe(resolver.symbol('app', 'counter'));
    expect(caught(() => resolver.symbol(undefined, 'no_such_symbol'))).toMatchObject({ code: 'no-symbol', message: "no module of app defines 'no_such_symbol'" });
  });
});
