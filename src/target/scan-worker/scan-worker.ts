// The worker thread of a parallel scan (start-worker.ts starts it): opens its
// own channel to the live process, waits for its job (a message), then runs
// the worker's half of the scan (runtime/scans/worker-search.ts) on it. Like
// cli/main.ts for a process, this is a thread's entry point: it joins the
// target (the channel: libc, the process) to the runtime (the search).
import { parentPort, workerData } from 'node:worker_threads';
import type { ScanJob } from '../../runtime/scans/parallel-scan.ts';
import { searchFromEnd } from '../../runtime/scans/worker-search.ts';
import { openScanChannel } from '../live-scan.ts';
import { DONE, FAILED, READY, type ScanWorkerData, STATE } from './control.ts';

const { pid, control: controlBuffer } = workerData as ScanWorkerData;
const control = new Int32Array(controlBuffer);
// Listening from the first moment: a job posted while libc loads must not be lost. `null`: no job, leave.
const job = new Promise<ScanJob | null>((resolve) => parentPort!.once('message', resolve));

function finish(state: typeof DONE | typeof FAILED): void {
  Atomics.store(control, STATE, state);
  Atomics.notify(control, STATE);
}

try {
  const channel = await openScanChannel(pid);
  try {
    Atomics.store(control, STATE, READY);
    const data = await job;
    if (data === null) finish(FAILED);
    else {
      // The scan is opened once the job comes, not while the worker waits for it, from the smaps the main thread
      // planned the chunks from: the same map (file mappings, VmFlags, pages that hold data).
      const access = channel.openScan(data.smaps);
      try {
        finish(searchFromEnd(data, access, control));
      } finally {
        access.close();
      }
    }
  } finally {
    channel.close();
  }
} catch {
  finish(FAILED);
}
