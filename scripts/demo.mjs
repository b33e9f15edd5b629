// `npm run demo`: compile the demo target, start it, read it with pvm (people
// output, then --json), show one error, and stop the target.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pvm-demo-'));
const binary = join(dir, 'demo-target');
execFileSync('cc', ['-O0', '-o', binary, join(root, 'examples/demo-target.c')], { stdio: 'inherit' });

const target = spawn(binary, [], { stdio: ['pipe', 'pipe', 'inherit'] });
const { pid, world } = await new Promise((resolve, reject) => {
  target.stdout.once('data', (chunk) => resolve(JSON.parse(String(chunk).split('\n')[0])));
  target.once('error', reject);
});

const pvm = (...args) => {
  console.log(`\n$ pvm ${args.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ')}`);
  const result = spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), ...args], { cwd: root, encoding: 'utf8' });
  process.stdout.write(result.stdout + result.stderr);
  console.log(`(exit status ${result.status})`);
  return result.status;
};

let status = 0;
try {
  console.log(`demo target running as pid ${pid} (it says its world is at ${world}; pvm finds it by symbol)`);
  status = pvm('run', 'examples/demo.pvm', '--pid', String(pid));
  pvm('run', 'examples/demo.pvm', '--pid', String(pid), '--json');
  console.log('\nand what mistakes look like:');
  pvm('-e', 'print read u32 at symbol("demo-target", "world") + 0x100000', '--pid', String(pid));
  pvm('-e', 'print read u32 at symbol("demo-target", "wrold")', '--pid', String(pid));
  pvm('-e', 'print read u24 at 0', '--pid', String(pid));
} finally {
  target.kill();
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = status;
