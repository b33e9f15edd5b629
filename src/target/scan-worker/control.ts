// What a scan worker and the thread that started it share from its start: a
// few Int32 slots (`control`), where the worker says how it is doing and is
// told to stop. The job itself, and what the worker claims and finds in it,
// are the scan's (runtime/scans/parallel-scan.ts).

/** What a worker is started with: the process it opens, and where it says how it is doing. */
export interface ScanWorkerData {
  readonly pid: number;
  readonly control: SharedArrayBuffer;
}

/** Bytes of `control`. */
export const CONTROL_BYTES = 16;
/** control[STATE]: the worker's state. */
export const STATE = 0;
export const STARTING = 0;
/** Set up (libc, the process opened), waiting for its job. */
export const READY = 4;
export const WORKING = 1;
export const DONE = 2;
export const FAILED = 3;
/** control[STOP]: 1 when the other thread has all the hits it needs; control[HITS]: the worker's hit count; control[SKIPPED]: bytes of its skipped list (JSON). */
export const STOP = 1;
export const HITS = 2;
export const SKIPPED = 3;
