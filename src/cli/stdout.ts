// Output with backpressure: each line is written to stdout before the run
// goes on, waiting while a slow reader's pipe is full, so a recipe that
// prints a lot holds one line in memory, not all of them (a stream would
// buffer everything until the run ends). The same on Node, Bun and Deno.
import { writeSync } from 'node:fs';
import { sleepSync } from '../sleep.ts';

const encoder = new TextEncoder();

/** Writes all of `text` to stdout; a reader that has gone away (EPIPE) ends pvm quietly, as `head` expects. */
export function writeStdout(text: string): void {
  const bytes = encoder.encode(text);
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(1, bytes, done, bytes.length - done);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'EAGAIN') {
        sleepSync(1); // the pipe is full: let the reader catch up
        continue;
      }
      if (code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    }
  }
}
