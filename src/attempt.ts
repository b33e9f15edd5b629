// A computation whose failure is an answer, not an error: a /proc file of a
// process that may be going away, a value a read-ahead cannot know.

/** The value of `compute`, or undefined if it throws. */
export function attempt<T>(compute: () => T): T | undefined {
  try {
    return compute();
  } catch {
    return undefined;
  }
}
