// Whether a bundle `npm run build` made may run in place of src/ on Bun or
// Deno, which otherwise transpile and load ~140 modules at every start. The
// build writes dist/prebuilt.json: the bundle for each runtime, and a stamp
// of every file the bundles were made from (src/, and the packages bundled
// in). A bundle runs only in the checkout it was built in, and while every
// stamp still matches: a file edited, replaced, moved or deleted since the
// build makes src/ run again, until the next build.

/** Where the build writes what it bundled, under the checkout's root. */
export const MANIFEST = 'dist/prebuilt.json';

/**
 * What any change to a file changes, as one string: its inode, size and
 * ctime, which every write sets (setting the mtime back too), in whole
 * seconds, the precision Deno reports. The build waits a second after
 * stamping before it writes the stamps, so a later change lands in another
 * second, and checks that nothing changed meanwhile to the nanosecond.
 */
export type Stamp = string;

/** A bundle, from the checkout's root, and the stamp of each file it was made from, by path from the root. */
export interface Bundle {
  readonly path: string;
  readonly inputs: readonly (readonly [path: string, stamp: Stamp])[];
}

export interface Manifest {
  /** The checkout the bundles were built in: Bun's has its paths (import.meta.url) written in. */
  readonly root: string;
  readonly bundles: { readonly bun: Bundle; readonly deno: Bundle };
}

/** What Deno's own API says of a file (pvm's types are Node's). */
interface DenoApi {
  statSync(path: string): { ino: number | null; size: number; mtime: Date | null; ctime: Date | null };
  readTextFileSync(path: string): string;
  permissions: { querySync(descriptor: { name: 'read'; path: string }): { state: string } };
}

const deno = (globalThis as { Deno?: DenoApi }).Deno;

/**
 * A function giving the stamp of a path under `root` as it is now, or
 * undefined when it is gone: through Deno's own API on Deno (its node:fs
 * takes ~20 ms to start, a bundle's business), node:fs elsewhere.
 */
export async function stamper(root: string): Promise<(path: string) => Stamp | undefined> {
  if (deno !== undefined) {
    return (path) => {
      let stat;
      try {
        stat = deno.statSync(`${root}${path}`);
      } catch {
        return undefined;
      }
      return `${stat.ino} ${stat.size} ${Math.floor((stat.ctime?.getTime() ?? NaN) / 1000)}`;
    };
  }
  const { statSync } = await import('node:fs');
  return (path) => {
    // Numbers, not bigints: a third cheaper, and a ctime in ms is exact enough for its second.
    const stat = statSync(`${root}${path}`, { throwIfNoEntry: false });
    return stat && `${stat.ino} ${stat.size} ${Math.floor(stat.ctimeMs / 1000)}`;
  };
}

/**
 * The bundle to run on this runtime instead of `root`'s src/, as a path, or
 * undefined to run src/: on Node (which runs dist/ already), without a
 * manifest, on Deno without the right to read the checkout (asking would
 * prompt), or when any input differs from its stamp.
 */
export async function freshBundle(root: string): Promise<string | undefined> {
  const runtime = 'Bun' in globalThis ? 'bun' : deno !== undefined ? 'deno' : undefined;
  if (runtime === undefined || (runtime === 'deno' && deno?.permissions.querySync({ name: 'read', path: root }).state !== 'granted')) return undefined;
  const stampOf = await stamper(root);
  let bundle: Bundle | undefined;
  try {
    const text = deno === undefined ? (await import('node:fs')).readFileSync(`${root}${MANIFEST}`, 'utf8') : deno.readTextFileSync(`${root}${MANIFEST}`);
    const manifest = JSON.parse(text) as Manifest;
    if (manifest.root === root) bundle = manifest.bundles[runtime];
  } catch {
    return undefined; // not built, or built by a pvm that wrote none
  }
  if (typeof bundle?.path !== 'string' || !Array.isArray(bundle.inputs) || stampOf(bundle.path) === undefined) return undefined;
  for (const [path, stamp] of bundle.inputs) if (stampOf(path) !== stamp) return undefined;
  return `${root}${bundle.path}`;
}
