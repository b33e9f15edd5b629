// pvm's side of the bench: the same work as reference.c through pvm's native
// layer (VmChannel), on whichever runtime runs this file.
//   pvm-read.mjs PID bulk ADDR SIZE CHUNK | PID scatter ADDR SIZE N
const isNode = typeof Bun === 'undefined' && typeof Deno === 'undefined';
const from = (path) => new URL(isNode ? `../dist/${path}.js` : `../src/${path}.ts`, import.meta.url).href;
const { loadLibc } = await import(from('native/libc'));
const { VmChannel } = await import(from('native/vm'));

const [pidText, mode, baseText, sizeText, paramText] = process.argv.slice(2);
const pid = Number(pidText);
const base = BigInt(baseText);
const size = Number(sizeText);
const param = Number(paramText);
const vm = new VmChannel(await loadLibc(), pid);

let check = 0n;
let bytes = 0;
const start = process.hrtime.bigint();
if (mode === 'bulk') {
  for (let at = 0; at < size; at += param) {
    const n = Math.min(param, size - at);
    const [outcome] = vm.read([{ address: base + BigInt(at), length: n }]);
    if (outcome.done !== n) throw new Error('short read');
    bytes += n;
    let sum = 0;
    for (let k = 0; k < n; k += 4096) sum += outcome.bytes[k]; // as reference.c: independent of the chunk size
    check += BigInt(sum);
  }
} else {
  // The same xorshift64 sequence as reference.c, so both read the same addresses.
  let state = 88172645463325252n;
  const mask = (1n << 64n) - 1n;
  const transfers = [];
  for (let i = 0; i < param; i++) {
    state ^= (state << 13n) & mask;
    state ^= state >> 7n;
    state ^= (state << 17n) & mask;
    transfers.push({ address: base + (state % BigInt(size / 8)) * 8n, length: 8 });
  }
  const readStart = process.hrtime.bigint();
  const outcomes = vm.read(transfers);
  for (const o of outcomes) {
    bytes += o.done;
    check += new DataView(o.bytes.buffer, o.bytes.byteOffset, 8).getBigUint64(0, true);
  }
  check &= mask;
  // Address generation is the bench's cost, not pvm's: time the reads only.
  process.stdout.write(JSON.stringify({ ns: Number(process.hrtime.bigint() - readStart), bytes, calls: vm.calls, check: String(check) }) + '\n');
  process.exit(0);
}
process.stdout.write(JSON.stringify({ ns: Number(process.hrtime.bigint() - start), bytes, calls: vm.calls, check: String(check) }) + '\n');
