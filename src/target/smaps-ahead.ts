// smaps of a live process read ahead, on another thread, for a run that will
// read in batches or scan (userfault-stops.ts, live-scan.ts): read while pvm
// loads, not on the way of the first batch or scan.
import { promises } from 'node:fs';

const deno = (globalThis as { Deno?: { readFile(path: string): Promise<Uint8Array> } }).Deno;

/**
 * /proc/PID/smaps, read on another thread while the caller goes on (it costs
 * ~10 ms of kernel time per resident GiB: the kernel walks the page tables);
 * undefined where it cannot be read. Deno reads it natively: its `node:fs`
 * promises took 6 ms more.
 */
export async function readSmapsAhead(pid: number): Promise<SmapsText | undefined> {
  const startedAt = performance.now();
  try {
    if (deno === undefined) return { text: await promises.readFile(`/proc/${pid}/smaps`, 'latin1'), startedAt };
    const bytes = await deno.readFile(`/proc/${pid}/smaps`);
    let text = '';
    for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
    return { text, startedAt };
  } catch {
    return undefined;
  }
}

/** smaps as read ahead, and when the read began (performance.now()): its first lines are that old. */
export interface SmapsText {
  readonly text: string;
  readonly startedAt: number;
}
