// pvm revert and the journal against an in-memory target: stacked patches
// undone newest first, sites changed since left alone, pid reuse refused.
import { describe, expect, it } from 'vitest';
import { TargetError } from '../../src/errors.ts';
import { entryDigest, type JournalEntry, journalLine } from '../../src/runtime/journal/journal.ts';
import { parseJournal } from '../../src/runtime/journal/journal-parse.ts';
import { revertJournal } from '../../src/runtime/journal/revert.ts';
import { type SiteStatus, statementStates } from '../../src/runtime/journal/journal-status.ts';
import { writeSites } from '../../src/runtime/writes/site-writer.ts';
import { MemoryTarget } from '../../src/target/memory-target.ts';
import type { WritableTarget } from '../../src/target/target.ts';
import { startTimeOf } from '../../src/target/live-process.ts';

const BASE = 0x40000n;

/** A memory target that says it is pid 77, started at tick 5000, with code at BASE (r-x) and data after it. */
function process77(): { target: WritableTarget; code: Uint8Array; data: Uint8Array } {
  const code = new Uint8Array(0x1000).fill(0x90);
  const data = new Uint8Array(0x1000);
  const target = new MemoryTarget(
    [
      { start: BASE, end: BASE + 0x1000n, perms: 'r-xp', offset: 0n, path: '/bin/app', deleted: false, bytes: code },
      { start: BASE + 0x1000n, end: BASE + 0x2000n, perms: 'rw-p', offset: 0n, path: '', deleted: false, bytes: data },
    ],
    'app',
    new Map(),
    { kind: 'process', pid: 77, startTime: '5000' },
  );
  return { target, code, data };
}

function entry(address: bigint, old: number[], now: number[], patch = 'p'): JournalEntry {
  return { pid: 77, startTime: '5000', exe: '/bin/app', recipe: { name: 'r.pvm', sha256: '00' }, statement: 'patch', patch, line: 1, address, module: undefined, old: Uint8Array.from(old), new: Uint8Array.from(now) };
}

