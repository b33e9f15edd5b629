// The DWARF reader fuzzed (the short tier; scripts/fuzz.mjs has the long
// one): the sections of a small gcc -g program, with bytes flipped, cut
// short, or lying in their compression headers, and a few corruptions made
// on purpose (a typedef of itself, a pointer to itself, a section claiming
// a terabyte). Each must read or be refused with 'bad-debug-info' (exit 4):
// never another exception, a hang, or a huge allocation. Deterministic.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { PvmError } from '../../src/errors.ts';
import { bytesReader, type ElfFile, parseElf } from '../../src/native/elf.ts';
import { concrete, findMember, sizeOf, spell } from '../../src/types/ctype.ts';
import { type DebugSectionName, DebugSections } from '../../src/types/dwarf/debug-sections.ts';
import { openDebugTypes } from '../../src/types/dwarf/debug-types.ts';
import { DieReader } from '../../src/types/dwarf/dies.ts';
import { hasCommand, needs } from '../helpers/needs.ts';
import { BUILD_DIR, ROOT } from '../helpers/paths.ts';
import { cpuMillis } from '../helpers/cpu-time.ts';

const NAMES: readonly DebugSectionName[] = ['.debug_info', '.debug_abbrev', '.debug_str', '.debug_line_str', '.debug_str_offsets'];
const SHF_COMPRESSED = 0x800;
type Sections = Map<string, { bytes: Uint8Array; flags: number }>;

/** xorshift32: the same cases on every run. */
function random(seed: number): (n: number) => number {
  let state = seed >>> 0 || 1;
  return (n) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return Math.floor(((state >>> 0) / 2 ** 32) * n);
  };
}

/** An ELF file of just these sections, as the reader sees one. */
function fileOf(sections: Sections): Pick<ElfFile, 'buildId' | 'section'> {
  return {
    buildId: undefined,
    section: (name) => {
      const section = sections.get(name);
      return section === undefined ? undefined : { flags: section.flags, size: section.bytes.length, read: () => section.bytes };
    },
  };
}

/** Everything a recipe or `pvm types` would ask of the types: every name, every member, spelled and sized. */
function exercise(sections: Sections): void {
  const types = openDebugTypes('/fuzzed', fileOf(sections), { cacheDirectory: undefined });
  for (const spelled of types.names().slice(0, 80)) {
    const space = spelled.indexOf(' ');
    const tag = spelled.slice(0, space);
    const name = tag === 'struct' || tag === 'union' || tag === 'enum' ? { tag, name: spelled.slice(space + 1) } as const : { tag: undefined, name: spelled };
    for (const type of types.find(name)) {
      spell(type, 'x');
      sizeOf(type);
      const inner = concrete(type);
      if (inner.kind === 'struct' || inner.kind === 'union') { for (const member of inner.members) if (member.name !== undefined) findMember(inner, member.name); }
    }
  }
}

/** Runs a case: reads, or a 'bad-debug-info' error; anything else fails the test with what was done. */
function survives(sections: Sections, what: string): 'read' | 'refused' {
  const started = cpuMillis();
  try {
    exercise(sections);
    return 'read';
  } catch (error) {
    if (error instanceof PvmError && error.code === 'bad-debug-info') return 'refused';
    throw new Error(`${what}: ${(error as Error).stack}`);
  } finally {
    expect(cpuMillis() - started, what).toBeLessThan(2000);
  }
}

function copy(sections: Sections): Sections {
  return new Map([...sections].map(([name, s]) => [name, { bytes: Uint8Array.prototype.slice.call(s.bytes), flags: s.flags }]));
}

/** A section as SHF_COMPRESSED holds it: an Elf64_Chdr (zlib, the size, alignment 1), then the deflated bytes. */
function compressed(bytes: Uint8Array, claimed = BigInt(bytes.length)): { bytes: Uint8Array; flags: number } {
  const deflated = deflateSync(bytes);
  const out = new Uint8Array(24 + deflated.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 1, true);
  view.setBigUint64(8, claimed, true);
  view.setBigUint64(16, 1n, true);
  out.set(deflated, 24);
  return { bytes: out, flags: SHF_COMPRESSED };
}

