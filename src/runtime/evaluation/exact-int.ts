// Exact integers as compiled loops keep them: a JS number while the value is
// a safe integer (|n| < 2^53), a bigint beyond. One value has one form, so
// `===` compares values, and `<` works across the two forms. The operators
// themselves are the generated code's helpers (loops/js-kernel.ts, HELPERS).

export type ExactInt = number | bigint;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The form a value takes: a number when safe. */
export function exactInt(value: bigint): ExactInt {
  return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : value;
}

export function toBigInt(value: ExactInt): bigint {
  return typeof value === 'bigint' ? value : BigInt(value);
}
