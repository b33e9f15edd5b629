// src/plan/pattern.ts
var MAX_PATTERN_SPAN = 1 << 16;
function literalPattern(bytes) {
  return { tokens: [...bytes].map((value) => ({ t: "byte", value, mask: 255, not: false })) };
}
function concreteBytes(pattern) {
  const bytes = [];
  for (const token of pattern.tokens) {
    if (token.t !== "byte" || token.mask !== 255 || token.not)
      return;
    bytes.push(token.value);
  }
  return Uint8Array.from(bytes);
}
function patternLength(tokens) {
  let min = 0;
  let max = 0;
  for (const token of tokens) {
    if (token.t === "byte") {
      min += 1;
      max += 1;
    } else if (token.t === "jump") {
      min += token.min;
      max += token.max;
    } else {
      const lengths = token.options.map(patternLength);
      min += Math.min(...lengths.map((l) => l.min));
      max += Math.max(...lengths.map((l) => l.max));
    }
  }
  return { min, max };
}
function formatPattern(tokens) {
  return tokens.map((token) => {
    if (token.t === "jump")
      return token.min === token.max ? `[${token.min}]` : `[${token.min}-${token.max}]`;
    if (token.t === "alt")
      return `( ${token.options.map(formatPattern).join(" | ")} )`;
    const nibble = (shift) => token.mask >> shift & 15 ? (token.value >> shift & 15).toString(16) : "?";
    return `${token.not ? "~" : ""}${nibble(4)}${nibble(0)}`;
  }).join(" ");
}

// src/plan/arithmetic.ts
function resultKind(operator, left, right) {
  if (left === "ptr" && right === "ptr")
    return operator === "-" ? "int" : "ptr";
  if (left === "ptr" || right === "ptr")
    return operator === "*" || operator === "/" || operator === "%" ? "int" : "ptr";
  return "int";
}
function integerRange(type) {
  const bits = BigInt(type.size * 8);
  return type.signed ? { min: -(1n << bits - 1n), max: (1n << bits - 1n) - 1n } : { min: 0n, max: (1n << bits) - 1n };
}
var MAX_SHIFT = 1024n;
var INTEGER_BITS = 128n;
var INTEGER_LIMIT = 1n << INTEGER_BITS;
function integerOperation(operator, a, b) {
  if (operator === "<<" && b >= 0n && b <= MAX_SHIFT && a !== 0n && bitLength(a) + Number(b) > Number(INTEGER_BITS))
    return "overflow";
  const result = exact(operator, a, b);
  if (typeof result === "bigint" && (result >= INTEGER_LIMIT || result <= -INTEGER_LIMIT))
    return "overflow";
  return result;
}
function bitLength(n) {
  return (n < 0n ? -n : n).toString(2).length;
}
function exact(operator, a, b) {
  switch (operator) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
    case "%":
      if (b === 0n)
        return "division-by-zero";
      return operator === "/" ? a / b : a % b;
    case "<<":
    case ">>":
      if (b < 0n || b > MAX_SHIFT)
        return "bad-shift";
      return operator === "<<" ? a << b : a >> b;
    case "&":
      return a & b;
    case "|":
      return a | b;
    case "^":
      return a ^ b;
  }
}

export { MAX_PATTERN_SPAN, literalPattern, concreteBytes, patternLength, formatPattern, resultKind, integerRange, MAX_SHIFT, INTEGER_BITS, integerOperation };
