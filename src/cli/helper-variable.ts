// Whether this pvm is a helper pvm of a command over many processes
// (helper-pool.ts starts them, with this variable set): apart, and small,
// since every run asks before it loads anything else.

/** The environment variable that makes a pvm a helper (internal: set by helper-pool.ts only). */
export const HELPER_VARIABLE = 'PVM_INTERNAL_RUN_MANY_HELPER';

/** This pvm prepares its command, then serves the processes read from its stdin (helper-pool.ts serveAsHelper). */
export function isHelper(): boolean {
  return process.env[HELPER_VARIABLE] === '1';
}
