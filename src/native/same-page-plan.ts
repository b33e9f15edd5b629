// The WebAssembly that plans same-page reads (same-page-reads.ts), written
// with the encoder the compiled loops use. It runs from bytes shipped in
// same-page-plan-bytes.ts (`npm run wasm` writes them; a test checks they are
// what this encodes), so a run pays no code generation for it.
import { encodeModule, FunctionCode, I32, I64, Op } from '../wasm-encode.ts';
import { CALL_ENTRY, DIGIT_BITS, DIGITS, MAX_GAP, PAGE_SHIFT } from './same-page-reads.ts';
import { IOV_MAX } from './transfer-batch.ts';

/** The module: one function, `plan`, over a memory the caller grows. */
export function samePagePlanModule(): Uint8Array {
  return encodeModule([{ name: 'plan', code: planCode() }], 1, [], { growable: true });
}

/**
 * `plan(count, base, junk, leastUnseen, …areas) → calls`: reads the ranges
 * (at 0) and offsets laid out by the caller, writes each call's iovecs and the
 * calls' table; 0 when the ranges are best read as they are. Where each array
 * lies comes in parameters (in the order below, which SamePagePlanner.plan's
 * call follows), so that one module serves every capacity and ships as bytes
 * (same-page-plan-bytes.ts: `npm run wasm` after any change to this file, to
 * the constants it imports, or to the encoder).
 */
