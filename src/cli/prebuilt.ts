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
 * A file's path (from the checkout's root) and what any change to it changes:
 * its inode, size, mtime in ms and ctime in whole seconds (the precision Deno
 * reports; the build takes longer than a second, so an edit after it lands in
 * another second than the stamp it took before).
 */
export type Stamp = readonly [path: string, ino: string, size: string, mtimeMs: string, ctimeS: string];

export interface Manifest {
  /** The checkout the bundles were built in: Bun's has its paths (import.meta.url) written in. */
  readonly root: string;
  /** The bundle each runtime runs, from the checkout's root. */
  readonly bundles: { readonly bun: string; readonly deno: string };
  readonly inputs: readonly Stamp[];
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
      return [path, String(stat.ino), String(stat.size), String(stat.mtime?.getTime()), String(Math.floor((stat.ctime?.getTime() ?? NaN) / 1000))];
    };
  }
  const { statSync } = await import('node:fs');
  return (path) => {
    const stat = statSync(`${root}${path}`, { bigint: true, throwIfNoEntry: false });
    if (stat === undefined) return undefined;
    return [path, String(stat.ino), String(stat.size), String(stat.mtimeNs / 1_000_000n), String(stat.ctimeNs / 1_000_000_000n)];
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
  let manifest: Manifest;
  try {
    const text = deno === undefined ? (await import('node:fs')).readFileSync(`${root}${MANIFEST}`, 'utf8') : deno.readTextFileSync(`${root}${MANIFEST}`);
    manifest = JSON.parse(text) as Manifest;
  } catch {
    return undefined; // not built, or built by a pvm that wrote none
  }
  const bundle = manifest.bundles?.[runtime];
  const stampOf = await stamper(root);
  if (manifest.root !== root || typeof bundle !== 'string' || !Array.isArray(manifest.inputs) || stampOf(bundle) === undefined) return undefined;
  for (const stamp of manifest.inputs) {
    const now = stampOf(stamp[0]);
    if (now === undefined || now.some((field, i) => field !== stamp[i])) return undefined;
  }
  return `${root}${bundle}`;
}
