// `pvm maps`: the target's regions as a table, or one JSON object per line.
import { describeRegion } from '../runtime/explain-fault.ts';
import { hexAddress } from '../bytes.ts';
import type { Region } from '../target/target.ts';

/** `unreadable(region)`: for a core, why some of a region's bytes cannot be read (its file cannot be used), shown after it. */
export function formatRegions(regions: readonly Region[], json: boolean, unreadable: (region: Region) => string | undefined = () => undefined): string {
  if (json) {
    return regions
      .map((r) => {
        const why = unreadable(r);
        return JSON.stringify({ type: 'region', start: hexAddress(r.start), end: hexAddress(r.end), perms: r.perms, offset: hexAddress(r.offset), path: r.path, deleted: r.deleted, ...(why === undefined ? {} : { unreadable: why }) });
      })
      .join('\n');
  }
  return regions.map((r) => {
    const why = unreadable(r);
    return why === undefined ? describeRegion(r) : `${describeRegion(r)}  (unreadable: ${why})`;
  }).join('\n');
}
