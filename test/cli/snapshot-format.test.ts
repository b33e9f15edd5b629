import { describe, expect, it } from 'vitest';
import { formatSnapshot } from '../../src/cli/snapshot-format.ts';
import type { SnapshotSummary } from '../../src/snapshot/capture.ts';

const summary = (moment: Partial<SnapshotSummary>): SnapshotSummary => ({
  file: 'app.core',
  regions: 2,
  bytes: 8192,
  holes: 0,
  leftOut: [],
  missing: [],
  threads: 1,
  registersMissing: undefined,
  frozen: false,
  stoppedBySignal: false,
  micros: 1000,
  stoppedMicros: 100,
  ...moment,
});
const identity = { pid: 4242, name: 'app' } as Parameters<typeof formatSnapshot>[1];
const moment = (of: Partial<SnapshotSummary>) => formatSnapshot(summary(of), identity, false).split('\n')[1];

describe('what pvm snapshot says of the moment it captured', () => {
  it('that the process ran, was stopped by a signal, or was frozen by pvm', () => {
    expect(moment({})).toBe('  taken while the process ran (its memory may have changed during the capture; --freeze stops it for one consistent moment)');
    expect(moment({ stoppedBySignal: true })).toBe('  taken while the process was stopped (state T: SIGSTOP or ^Z, before the capture and after it), so it did not run during the capture');
    expect(moment({ frozen: true, stoppedBySignal: true, stoppedMicros: 2500 })).toBe('  every thread stopped for the whole capture (2.5 ms): one consistent moment');
    expect(JSON.parse(formatSnapshot(summary({ stoppedBySignal: true }), identity, true))).toMatchObject({ frozen: false, stoppedBySignal: true });
  });
});
