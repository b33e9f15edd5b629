// How pvm verify compares two reports' results (src/cli/report-compare.ts).
import { describe, expect, it } from 'vitest';
import { differences, MAX_DIFFERENCES, unchecked } from '../../src/cli/report-compare.ts';

const results = (changes: Record<string, unknown> = {}) => ({
  recipe: { name: 'r.pvm', sha256: 'aa', text: 'emit x = 1' },
  args: { n: 1 },
  target: { kind: 'process', pid: 7, mapsSha256: 'bb' },
  policies: [],
  events: [{ type: 'emit', name: 'x', value: 1, line: 1 }],
  reads: [{ address: '0x10', length: 4, sha256: 'cc' }],
  exit: 0,
  error: null,
  ...changes,
});

describe('differences between a report and its rerun', () => {
  it('leave out what differs between captures of one memory by design: the target kind and core, the policies, the recipe text', () => {
    const offline = results({ target: { kind: 'core', pid: 7, mapsSha256: 'bb', core: { file: 's', sha256: 'dd' } }, policies: [{ file: 'p.json', sha256: 'ee' }], recipe: { name: 'r.pvm', sha256: 'aa' } });
    expect(differences(results(), offline)).toEqual([]);
  });

  it('name an emit by its name and a read by its address, with only the values that differ', () => {
    const found = results({ events: [{ type: 'emit', name: 'x', value: 2, line: 1 }], reads: [{ address: '0x10', length: 4, sha256: 'ff' }] });
    expect(differences(results(), found)).toEqual([
      { field: 'emit x (line 1)', report: { value: 1 }, evidence: { value: 2 } },
      { field: 'reads[0]: 4 bytes at 0x10', report: { sha256: 'cc' }, evidence: { sha256: 'ff' } },
    ]);
  });

  it('compare a patch applied with its rerun on the patched memory, where it is already applied: by its sites and the bytes written', () => {
    const site = (before: string) => ({ address: '0x30', before, after: '01' });
    const applied = results({ events: [{ type: 'patch', name: 'p', status: 'applied', sites: [site('00')], stoppedThreads: 1, line: 3 }] });
    const again = results({ events: [{ type: 'patch', name: 'p', status: 'already applied', sites: [site('01')], stoppedThreads: null, line: 3 }] });
    expect(differences(applied, again)).toEqual([]);
    expect(unchecked(applied)).toBe(1);
  });

  it('compare a write made and a patch applied with the dry run that would make them', () => {
    const made = results({ events: [{ type: 'write', address: '0x20', before: '00', after: '07', line: 2 }, { type: 'patch', name: 'p', status: 'applied', sites: [], stoppedThreads: 2, line: 3 }] });
    const dry = results({ events: [{ type: 'write', status: 'would write', address: '0x20', bytes: '07', line: 2 }, { type: 'patch', name: 'p', status: 'would apply', sites: [], stoppedThreads: null, line: 3 }] });
    expect(differences(made, dry)).toEqual([]);
    expect(differences(made, results({ events: [{ type: 'write', status: 'would write', address: '0x20', bytes: '08', line: 2 }] })).map((d) => d.field)).toEqual(['write at 0x20 (line 2)', 'events: how many']);
  });

  it("compare an error's code, not its message, between a live run and a core (the message names the target as one or the other)", () => {
    const live = results({ exit: 4, error: { code: 'unmapped', message: '0x10 is not mapped in pid 7' } });
    const core = results({ target: { kind: 'core', pid: 7, mapsSha256: 'bb' }, exit: 4, error: { code: 'unmapped', message: '0x10 is not mapped in the core of pid 7' } });
    expect(differences(live, core)).toEqual([]);
    expect(differences(live, results({ exit: 4, error: { code: 'unmapped', message: 'other' } })).map((d) => d.field)).toEqual(['error']);
  });

  it(`list at most ${MAX_DIFFERENCES}, and count the rest`, () => {
    const many = (sha256: string) => results({ reads: Array.from({ length: 80 }, (_, i) => ({ address: `0x${i.toString(16)}`, length: 1, sha256 })) });
    const found = differences(many('a'), many('b'));
    expect(found).toHaveLength(MAX_DIFFERENCES + 1);
    expect(found.at(-1)!.field).toBe(`and ${80 - MAX_DIFFERENCES} more`);
  });
});