describe('the DWARF reader, fuzzed', () => {
  const binary = `${BUILD_DIR}/types-fuzz`;
  let original: Sections;
  beforeAll(() => {
    if (!hasCommand('gcc')) return;
    mkdirSync(BUILD_DIR, { recursive: true });
    execFileSync('gcc', ['-g', '-o', binary, `${ROOT}test/fixture/types.c`]);
    const elf = parseElf(bytesReader(readFileSync(binary)));
    original = new Map(NAMES.flatMap((name) => {
      const section = elf.section(name);
      return section === undefined ? [] : [[name, { bytes: section.read(), flags: section.flags }]];
    }));
  });

  it('reads the program as it is', (context) => {
    needs(context, hasCommand('gcc'), 'needs gcc');
    expect(survives(original, 'the original')).toBe('read');
  });

  for (const name of ['.debug_info', '.debug_abbrev', '.debug_str']) {
    it(`survives bytes of ${name} flipped and cut short`, (context) => {
      needs(context, hasCommand('gcc'), 'needs gcc');
      const next = random(0x5eed + name.length);
      const outcomes = { read: 0, refused: 0 };
      for (let n = 0; n < 300; n++) {
        const sections = copy(original);
        const bytes = sections.get(name)!.bytes;
        const flips = 1 + next(6);
        const at: number[] = [];
        for (let i = 0; i < flips; i++) {
          const where = next(bytes.length);
          at.push(where);
          bytes[where] = next(4) === 0 ? 0xff : next(256);
        }
        outcomes[survives(sections, `${name}: bytes at ${at.join(', ')} replaced`)]++;
        const cut = copy(original);
        const length = next(bytes.length);
        cut.set(name, { bytes: cut.get(name)!.bytes.subarray(0, length), flags: 0 });
        outcomes[survives(cut, `${name} cut to ${length} bytes`)]++;
      }
      expect(outcomes.refused).toBeGreaterThan(0);
    }, 30_000);
  }

  it('reads compressed sections, and refuses lying compression headers without allocating what they claim', (context) => {
    needs(context, hasCommand('gcc'), 'needs gcc');
    const sections = copy(original);
    sections.set('.debug_info', compressed(original.get('.debug_info')!.bytes));
    expect(survives(sections, 'compressed')).toBe('read');
    for (const claimed of [2n ** 40n, 2n ** 64n - 1n, 0n, BigInt(original.get('.debug_info')!.bytes.length - 1), BigInt(original.get('.debug_info')!.bytes.length + 1)]) {
      sections.set('.debug_info', compressed(original.get('.debug_info')!.bytes, claimed));
      expect(survives(sections, `compressed, claiming ${claimed} bytes`)).toBe('refused');
    }
    const next = random(99);
    for (let n = 0; n < 100; n++) {
      const lying = compressed(original.get('.debug_info')!.bytes);
      const at = 24 + next(lying.bytes.length - 24);
      lying.bytes[at] = lying.bytes[at]! ^ (1 << next(8));
      sections.set('.debug_info', lying);
      survives(sections, `compressed, a bit flipped`);
    }
  });

  it('refuses a typedef of itself and a pointer to itself', (context) => {
    needs(context, hasCommand('gcc'), 'needs gcc');
    for (const [spelled, what] of [['level_t', 'typedef'], ['struct node', 'pointer']] as const) {
      const sections = copy(original);
      const info = sections.get('.debug_info')!.bytes;
      const reader = new DieReader(new DebugSections(fileOf(sections)));
      const types = openDebugTypes('/original', fileOf(original), { cacheDirectory: undefined });
      const found = types.definitions(spelled.startsWith('struct') ? { tag: 'struct', name: 'node' } : { tag: undefined, name: spelled });
      expect(found).toHaveLength(1);
      // The DIE to loop: the typedef itself, or the pointer type of node's `next`.
      const offsets = [...(reader.headers())].flatMap((unit) => {
        const list: number[] = [];
        for (let offset = reader.unit(unit.offset).rootOffset; offset < unit.end;) {
          const die = reader.read(reader.unit(unit.offset), offset);
          if (die === undefined) {
            offset++;
            continue;
          }
          if ((what === 'typedef' && die.tag === 0x16 && die.name === spelled) || (what === 'pointer' && die.tag === 0x0f)) list.push(die.offset);
          offset = die.attributesEnd;
        }
        return list;
      });
      for (const offset of offsets) {
        const die = reader.read(reader.unitHolding(offset), offset)!;
        if (die.type === undefined) continue;
        const relative = die.type - die.unit.offset;
        const view = new DataView(info.buffer, info.byteOffset);
        for (let at = offset; at + 4 <= die.attributesEnd; at++) {
          if (view.getUint32(at, true) === relative) view.setUint32(at, offset - die.unit.offset, true);
        }
      }
      const outcome = survives(sections, `a ${what} to itself`);
      expect(outcome, `a ${what} to itself`).toBe('refused');
    }
  });
});
