// src/target/ranges.ts
function splitByRanges(ranges, from, to, inside, outside) {
  let at = from;
  for (const range of ranges) {
    if (range.end <= at || range.start >= to)
      continue;
    if (range.start > at)
      outside(at, range.start);
    const end = range.end < to ? range.end : to;
    inside(range.start > at ? range.start : at, end);
    at = end;
  }
  if (at < to)
    outside(at, to);
}
function firstEndingAfter(ranges, address) {
  let low = 0;
  let high = ranges.length;
  while (low < high) {
    const middle = low + high >> 1;
    if (ranges[middle].end <= address)
      low = middle + 1;
    else
      high = middle;
  }
  return low;
}
function joinRanges(ranges) {
  const joined = [];
  for (const range of [...ranges].sort((a, b) => a.start < b.start ? -1 : a.start > b.start ? 1 : 0)) {
    const last = joined[joined.length - 1];
    if (last !== undefined && last.end >= range.start)
      joined[joined.length - 1] = { start: last.start, end: last.end > range.end ? last.end : range.end };
    else
      joined.push({ start: range.start, end: range.end });
  }
  return joined;
}

export { splitByRanges, firstEndingAfter, joinRanges };
