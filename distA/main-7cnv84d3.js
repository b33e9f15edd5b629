import {
  hexAddress
} from "./main-96f73920.js";

// src/runtime/explain-fault.ts
function describeRegion(region) {
  const name = region.path === "" ? "(anonymous)" : region.path + (region.deleted ? " (deleted)" : "");
  return `${hexAddress(region.start)}-${hexAddress(region.end)} ${region.perms} ${name}`;
}
function explainFault(address, regions, space, access) {
  const region = regions.find((r) => r.start <= address && address < r.end);
  if (region !== undefined) {
    const verb = access === "r" ? "read" : "write";
    if (!region.perms.includes(access))
      return `${hexAddress(address)} in ${space} lies in ${describeRegion(region)}, which has no ${verb} permission`;
    return `${hexAddress(address)} in ${space} lies in ${describeRegion(region)}, but the kernel refused to ${verb} it (a device or guard mapping?)`;
  }
  let nearest;
  let distance;
  for (const r of regions) {
    const d = address < r.start ? r.start - address : address - r.end + 1n;
    if (distance === undefined || d < distance) {
      nearest = r;
      distance = d;
    }
  }
  const near = nearest === undefined ? "it has no mapped regions" : `nearest region: ${describeRegion(nearest)}`;
  return `${hexAddress(address)} is not mapped in ${space} (${near})`;
}

export { describeRegion, explainFault };
