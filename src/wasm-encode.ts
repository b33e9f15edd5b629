// The little of the WebAssembly binary format that compiled loops need
// (runtime/loops/wasm-kernel.ts): a module of functions over one memory of its own, i32 and
// i64 values, structured control. Instructions are written as bytes; labels
// are named, so that a branch says where it goes, not how deep it is.

export const I32 = 0x7f;
export const I64 = 0x7e;
export type ValueType = typeof I32 | typeof I64;

/** Opcodes used by the generator (names as in the WebAssembly text format). */
export const Op = {
  return: 0x0f,
  drop: 0x1a,
  select: 0x1b,
  i32Load: 0x28,
  i64Load: 0x29,
  i64Load8S: 0x30,
  i64Load8U: 0x31,
  i64Load16S: 0x32,
  i64Load16U: 0x33,
  i64Load32S: 0x34,
  i64Load32U: 0x35,
  i32Load8U: 0x2d,
  i32Store: 0x36,
  i64Store: 0x37,
  i32Store8: 0x3a,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GtS: 0x4a,
  i32GeS: 0x4e,
  i64Eqz: 0x50,
  i64Eq: 0x51,
  i64Ne: 0x52,
  i64LtS: 0x53,
  i64LtU: 0x54,
  i64GtS: 0x55,
  i64GtU: 0x56,
  i64LeS: 0x57,
  i64LeU: 0x58,
  i64GeS: 0x59,
  i64GeU: 0x5a,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Or: 0x72,
  i32Shl: 0x74,
  i32ShrU: 0x76,
  i64Popcnt: 0x7b,
  i64Add: 0x7c,
  i64Sub: 0x7d,
  i64Mul: 0x7e,
  i64DivS: 0x7f,
  i64RemS: 0x81,
  i64And: 0x83,
  i64Or: 0x84,
  i64Xor: 0x85,
  i64Shl: 0x86,
  i64ShrS: 0x87,
  i64ShrU: 0x88,
  i32WrapI64: 0xa7,
  i64ExtendI32U: 0xad,
} as const;

/** A function's code: its locals, and instructions appended one by one. */
export class FunctionCode {
  readonly params: readonly ValueType[];
  readonly result: ValueType;
  readonly #locals: ValueType[] = [];
  readonly #bytes: number[] = [];
  /** Open blocks, loops and ifs, innermost last, by label. */
  readonly #labels: (string | undefined)[] = [];

  constructor(params: readonly ValueType[], result: ValueType) {
    this.params = params;
    this.result = result;
  }

  /** Locals given back (`free`), by type, for `temp` to hand out again. */
  readonly #free = new Map<ValueType, number[]>([[I32, []], [I64, []]]);

  /** A new local of this type: its index. */
  local(type: ValueType): number {
    this.#locals.push(type);
    return this.params.length + this.#locals.length - 1;
  }

  /** A local for a while (engines allow 50 000 locals a function: a long body reuses them), given back with `free`. */
  temp(type: ValueType): number {
    return this.#free.get(type)!.pop() ?? this.local(type);
  }

  free(type: ValueType, ...locals: number[]): void {
    this.#free.get(type)!.push(...locals);
  }

  op(...opcodes: number[]): this {
    this.#bytes.push(...opcodes);
    return this;
  }

  i32(value: number): this {
    this.#bytes.push(0x41, ...signedLeb(BigInt(value)));
    return this;
  }

  i64(value: bigint): this {
    this.#bytes.push(0x42, ...signedLeb(value));
    return this;
  }

  get(local: number): this {
    this.#bytes.push(0x20, ...unsignedLeb(local));
    return this;
  }

  set(local: number): this {
    this.#bytes.push(0x21, ...unsignedLeb(local));
    return this;
  }

  tee(local: number): this {
    this.#bytes.push(0x22, ...unsignedLeb(local));
    return this;
  }

  /** A load or store at the address on the stack plus a constant offset. */
  memory(opcode: number, offset: number): this {
    this.#bytes.push(opcode, 0, ...unsignedLeb(offset)); // alignment hint 1: any address is valid
    return this;
  }

  /** `block`, `loop` or `if` (value: the if's result type, else none), opened under `label`. */
  open(kind: 'block' | 'loop' | 'if', label?: string, value?: ValueType): this {
    this.#bytes.push(kind === 'block' ? 0x02 : kind === 'loop' ? 0x03 : 0x04, value ?? 0x40);
    this.#labels.push(label);
    return this;
  }