function planCode(): FunctionCode {
  const code = new FunctionCode([I32, I64, I64, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I64], I32);
  const [count, base, junk, leastUnseen, offsetsAt, orderAt, spareAt, countsAt, localAt, spansAt, callsAt, expectedAt, seenAt, bitmapBytes, seenShift] = [
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    12,
    13,
    14,
  ];
  // The address of an array's element: the scaled index on the stack, plus where the array lies.
  const inArea = (area: number) => code.get(area).op(Op.i32Add);
  const i = code.local(I32);
  const k = code.local(I32);
  const n = code.local(I32);
  const digit = code.local(I32);
  const sum = code.local(I32);
  const held = code.local(I32);
  const from = code.local(I32); // the order being read (the order array or the spare)
  const to = code.local(I32);
  const sorted = code.local(I32);
  const address = code.local(I64);
  const length = code.local(I64);
  const lowest = code.local(I64);
  const highest = code.local(I64);
  const previous = code.local(I64);
  const shift = code.local(I64);
  const locals = code.local(I32); // local iovecs laid out so far
  const spans = code.local(I32); // remote iovecs so far
  const calls = code.local(I32);
  const callLocals = code.local(I32); // the current call's first local iovec
  const callSpans = code.local(I32);
  const callRanges = code.local(I32); // where the current call's ranges begin in the sorted order
  const expected = code.local(I64);
  const open = code.local(I32);
  const spanStart = code.local(I64);
  const spanEnd = code.local(I64);

  // Range r's address and length (its remote iovec).
  const loadRange = (r: number) => {
    code.get(r).i32(16).op(Op.i32Mul).memory(Op.i64Load, 0).set(address);
    code.get(r).i32(16).op(Op.i32Mul).memory(Op.i64Load, 8).set(length);
  };
  // An iovec at `array`[index]: base and length from what the two callbacks push.
  const storeIovec = (array: number, index: number, pushBase: () => void, pushLength: () => void) => {
    code.get(index).i32(16).op(Op.i32Mul);
    inArea(array);
    pushBase();
    code.memory(Op.i64Store, 0);
    code.get(index).i32(16).op(Op.i32Mul);
    inArea(array);
    pushLength();
    code.memory(Op.i64Store, 8);
    code.get(index).i32(1).op(Op.i32Add).set(index);
  };
  // The digit of range r's address (less the lowest) at `shift`, into `digit`.
  const digitOf = (r: () => void) => {
    r();
    code.i32(16).op(Op.i32Mul).memory(Op.i64Load, 0).get(lowest).op(Op.i64Sub).get(shift).op(Op.i64ShrU);
    code.i64(BigInt(DIGITS - 1)).op(Op.i64And, Op.i32WrapI64).set(digit);
  };
  const elementOf = (array: number, index: number) => code.get(array).get(index).i32(4).op(Op.i32Mul, Op.i32Add).memory(Op.i32Load, 0);

  // 1. The ranges that read something, in order; the lowest and highest address; whether already ascending; the
  //    pages seen (hashed into a bitmap).
  code.i64(-1n).set(lowest).i32(1).set(sorted);
  code.i32(0).set(k);
  code.open('block', 'cleared').open('loop', 'clear');
  code.get(k).get(bitmapBytes).op(Op.i32GeS).brIf('cleared');
  code.get(k);
  inArea(seenAt);
  code.i64(0n).memory(Op.i64Store, 0);
  code.get(k).i32(8).op(Op.i32Add).set(k).br('clear');
  code.end().end();
  code.open('block', 'listed').open('loop', 'list');
  code.get(i).get(count).op(Op.i32GeS).brIf('listed');
  loadRange(i);
  code.get(length).op(Op.i64Eqz).open('if').get(i).i32(1).op(Op.i32Add).set(i).br('list').end();
  code.get(n).i32(4).op(Op.i32Mul);
  inArea(orderAt);
  code.get(i).memory(Op.i32Store, 0);
  code.get(n).i32(1).op(Op.i32Add).set(n);
  code.get(address).get(lowest).op(Op.i64LtU).open('if').get(address).set(lowest).end();
  code.get(address).get(highest).op(Op.i64GtU).open('if').get(address).set(highest).end();
  code.get(address).get(previous).op(Op.i64LtU).open('if').i32(0).set(sorted).end();
  code.get(address).set(previous);
  // The page's bit: the top bits of its number times 2^64/φ (Fibonacci hashing).
  code.get(address).i64(BigInt(PAGE_SHIFT)).op(Op.i64ShrU).i64(-7046029254386353131n).op(Op.i64Mul);
  code.get(seenShift).op(Op.i64ShrU, Op.i32WrapI64).set(digit);
  code.get(digit).i32(3).op(Op.i32ShrU);
  inArea(seenAt);
  code.get(digit).i32(3).op(Op.i32ShrU);
  inArea(seenAt);
  code.memory(Op.i32Load8U, 0);
  code.i32(1).get(digit).i32(7).op(Op.i32And, Op.i32Shl, Op.i32Or);
  code.memory(Op.i32Store8, 0);
  code.get(i).i32(1).op(Op.i32Add).set(i).br('list');
  code.end().end();
  code.get(n).i32(2).op(Op.i32LtS).open('if').i32(0).op(Op.return).end();
  // Unsorted ranges mostly on pages of their own are not worth sorting: count the bits left unset.
  code.i32(0).set(k).i32(0).set(sum);
  code.open('block', 'tallied').open('loop', 'tally');
  code.get(k).get(bitmapBytes).op(Op.i32GeS).brIf('tallied');
  code.get(sum).get(k);
  inArea(seenAt);
  code.memory(Op.i64Load, 0).op(Op.i64Popcnt, Op.i32WrapI64, Op.i32Add).set(sum);
  code.get(k).i32(8).op(Op.i32Add).set(k).br('tally');
  code.end().end();
  code.get(sorted).op(Op.i32Eqz);
  code.get(bitmapBytes).i32(8).op(Op.i32Mul).get(sum).op(Op.i32Sub).get(leastUnseen).op(Op.i32LtS, Op.i32And);
  code.open('if').i32(0).op(Op.return).end();

  // 2. Sort by address: least significant digit first (DIGIT_BITS a pass, as many passes as the span needs); stable.
  code.get(orderAt).set(from).get(spareAt).set(to);
  code.get(sorted).op(Op.i32Eqz).open('if');
  code.open('block', 'sorted').open('loop', 'pass');
  code.get(highest).get(lowest).op(Op.i64Sub).get(shift).op(Op.i64ShrU, Op.i64Eqz).brIf('sorted');
  code.i32(0).set(digit);
  code.open('block', 'cleared').open('loop', 'clear');
  code.get(digit).i32(DIGITS).op(Op.i32GeS).brIf('cleared');
  code.get(digit).i32(4).op(Op.i32Mul);
  inArea(countsAt);
  code.i32(0).memory(Op.i32Store, 0);
  code.get(digit).i32(1).op(Op.i32Add).set(digit).br('clear');
  code.end().end();
  code.i32(0).set(k);
  code.open('block', 'counted').open('loop', 'count');
  code.get(k).get(n).op(Op.i32GeS).brIf('counted');
  digitOf(() => elementOf(from, k));
  code.get(digit).i32(4).op(Op.i32Mul);
  inArea(countsAt);
  code.get(digit).i32(4).op(Op.i32Mul);
  inArea(countsAt);
  code.memory(Op.i32Load, 0).i32(1).op(Op.i32Add);
  code.memory(Op.i32Store, 0);
  code.get(k).i32(1).op(Op.i32Add).set(k).br('count');
  code.end().end();
  code.i32(0).set(digit).i32(0).set(sum);
  code.open('block', 'summed').open('loop', 'sum');
  code.get(digit).i32(DIGITS).op(Op.i32GeS).brIf('summed');
  code.get(digit).i32(4).op(Op.i32Mul);
  inArea(countsAt);
  code.memory(Op.i32Load, 0).set(held);
  code.get(digit).i32(4).op(Op.i32Mul);
  inArea(countsAt);
  code.get(sum).memory(Op.i32Store, 0);
  code.get(sum).get(held).op(Op.i32Add).set(sum);
  code.get(digit).i32(1).op(Op.i32Add).set(digit).br('sum');
  code.end().end();
  code.i32(0).set(k);
  code.open('block', 'placed').open('loop', 'place');
  code.get(k).get(n).op(Op.i32GeS).brIf('placed');
  elementOf(from, k).set(i);
  digitOf(() => code.get(i));
  code.get(digit).i32(4).op(Op.i32Mul);
  inArea(countsAt);
  code.memory(Op.i32Load, 0).set(held);
  code.get(to).get(held).i32(4).op(Op.i32Mul, Op.i32Add).get(i).memory(Op.i32Store, 0);
  code.get(digit).i32(4).op(Op.i32Mul);
  inArea(countsAt);
  code.get(held).i32(1).op(Op.i32Add).memory(Op.i32Store, 0);
  code.get(k).i32(1).op(Op.i32Add).set(k).br('place');
  code.end().end();
  code.get(from).set(held).get(to).set(from).get(held).set(to);
  code.get(shift).i64(BigInt(DIGIT_BITS)).op(Op.i64Add).tee(shift).i64(64n).op(Op.i64GeU).brIf('sorted');
  code.br('pass');
  code.end().end();
  code.end();

  // 3. Walk the ranges by address: extend the open span by a range on its page (the gap to junk), else open a new one;
  //    a call ends when its local or remote iovecs would pass IOV_MAX.
  const closeSpan = () => {
    code.get(open).open('if');
    storeIovec(spansAt, spans, () => code.get(spanStart), () => code.get(spanEnd).get(spanStart).op(Op.i64Sub));
    code.get(expected).get(spanEnd).get(spanStart).op(Op.i64Sub, Op.i64Add).set(expected);
    code.i32(0).set(open);
    code.end();
  };
  // A call's entry (CALL_ENTRY bytes; SamePagePlanner.plan reads these fields by number, 0 to 6): its first local
  // iovec and their count, its first remote iovec and their count, where its ranges begin in the sorted order and
  // how many, and where that order lies.
  // `rangesEnd`: the position in the order where the call's ranges end.
  const endCall = (rangesEnd: () => void) => {
    const entry = () => code.get(calls).i32(CALL_ENTRY).op(Op.i32Mul).get(callsAt).op(Op.i32Add);
    entry().get(callLocals).memory(Op.i32Store, 0);
    entry().get(locals).get(callLocals).op(Op.i32Sub).memory(Op.i32Store, 4);
    entry().get(callSpans).memory(Op.i32Store, 8);
    entry().get(spans).get(callSpans).op(Op.i32Sub).memory(Op.i32Store, 12);
    entry().get(callRanges).memory(Op.i32Store, 16);
    entry();
    rangesEnd();
    code.get(callRanges).op(Op.i32Sub).memory(Op.i32Store, 20);
    entry().get(from).memory(Op.i32Store, 24);
    code.get(calls).i32(8).op(Op.i32Mul).get(expectedAt).op(Op.i32Add).get(expected).memory(Op.i64Store, 0);
    code.get(calls).i32(1).op(Op.i32Add).set(calls);
    code.get(locals).set(callLocals).get(spans).set(callSpans).i64(0n).set(expected);
    rangesEnd();
    code.set(callRanges);
  };
  const destination = () => code.get(base).get(i).i32(4).op(Op.i32Mul).get(offsetsAt).op(Op.i32Add).memory(Op.i32Load, 0).op(Op.i64ExtendI32U, Op.i64Add);
  code.i32(0).set(k);
  code.open('block', 'walked').open('loop', 'walk');
  code.get(k).get(n).op(Op.i32GeS).brIf('walked');
  elementOf(from, k).set(i);
  loadRange(i);
  code.get(k).i32(1).op(Op.i32Add).set(k);
  // On the open span's page, after its end, within MAX_GAP, with room for two local iovecs?
  code.get(open);
  code.get(address).get(spanEnd).op(Op.i64GeU, Op.i32And);
  code.get(address).i64(BigInt(PAGE_SHIFT)).op(Op.i64ShrU).get(spanEnd).i64(1n).op(Op.i64Sub).i64(BigInt(PAGE_SHIFT)).op(Op.i64ShrU, Op.i64Eq, Op.i32And);
  code.get(address).get(spanEnd).op(Op.i64Sub).i64(BigInt(MAX_GAP)).op(Op.i64LeU, Op.i32And);
  code.get(locals).get(callLocals).op(Op.i32Sub).i32(IOV_MAX - 1).op(Op.i32LtS, Op.i32And);
  code.open('if');
  code.get(address).get(spanEnd).op(Op.i64GtU).open('if');
  storeIovec(localAt, locals, () => code.get(junk), () => code.get(address).get(spanEnd).op(Op.i64Sub));
  code.end();
  storeIovec(localAt, locals, destination, () => code.get(length));
  code.get(address).get(length).op(Op.i64Add).set(spanEnd);
  code.br('walk');
  code.end();
  closeSpan();
  code.get(spans).get(callSpans).op(Op.i32Sub).i32(IOV_MAX).op(Op.i32Eq);
  code.get(locals).get(callLocals).op(Op.i32Sub).i32(IOV_MAX).op(Op.i32GeS, Op.i32Or);
  code.open('if');
  // The range at k - 1 starts the next call.
  endCall(() => code.get(k).i32(1).op(Op.i32Sub));
  code.end();
  code.i32(1).set(open).get(address).set(spanStart).get(address).get(length).op(Op.i64Add).set(spanEnd);
  storeIovec(localAt, locals, destination, () => code.get(length));
  code.br('walk');
  code.end().end();
  closeSpan();
  code.get(spans).get(callSpans).op(Op.i32GtS).open('if');
  endCall(() => code.get(n));
  code.end();
  code.get(calls);
  return code;
}
