// Builds dist/ for Node (which cannot run .ts): tsc rewrites the .ts import
// specifiers to .js. Bun and Deno run src/ as it is. Run by `npm ci` (prepare).
import { execFileSync } from 'node:child_process';
import { chmodSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync(`${root}/dist`, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', `${root}/tsconfig.json`], { stdio: 'inherit', cwd: root });
chmodSync(`${root}/dist/cli/main.js`, 0o755);
