import {
  attempt,
  isFileMapping,
  readElfHeaders
} from "./main-96f73920.js";

// src/target/build-ids.ts
function moduleBuildIds(source, regions) {
  const seen = new Set;
  return regions.filter((r) => isFileMapping(r) && r.offset === 0n && r.perms.startsWith("r") && !seen.has(r.path) && seen.add(r.path) !== undefined).map((r) => ({
    path: r.path,
    buildId: attempt(() => readElfHeaders((offset, length) => {
      const [result] = source.read([{ address: r.start + BigInt(offset), length }]);
      return result.bytes.subarray(0, result.done);
    })?.buildId)
  }));
}

export { moduleBuildIds };
