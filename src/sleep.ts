// A synchronous pause, for the few places that must wait without returning to
// the event loop (a thread stopping, a full pipe, a lock, a hot patch site).
const cell = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the calling thread for `ms` milliseconds (fractions allowed). */
export function sleepSync(ms: number): void {
  Atomics.wait(cell, 0, 0, ms);
}
