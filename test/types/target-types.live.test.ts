// Types through a target's modules (resolverTypes over ModuleResolver): the
// executable's own DWARF, a library's debug file found by build-id, in a
// live process and in a snapshot of it; and every problem a lookup can
// give, with what it names and how to fix it.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModuleResolver } from '../../src/runtime/symbols/modules.ts';
import { CoreTarget } from '../../src/target/core-target.ts';
import { LiveProcess } from '../../src/target/live-process.ts';
import { type MemoryRegion, MemoryTarget } from '../../src/target/memory-target.ts';
import { type Aggregate, concrete, type CType, findMember, sizeOf } from '../../src/types/ctype.ts';
import { DEBUG_INFO_READER, debugTypesOfFile } from '../../src/types/debug-info-files.ts';
import { lookupIn, resolverTypes } from '../../src/types/target-types.ts';
import type { TypeLookup } from '../../src/types/type-source.ts';
import { pvm } from '../helpers/cli.ts';
import { hasCommand, needs } from '../helpers/needs.ts';
import { FIXTURE_BINARY } from '../helpers/paths.ts';

const dir = mkdtempSync(join(tmpdir(), 'pvm-target-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const BASE = 0x5550_0000_0000n;
const LIBC_DEBUG = (() => {
  const id = /Build ID: (\w+)/.exec(execFileSync('readelf', ['-n', '/lib/x86_64-linux-gnu/libc.so.6'], { encoding: 'utf8' }))?.[1] ?? '';
  return `/usr/lib/debug/.build-id/${id.slice(0, 2)}/${id.slice(2)}.debug`;
})();
const HAS_LIBC_DEBUG = (() => {
  try {
    readFileSync(LIBC_DEBUG).subarray(0, 4);
    return true;
  } catch {
    return false;
  }
})();

/** A target mapping `image` (its first page) as the module at `path`. */
function mapped(path: string, image: Uint8Array): MemoryTarget {
  const page = Uint8Array.prototype.slice.call(image, 0, 4096);
  const region: MemoryRegion = { start: BASE, end: BASE + 4096n, perms: 'r--p', offset: 0n, path, deleted: false, bytes: page };
  return new MemoryTarget([region], 'app', new Map([[path, image]]), { exe: path });
}

function typeOf(lookup: TypeLookup) {
  if ('problem' in lookup) throw new Error(lookup.problem.message);
  return lookup.type;
}

describe('types of a target', () => {
  const target = mapped('/opt/app/bin/app', readFileSync(FIXTURE_BINARY));
  const types = resolverTypes(new ModuleResolver(target, { cacheDirectory: undefined }), DEBUG_INFO_READER);

  it("gives the executable's types from its own DWARF, by module name or without one", () => {
    expect(sizeOf(typeOf(types.lookup({ tag: 'struct', name: 'outer' }, 'app')))).toBe(16);
    expect(sizeOf(typeOf(types.lookup({ tag: 'struct', name: 'inner' }, undefined)))).toBe(32);
  });

  it('finds a struct by its plain name when no typedef has it', () => {
    expect(typeOf(types.lookup({ tag: undefined, name: 'outer' }, 'app'))).toMatchObject({ kind: 'struct', name: 'outer' });
    expect(typeOf(types.lookup({ tag: undefined, name: 'uint32_t' }, 'app'))).toMatchObject({ kind: 'typedef', name: 'uint32_t' });
  });

  it('says a type that is not there, with a did-you-mean, as the recipe would spell it (exit 2)', () => {
    expect(types.lookup({ tag: 'struct', name: 'outr' }, 'app')).toEqual({
      problem: { code: 'no-type', message: "app's debug info (/opt/app/bin/app) defines no type 'struct outr'", hint: "did you mean 'struct outer'?", exit: 2 },
    });
    expect(types.lookup({ tag: undefined, name: 'innr' }, 'app')).toMatchObject({ problem: { code: 'no-type', hint: "did you mean 'struct inner'?" } });
  });

  it('says a module that is not mapped, with its did-you-mean', () => {
    expect(types.lookup({ tag: 'struct', name: 'outer' }, 'ap')).toMatchObject({ problem: { code: 'no-module', exit: 4, hint: "did you mean 'app'?" } });
  });

  it('says a module without debug info, naming the files tried and what to install (exit 4)', () => {
    const stripped = join(dir, 'stripped');
    execFileSync('objcopy', ['--strip-debug', FIXTURE_BINARY, stripped]);
    const resolver = new ModuleResolver(mapped('/opt/app/bin/app', readFileSync(stripped)), { debugDirectories: [join(dir, 'no-debug')], cacheDirectory: undefined });
    const lookup = resolverTypes(resolver, DEBUG_INFO_READER).lookup({ tag: 'struct', name: 'outer' }, 'app');
    expect(lookup).toMatchObject({ problem: { code: 'no-debug-info', exit: 4 } });
    if (!('problem' in lookup)) return;
    expect(lookup.problem.message).toContain(`tried ${join(dir, 'no-debug', '.build-id')}`);
    expect(lookup.problem.hint).toContain('PVM_DEBUG_FILE_DIRECTORY');
  });

  it("never takes the debug file of another build found where this build's would be", () => {
    const stripped = join(dir, 'stripped-app');
    execFileSync('objcopy', ['--strip-debug', FIXTURE_BINARY, stripped]);
    const buildId = /Build ID: (\w+)/.exec(execFileSync('readelf', ['-n', stripped], { encoding: 'utf8' }))![1]!;
    // Another program's debug file, put at the path this build-id names.
    const other = join(dir, 'other-program');
    execFileSync('gcc', ['-g', '-o', other, '-x', 'c', '-'], { input: 'struct outer { char other_layout[3]; } o;\nint main(void) { return 0; }\n' });
    const debugDirectory = join(dir, 'wrong-debug');
    mkdirSync(join(debugDirectory, '.build-id', buildId.slice(0, 2)), { recursive: true });
    execFileSync('objcopy', ['--only-keep-debug', other, join(debugDirectory, '.build-id', buildId.slice(0, 2), `${buildId.slice(2)}.debug`)]);
    const resolver = new ModuleResolver(mapped('/opt/app/bin/app', readFileSync(stripped)), { debugDirectories: [debugDirectory], cacheDirectory: undefined });
    expect(resolverTypes(resolver, DEBUG_INFO_READER).lookup({ tag: 'struct', name: 'outer' }, 'app')).toMatchObject({ problem: { code: 'no-debug-info', exit: 4 } });
  });

  it('takes the definition another unit gives for a struct this unit only declares', (context) => {
    needs(context, hasCommand('gcc'), 'needs gcc');
    writeFileSync(join(dir, 'declares.c'), 'struct hidden;\nstruct holder { struct hidden *p; } holder;\nint main(void) { return 0; }\n');
    writeFileSync(join(dir, 'defines.c'), 'struct hidden { long a; int b; } hidden;\n');
    const binary = join(dir, 'declares-defines');
    execFileSync('gcc', ['-g', '-o', binary, join(dir, 'declares.c'), join(dir, 'defines.c')]);
    const file = debugTypesOfFile(binary, { cacheDirectory: undefined });
    if ('problem' in file) throw new Error(file.problem.message);
    const holder = concrete(typeOf(lookupIn(file, { tag: 'struct', name: 'holder' })));
    if (holder.kind !== 'struct' || holder.members[0]!.type.kind !== 'pointer') throw new Error('not a struct holding a pointer');
    expect(holder.members[0]!.type.target()).toMatchObject({ kind: 'struct', name: 'hidden', size: 16 });
  });

  it('says a name defined differently in several compile units, naming them (exit 2)', (context) => {
    needs(context, hasCommand('gcc'), 'needs gcc');
    writeFileSync(join(dir, 'first.c'), 'struct node { int value; } first_node;\nint main(void) { return 0; }\n');
    writeFileSync(join(dir, 'second.c'), 'struct node { long value; long more; } second_node;\n');
    const binary = join(dir, 'two-units');
    execFileSync('gcc', ['-g', '-o', binary, join(dir, 'first.c'), join(dir, 'second.c')]);
    const file = debugTypesOfFile(binary, { cacheDirectory: undefined });
    if ('problem' in file) throw new Error(file.problem.message);
    const lookup = lookupIn(file, { tag: 'struct', name: 'node' });
    expect(lookup).toMatchObject({ problem: { code: 'ambiguous-type', exit: 2 } });
    if (!('problem' in lookup)) return;
    expect(lookup.problem.message).toMatch(/defined differently in 2 compile units of .*two-units: .*first\.c, .*second\.c/);
  });

  it('says a file that is not ELF, and a file that is not there', () => {
    const text = join(dir, 'text');
    writeFileSync(text, 'not an ELF file at all, just text that goes on for a while');
    expect(debugTypesOfFile(text, { cacheDirectory: undefined })).toMatchObject({ problem: { code: 'bad-debug-info', exit: 4 } });
    expect(debugTypesOfFile(join(dir, 'missing'), { cacheDirectory: undefined })).toMatchObject({ problem: { code: 'no-module', exit: 2 } });
  });
});

describe("libc's types in a live process and a snapshot of it", () => {
  const sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
  afterAll(() => {
    sleeper.kill('SIGKILL');
  });
  const cache = mkdtempSync(join(dir, 'cache-'));

  it('reads struct malloc_state from the debug file of the libc a live process maps', async (context) => {
    needs(context, HAS_LIBC_DEBUG, `needs libc6-dbg (${LIBC_DEBUG})`);
    const live = await LiveProcess.open(sleeper.pid!);
    try {
      const resolver = new ModuleResolver(live, { cacheDirectory: cache });
      const state = typeOf(resolverTypes(resolver, DEBUG_INFO_READER).lookup({ tag: 'struct', name: 'malloc_state' }, 'libc.so.6'));
      expect(sizeOf(state)).toBe(2200);
      expect(concrete(state)).toMatchObject({ origin: LIBC_DEBUG });
      resolver.close();
    } finally {
      live.close();
    }
  });

  it('reads it the same from a snapshot, through the build-ids the snapshot records', async (context) => {
    needs(context, HAS_LIBC_DEBUG, `needs libc6-dbg (${LIBC_DEBUG})`);
    const snapshot = join(dir, 'sleep.snapshot');
    expect(pvm('node', ['snapshot', '--pid', String(sleeper.pid), '-o', snapshot])).toMatchObject({ status: 0 });
    const core = await CoreTarget.open(snapshot, { snapshot: true });
    try {
      const resolver = new ModuleResolver(core, { cacheDirectory: cache });
      expect(sizeOf(typeOf(resolverTypes(resolver, DEBUG_INFO_READER).lookup({ tag: undefined, name: 'malloc_state' }, 'libc.so.6')))).toBe(2200);
      resolver.close();
    } finally {
      core.close();
    }
  });
});

describe("CPython's types in a live interpreter", () => {
  const PYTHON = '/usr/bin/python3.11';
  const python = existsSync(PYTHON) ? spawn(PYTHON, ['-c', 'import time; time.sleep(600)'], { stdio: 'ignore' }) : undefined;
  afterAll(() => {
    python?.kill('SIGKILL');
  });

  it("reads None's type name through PyObject and PyTypeObject, at the offsets the debug file gives", async (context) => {
    needs(context, python !== undefined, `needs ${PYTHON}`);
    const live = await LiveProcess.open(python!.pid!);
    try {
      const resolver = new ModuleResolver(live, { cacheDirectory: undefined });
      const types = resolverTypes(resolver, DEBUG_INFO_READER);
      const object = types.lookup({ tag: undefined, name: 'PyObject' }, 'python3.11');
      needs(context, !('problem' in object), `needs python3.11-dbg: ${'problem' in object ? object.problem.message : ''}`);
      const obType = findMember(aggregateOf(typeOf(object)), 'ob_type')!;
      const tpName = findMember(aggregateOf(typeOf(types.lookup({ tag: undefined, name: 'PyTypeObject' }, 'python3.11'))), 'tp_name')!;
      const word = (address: bigint) => {
        const [result] = live.read([{ address, length: 8 }]);
        return new DataView(result!.bytes.buffer, result!.bytes.byteOffset).getBigUint64(0, true);
      };
      const type = word(resolver.symbol('python3.11', '_Py_NoneStruct') + BigInt(obType.offset));
      const name = word(type + BigInt(tpName.offset));
      const [text] = live.read([{ address: name, length: 8 }]);
      expect(new TextDecoder().decode(text!.bytes).split('\0')[0]).toBe('NoneType');
      resolver.close();
    } finally {
      live.close();
    }
  });
});

function aggregateOf(type: CType): Aggregate {
  const t = concrete(type);
  if (t.kind !== 'struct' && t.kind !== 'union') throw new Error(`not a struct: ${t.kind}`);
  return t;
}