describe('revertJournal', () => {
  it('undoes a site patched twice step by step, newest first, through code pages too', () => {
    const { target, code } = process77();
    code.set([3, 3], 0x10);
    const journal = [entry(BASE + 0x10n, [0x90, 0x90], [2, 2], 'first'), entry(BASE + 0x10n, [2, 2], [3, 3], 'second')];
    const outcome = revertJournal(journal, { target, journal: 'j', dryRun: false, freeze: false });
    expect(outcome.sites.map((s) => [s.entry.patch, s.status])).toEqual([
      ['first', 'restored'],
      ['second', 'restored'],
    ]);
    expect([...code.subarray(0x10, 0x12)]).toEqual([0x90, 0x90]);
  });

  it('leaves a site that changed since alone, restores the others, and writes nothing in a dry run', () => {
    const { target, data } = process77();
    data.set([7], 0);
    data.set([9], 8);
    const journal = [entry(BASE + 0x1000n, [1], [7]), entry(BASE + 0x1008n, [1], [8])];
    const dry = revertJournal(journal, { target, journal: 'j', dryRun: true, freeze: false });
    expect(dry.sites.map((s) => s.status)).toEqual(['would restore', 'changed since']);
    expect(data[0]).toBe(7);
    const real = revertJournal(journal, { target, journal: 'j', dryRun: false, freeze: false });
    expect(real.sites.map((s) => s.status)).toEqual(['restored', 'changed since']);
    expect([data[0], data[8]]).toEqual([1, 9]);
  });

  it('refuses a journal of another process with the same pid (pid reuse), and counts entries of others', () => {
    const { target } = process77();
    const reused = { ...entry(BASE, [1], [2]), startTime: '4000' };
    const error = (() => {
      try {
        revertJournal([reused], { target, journal: 'fix.journal', dryRun: false, freeze: false });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TargetError);
    expect((error as TargetError).message).toBe('fix.journal records patches of pid 77 (started at tick 4000), not of pid 77 (app) (started at tick 5000)');
    expect((error as TargetError).hint).toContain('the pid was reused');
    const mixed = revertJournal([reused, entry(BASE + 0x1000n, [0], [0])], { target, journal: 'j', dryRun: false, freeze: false });
    expect(mixed.others).toBe(1);
  });
});

describe('the journal format', () => {
  it('round-trips an entry through one JSON line', () => {
    const e = { ...entry(BASE + 0x10n, [1, 2], [3, 4]), module: { path: '/bin/app', offset: 0x10n, buildId: 'ab' } };
    expect(parseJournal(`${journalLine(e)}\n\n${journalLine(e)}\n`)).toEqual([e, e]);
  });

  it('names the line that is not an entry', () => {
    expect(() => parseJournal('\nnot json')).toThrow('line 2 is not JSON');
    expect(() => parseJournal('{"journal":"other"}')).toThrow('line 1 is not a pvm journal entry (version 2)');
    expect(() => parseJournal('{"journal":"pvm","version":1}')).toThrow('line 1 is not a pvm journal entry (version 2)');
  });

  it('refuses an entry whose sha256 does not match: a checksum, it detects a line corrupted or edited by hand', () => {
    const line = journalLine(entry(BASE + 0x10n, [1, 2], [3, 4]));
    expect(parseJournal(line)).toHaveLength(1);
    expect(() => parseJournal(line.replace('"old":"0102"', '"old":"9090"'))).toThrow('line 1 was changed after pvm wrote it (its sha256 does not match)');
  });

  it('names the field that is wrong in an entry whose sha256 was recomputed to match', () => {
    const signed = (edit: (fields: Record<string, unknown>) => void) => {
      const { sha256: _, ...fields } = JSON.parse(journalLine(entry(BASE + 0x10n, [1, 2], [3, 4]))) as Record<string, unknown>;
      edit(fields);
      const body = JSON.stringify(fields);
      return `${body.slice(0, -1)},"sha256":"${entryDigest(body)}"}`;
    };
    expect(parseJournal(signed(() => {}))).toHaveLength(1);
    expect(() => parseJournal(signed((f) => (f.old = '01x2')))).toThrow('line 1: old is not hex bytes');
    expect(() => parseJournal(signed((f) => (f.new = 7)))).toThrow('line 1: new is not hex bytes');
    expect(() => parseJournal(signed((f) => (f.new = '030405')))).toThrow('line 1: old and new bytes differ in length');
    expect(() => parseJournal(signed((f) => delete f.pid))).toThrow('line 1: no pid');
    expect(() => parseJournal(signed((f) => (f.address = '4096')))).toThrow('line 1: address is not an address');
    expect(() => parseJournal(signed((f) => (f.module = { path: '/bin/app', offset: 'x', buildId: null })))).toThrow('line 1: module offset is not an address');
    expect(() => parseJournal(signed((f) => (f.statement = 'poke')))).toThrow('line 1: statement is not patch or write');
    expect(() => parseJournal(signed((f) => (f.recipe = 'r.pvm')))).toThrow('line 1: no recipe');
  });
});

it('reads the start time from /proc/PID/stat, whatever the command name holds', () => {
  const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
  expect(startTimeOf(`42 (a) b (c)) ${fields.join(' ')}`)).toBe('22');
});

describe('writeSites', () => {
  it('restores every site when one cannot be written, even through /proc/PID/mem (a read-only shared page)', () => {
    const data = new Uint8Array(0x1000);
    const shared = new Uint8Array(0x1000);
    const target = new MemoryTarget([
      { start: BASE, end: BASE + 0x1000n, perms: 'rw-p', offset: 0n, path: '', deleted: false, bytes: data },
      { start: BASE + 0x1000n, end: BASE + 0x2000n, perms: 'r--s', offset: 0n, path: '/dev/shm/x', deleted: false, bytes: shared },
    ]);
    const at = { where: 'r.pvm:1:1' };
    let journaled = false;
    expect(() =>
      writeSites(
        [
          { address: BASE, before: Uint8Array.of(0), after: Uint8Array.of(1), at },
          { address: BASE + 0x1000n, before: Uint8Array.of(0), after: Uint8Array.of(2), at },
        ],
        { target, space: 'memory', freeze: false, beforeWrite: () => (journaled = true) },
      )
    ).toThrow(`the write at 0x41000 did not land`);
    expect(journaled).toBe(true);
    expect([data[0], shared[0]]).toEqual([0, 0]);
  });
});

describe('a journal cut short by a crash', () => {
  it('reports the incomplete line and keeps every complete entry', () => {
    const lines: number[] = [];
    const text = `${journalLine(entry(BASE + 0x10n, [1], [2]))}\n{"journal":"pvm","vers`;
    expect(parseJournal(text, (line) => lines.push(line))).toHaveLength(1);
    expect(lines).toEqual([2]);
  });
});

describe('an entry glued onto a line cut short (appended by a pvm that did not start a new line)', () => {
  it('is found after the cut part and used; the line is still reported incomplete', () => {
    const lines: number[] = [];
    const first = entry(BASE + 0x10n, [1], [2]);
    const glued = entry(BASE + 0x20n, [3], [4]);
    const text = `${journalLine(first)}\n${journalLine(entry(BASE + 0x30n, [5], [6])).slice(0, 90)}${journalLine(glued)}\n`;
    expect(parseJournal(text, (line) => lines.push(line))).toEqual([first, glued]);
    expect(lines).toEqual([2]);
    // Edited, it is refused like any entry.
    expect(() => parseJournal(text.replace('"old":"03"', '"old":"09"'), () => {})).toThrow('line 2 was changed after pvm wrote it');
  });
});

describe('a process that no longer holds the program it patched', () => {
  const inApp = (address: bigint): JournalEntry => ({ ...entry(address, [0x90], [0xc3]), module: { path: '/bin/app', offset: address - BASE, buildId: undefined } });

  it('is refused when it runs another executable now (exec), and nothing is written', () => {
    const { target, code } = process77();
    code[0x10] = 0xc3;
    const exec = new MemoryTarget([{ start: BASE, end: BASE + 0x1000n, perms: 'r-xp', offset: 0n, path: '/bin/app', deleted: false, bytes: code }], 'app', new Map(), { ...target.identity, exe: '/bin/other' });
    expect(() => revertJournal([inApp(BASE + 0x10n)], { target: exec, journal: 'j', dryRun: false, freeze: false })).toThrow(
      "j records patches of pid 77 (app) that it no longer holds: it runs /bin/other now, not /bin/app: it exec'd another program since pvm patched it; nothing was written",
    );
    expect(code[0x10]).toBe(0xc3);
  });

  it('is refused when a site no longer lies in the file it was patched in, at the same offset', () => {
    const { target, code } = process77();
    code[0x10] = 0xc3;
    const moved = { ...inApp(BASE + 0x10n), module: { path: '/bin/app', offset: 0x2010n, buildId: undefined } };
    expect(() => revertJournal([moved], { target, journal: 'j', dryRun: false, freeze: false })).toThrow('the site at 0x40010 (/bin/app+0x2010 when patched) is /bin/app+0x10 now');
    const elsewhere = { ...inApp(BASE + 0x1010n) };
    expect(() => revertJournal([elsewhere], { target, journal: 'j', dryRun: false, freeze: false })).toThrow("is no longer in that file's mapping");
    expect(code[0x10]).toBe(0xc3);
    // Where it still does, the revert goes ahead.
    expect(revertJournal([inApp(BASE + 0x10n)], { target, journal: 'j', dryRun: false, freeze: false }).sites.map((s) => s.status)).toEqual(['restored']);
  });
});

describe('pvm status, by statement', () => {
  const site = (address: bigint, state: SiteStatus['state'], patch = 'p'): SiteStatus => ({ entry: entry(address, [1], [2], patch), state, found: undefined });

  it('says a patch whose sites are partly written is partly applied, and tells its applications apart', () => {
    const groups = statementStates([
      site(BASE, 'applied'),
      site(BASE + 8n, 'reverted'),
      // The same patch applied again after a revert: its first site comes again.
      site(BASE, 'applied'),
      site(BASE + 8n, 'applied'),
      site(BASE + 16n, 'changed', 'q'),
      site(BASE + 24n, 'applied', 'q'),
      { ...site(BASE + 32n, 'applied'), entry: { ...entry(BASE + 32n, [1], [2]), statement: 'write', patch: undefined } },
    ]);
    expect(groups.map((g) => [g.statement, g.sites.length, g.state])).toEqual([
      ['patch', 2, 'partly applied'],
      ['patch', 2, 'applied'],
      ['patch', 2, 'changed'],
      ['write', 1, 'applied'],
    ]);
  });
});
