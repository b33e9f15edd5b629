// Starting a scan's worker thread for a live process, and the one warmed
// ahead of the scan. A worker takes 40-90 ms to start (a runtime of its own,
// then libc), a large part of a 1 GiB scan, so a run whose recipe will likely
// scan a lot warms one as it starts (warmScanWorker); the scan takes it
// (takeScanWorker), or starts one then.
import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';
import { residentBytes } from '../process-facts.ts';
import { CONTROL_BYTES, type ScanWorkerData } from './control.ts';

/** A started worker: its thread, and the shared memory it reports in (control.ts). */
export interface ScanWorker {
  readonly pid: number;
  readonly worker: Worker;
  readonly control: SharedArrayBuffer;
}

/** The worker warmed for the next scan, if any (one at a time). */
let warm: ScanWorker | undefined;

/**
 * Starts a worker for process `pid` now, to be ready when the recipe's scan
 * begins, if the process holds at least `resident` bytes (VmRSS: a scan
 * reads only resident pages). The caller says a worker may read this process
 * (refusals.ts mayWorkBeforeJudging, and scans that use workers:
 * ScanWorkers.use) and that the recipe will likely scan that much.
 */
export function warmScanWorker(pid: number, resident: number): void {
  if (warm?.pid === pid || residentBytes(pid) < resident) return;
  retireWarm();
  warm = startWorker(pid);
}

/** The worker warmed for process `pid`, or a new one; undefined when none can be started here. */
export function takeScanWorker(pid: number): ScanWorker | undefined {
  const taken = warm?.pid === pid ? warm : undefined;
  if (taken === undefined) retireWarm(); // warmed for another process
  warm = undefined;
  return taken ?? startWorker(pid);
}

/** Lets the warmed worker go, through its own cleanup (a `null` job), rather than terminating it. */
function retireWarm(): void {
  warm?.worker.postMessage(null);
  warm = undefined;
}

let workerThreads: typeof import('node:worker_threads') | undefined;

/** node:worker_threads, loaded on first use: a run with no large scan does without it (~1 ms on Node). */
function threads(): typeof import('node:worker_threads') {
  return workerThreads ??= createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
}

function startWorker(pid: number): ScanWorker | undefined {
  const control = new SharedArrayBuffer(CONTROL_BYTES);
  let worker: Worker;
  try {
    // Beside this module: the .ts under Bun and Deno (src/target/scan-worker), the built .js under Node: the bundle's
    // own entry point in dist/node (one file and the bundle's chunks, where dist/target has ~22 modules to load one
    // by one), or dist/target's for code that imports dist/ (scripts, tests).
    const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
    worker = new (threads().Worker)(new URL(`./scan-worker.${extension}`, import.meta.url), { workerData: { pid, control } satisfies ScanWorkerData });
  } catch {
    return undefined; // no worker here (no worker_threads, or no file to start one from): this thread scans alone
  }
  // It never keeps pvm alive: a warmed worker no scan took waits for a job that never comes.
  worker.unref();
  worker.on('error', () => {}); // a worker that cannot start never claims a chunk; one that fails says so in `control`
  return { pid, worker, control };
}
