// How long code ran on the CPU, rather than how long the clock says: a test
// that checks pvm does not hang or go quadratic must not fail because other
// work shares the machine. A loaded machine stretches wall time; CPU time
// grows only with the work done (the process's, all its threads').

/** Milliseconds of CPU this process has used so far (user and system). */
export function cpuMillis(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** `run`'s result and the CPU milliseconds it took. */
export function cpuTimed<T>(run: () => T): [T, number] {
  const started = cpuMillis();
  const result = run();
  return [result, cpuMillis() - started];
}
