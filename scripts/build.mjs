// Builds dist/ for Node (which cannot run .ts): tsc rewrites the .ts import
// specifiers to .js (dist/cli, dist/runtime …: what scripts and tests import);
// then Bun's bundler makes dist/node/main.js (of src/cli/cli.ts), the `pvm`
// command for Node: one module, plus chunks for what loads lazily (Ohm's
// error reporting, snapshots, cores …), which starts ~45 ms sooner than ~60
// modules resolved one by one;
// and dist/node/scan-worker.js, the worker of a parallel scan, sharing them.
// Then dist/bun/cli.js, src/cli/cli.ts bundled for Bun with its bytecode,
// and dist/prebuilt.json, a stamp of every file both bundles were made
// from: `bun src/cli/main.ts` runs dist/bun, and Deno dist/node, while no
// stamp has changed (src/cli/prebuilt.ts), and src/ otherwise. Run by
// `npm ci` (prepare).
//
// The build goes into a fresh directory beside dist/, which then takes
// dist/'s place (replace-directory.mjs): a pvm that runs from dist/ while
// `npm test` or `npm pack` builds (node_modules/.bin/pvm, a playbook
// shipping dist/bin/pvm) keeps working, and the single binary, which this
// build does not make, is kept.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { replaceDirectory } from './replace-directory.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const dist = `${root}/dist`;
const next = `${root}/dist.next-${process.pid}`;
rmSync(next, { recursive: true, force: true });
const bun = `${root}/node_modules/.bin/bun`;
try {
  execFileSync(process.execPath, [tsc, '-p', `${root}/tsconfig.json`, '--outDir', next], { stdio: 'inherit', cwd: root });
  // src/ stamped before the bundler reads it, and seen to the nanosecond: a file changed meanwhile writes no stamps.
  const { MANIFEST, stamper } = await import(pathToFileURL(`${next}/cli/prebuilt.js`).href);
  const stampOf = await stamper(root);
  const started = Date.now();
  const sources = readdirSync(`${root}src`, { recursive: true, encoding: 'utf8' }).map((path) => `src/${path}`);
  const before = new Map(sources.map((path) => [path, [stampOf(path), exactly(path)]]));
  chmodSync(`${next}/cli/main.js`, 0o755);
  // koffi finds its native module on disk and ohm-js is loaded only for syntax errors: both stay packages.
  execFileSync(
    bun,
    [
      'build',
      `${root}/src/cli/cli.ts`,
      `${root}/src/target/scan-worker/scan-worker.ts`,
      '--entry-naming',
      '[name].[ext]',
      '--target=node',
      '--format=esm',
      '--splitting',
      `--outdir=${next}/node`,
      '--external',
      'koffi',
      '--external',
      'ohm-js',
      `--metafile=${next}/node.meta.json`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], cwd: root },
  );
  // The CLI itself, not src/cli/main.ts (which looks for this bundle), named as the package's bin says; no chunk imports it.
  renameSync(`${next}/node/cli.js`, `${next}/node/main.js`);
  chmodSync(`${next}/node/main.js`, 0o755);
  // Bun's: one CommonJS file, as Bun keeps bytecode only for those (~25 ms sooner than src/); the packages stay
  // packages, and the scan worker is src/'s (Bun writes import.meta.url in as src/'s, hence the root in the manifest).
  execFileSync(bun, ['build', `${root}/src/cli/cli.ts`, '--target=bun', '--format=cjs', '--bytecode', '--packages=external', `--outdir=${next}/bun`, `--metafile=${next}/bun.meta.json`], {
    stdio: ['ignore', 'ignore', 'inherit'],
    cwd: root,
  });
  await writePrebuiltManifest({ MANIFEST, stampOf, before, started });
} catch (error) {
  rmSync(next, { recursive: true, force: true });
  throw error;
}
/**
 * dist/prebuilt.json (src/cli/prebuilt.ts): for each bundle, the stamps of the files it was made from, as they were
 * before the bundler read them, written when a second or more has passed (ctimes are kept in whole seconds) and none
 * has changed since; otherwise none, and Bun and Deno run src/.
 */
async function writePrebuiltManifest({ MANIFEST, stampOf, before, started }) {
  const wait = started + 1000 - Date.now();
  if (wait > 0) await new Promise((done) => setTimeout(done, wait));
  const bundleOf = (path, meta) => {
    const inputs = Object.keys(JSON.parse(readFileSync(`${next}/${meta}`, 'utf8')).inputs).map((input) => relative(root, resolve(root, input)));
    rmSync(`${next}/${meta}`);
    return { path, inputs: inputs.sort().map((input) => [input, stampOf(input)]) };
  };
  const bundles = { bun: bundleOf('dist/bun/cli.js', 'bun.meta.json'), deno: bundleOf('dist/node/main.js', 'node.meta.json') };
  for (const [path, stamp] of [...bundles.bun.inputs, ...bundles.deno.inputs]) {
    const [then, exact] = before.get(path) ?? [stamp, exactly(path)];
    if (stamp === undefined || stamp !== then || exactly(path) !== exact) {
      console.error(`build: ${path} changed while it was built; Bun and Deno run src/ until the next build`);
      return;
    }
  }
  writeFileSync(`${next}/${MANIFEST.slice('dist/'.length)}`, `${JSON.stringify({ root, bundles })}\n`);
}

/** A file's inode, size, mtime and ctime to the nanosecond. */
function exactly(path) {
  const stat = statSync(`${root}${path}`, { bigint: true, throwIfNoEntry: false });
  return stat && `${stat.ino} ${stat.size} ${stat.mtimeNs} ${stat.ctimeNs}`;
}

// The single binary (npm run build:bin, ~100 MB) is built beside, into dist/bin, and never goes into the npm package;
// nor do Bun's bundle and the stamps, which hold only for this checkout (prebuilt.ts).
writeFileSync(`${next}/.npmignore`, 'bin/\nbun/\nprebuilt.json\n');
replaceDirectory(next, dist, ['bin']);
// In a checkout, `node_modules/.bin/pvm` runs this build, as it would in a project that depends on pvm
// (npm links the bins of dependencies, not the package's own): the entry point the README shows.
const bin = `${root}/node_modules/.bin`;
if (existsSync(bin)) {
  const link = `${bin}/pvm.next-${process.pid}`;
  rmSync(link, { force: true });
  symlinkSync('../../dist/node/main.js', link);
  renameSync(link, `${bin}/pvm`);
}
