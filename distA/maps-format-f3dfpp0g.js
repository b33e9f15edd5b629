import {
  describeRegion
} from "./main-7cnv84d3.js";
import {
  hexAddress
} from "./main-96f73920.js";

// src/cli/maps-format.ts
function formatRegions(regions, json) {
  if (json) {
    return regions.map((r) => JSON.stringify({ type: "region", start: hexAddress(r.start), end: hexAddress(r.end), perms: r.perms, offset: hexAddress(r.offset), path: r.path, deleted: r.deleted })).join(`
`);
  }
  return regions.map(describeRegion).join(`
`);
}
export {
  formatRegions
};