  else(): this {
    this.#bytes.push(0x05);
    return this;
  }

  end(): this {
    this.#bytes.push(0x0b);
    this.#labels.pop();
    return this;
  }

  /** Calls function `index` (imports come first). */
  call(index: number): this {
    this.#bytes.push(0x10, ...unsignedLeb(index));
    return this;
  }

  br(label: string): this {
    this.#bytes.push(0x0c, ...unsignedLeb(this.#depth(label)));
    return this;
  }

  brIf(label: string): this {
    this.#bytes.push(0x0d, ...unsignedLeb(this.#depth(label)));
    return this;
  }

  #depth(label: string): number {
    const at = this.#labels.lastIndexOf(label);
    if (at < 0) throw new Error(`wasm: no open label ${label}`);
    return this.#labels.length - 1 - at;
  }

  /** The function body as the code section holds it. */
  encode(): number[] {
    if (this.#labels.length > 0) throw new Error('wasm: a block is still open');
    const groups: [number, ValueType][] = [];
    for (const type of this.#locals) {
      const last = groups.at(-1);
      if (last !== undefined && last[1] === type) last[0]++;
      else groups.push([1, type]);
    }
    const body: number[] = [];
    append(body, unsignedLeb(groups.length));
    for (const [n, type] of groups) append(body, [...unsignedLeb(n), type]);
    append(body, this.#bytes);
    body.push(0x0b);
    const encoded = unsignedLeb(body.length);
    append(encoded, body);
    return encoded;
  }
}

/** A function the module imports (`module.name`), taking these parameters and returning nothing: called as function `index` in the order given. */
export interface Import {
  readonly module: string;
  readonly name: string;
  readonly params: readonly ValueType[];
}

/** A module of exported functions over one exported memory ("memory") of `pages` 64 KiB pages (`growable`: at first), importing `imports`. */
export function encodeModule(
  functions: readonly { readonly name: string; readonly code: FunctionCode }[],
  pages: number,
  imports: readonly Import[] = [],
  options: { readonly growable?: boolean } = {},
): Uint8Array {
  // Appended a byte at a time: spreading arrays of a large body's hundreds of thousands of bytes took most of the time.
  const section = (id: number, content: number[]) => {
    const bytes = [id, ...unsignedLeb(content.length)];
    append(bytes, content);
    return bytes;
  };
  const vector = (items: number[][]) => {
    const bytes = unsignedLeb(items.length);
    for (const item of items) append(bytes, item);
    return bytes;
  };
  const name = (text: string) => [...unsignedLeb(text.length), ...new TextEncoder().encode(text)];
  const types = [
    ...imports.map(({ params }) => [0x60, ...unsignedLeb(params.length), ...params, 0]),
    ...functions.map(({ code }) => [0x60, ...unsignedLeb(code.params.length), ...code.params, 1, code.result]),
  ];
  const defined = (i: number) => imports.length + i;
  const parts = [
    [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    section(1, vector(types)),
    imports.length === 0 ? [] : section(2, vector(imports.map((imported, i) => [...name(imported.module), ...name(imported.name), 0x00, ...unsignedLeb(i)]))),
    section(3, vector(functions.map((_, i) => unsignedLeb(defined(i))))),
    // A memory of `pages` that never grows (limits flag 1: a maximum), or that the embedder may grow (flag 0).
    section(5, vector([options.growable === true ? [0x00, ...unsignedLeb(pages)] : [0x01, ...unsignedLeb(pages), ...unsignedLeb(pages)]])),
    section(7, vector([[...name('memory'), 0x02, 0], ...functions.map((f, i) => [...name(f.name), 0x00, ...unsignedLeb(defined(i))])])),
    section(10, vector(functions.map(({ code }) => code.encode()))),
  ];
  const module = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    module.set(part, at);
    at += part.length;
  }
  return module;
}

function append(to: number[], bytes: readonly number[]): void {
  for (let i = 0; i < bytes.length; i++) to.push(bytes[i]!);
}

function unsignedLeb(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

function signedLeb(value: bigint): number[] {
  const bytes: number[] = [];
  for (;;) {
    const byte = Number(value & 0x7fn);
    value >>= 7n;
    const done = (value === 0n && (byte & 0x40) === 0) || (value === -1n && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}
