// A frozen process's map is read once per freeze (live-maps.ts hold): its
// stopped threads cannot change it. Counted at the one function that reads
// /proc files, on a live fixture.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { LiveProcess } from '../../src/target/live-process.ts';
import { type Fixture, startFixture } from '../helpers/fixture.ts';

const reads = vi.hoisted(() => ({ maps: 0 }));
vi.mock('../../src/native/proc-text.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/native/proc-text.ts')>();
  return {
    readProcText: (path: string, encoding?: 'latin1' | 'utf8') => {
      if (path.endsWith('/maps')) reads.maps++;
      return real.readProcText(path, encoding);
    },
  };
});

let fixture: Fixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterAll(() => fixture.stop());

it('reads the map once while the process is frozen, and afresh after the thaw and at the next freeze', async () => {
  const target = await LiveProcess.open(fixture.pid);
  const doomed = fixture.at('doomed');
  try {
    const frozen = target.freeze();
    reads.maps = 0;
    expect(target.regions().some((r) => r.start === doomed)).toBe(true);
    // Lone reads (a patch's checks) look at the map before each read, except while the process is frozen.
    for (let i = 0; i < 3; i++) expect(target.read([{ address: fixture.at('counter'), length: 4 }])[0]!.fault).toBeUndefined();
    target.regions();
    expect(reads.maps).toBe(1);
    frozen.thaw();
    frozen.thaw(); // twice is safe

    target.regions();
    expect(reads.maps).toBe(2);
    expect(await fixture.ask('u')).toBe('unmapped');
    expect(target.regions().some((r) => r.start === doomed)).toBe(false);
    const again = target.freeze();
    const before = reads.maps;
    target.regions();
    target.regions();
    again.thaw();
    expect(reads.maps).toBe(before + 1);
  } finally {
    target.close();
  }
});
