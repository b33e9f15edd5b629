// `pvm maps`: the target's regions as a table, or one JSON object per line.
import { describeRegion } from '../runtime/explain-fault.ts';
import { hexAddress } from '../runtime/value.ts';
import type { Region } from '../target/target.ts';

export function formatRegions(regions: readonly Region[], json: boolean): string {
  if (json) {
    return regions
      .map((r) => JSON.stringify({ type: 'region', start: hexAddress(r.start), end: hexAddress(r.end), perms: r.perms, offset: hexAddress(r.offset), path: r.path, deleted: r.deleted }))
      .join('\n');
  }
  return regions.map(describeRegion).join('\n');
}
