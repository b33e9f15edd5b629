// Debug info that cannot be read as DWARF: truncated, corrupt, or using what
// this reader does not know. Thrown inside the reader only; where types are
// asked for (debug-types.ts) it becomes a 'bad-debug-info' problem naming
// the file, so that a bad debug file is the target's fault (exit 4), never
// an internal error.
export class DwarfFormatError extends Error {}
