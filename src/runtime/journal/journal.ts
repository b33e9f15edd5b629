// The patch journal (`--journal FILE`, `pvm revert`): one JSON line per site
// written, appended and synced before the write, so a revert works even if
// pvm dies mid-patch. A site is named by the process (pid and start time, so
// a reused pid is not mistaken for it), its address, and, where the address
// lies in a file's mapping, the file, the offset and its build-id. Read back
// by journal-parse.ts (pvm status and revert only).
import { sha256Hex } from '../../digest.ts';
import { hexAddress, toHex } from '../../bytes.ts';

/** 2: each entry carries the sha256 of the rest of it, so a corrupted or cut entry is refused. */
export const JOURNAL_VERSION = 2;

export interface JournalEntry {
  readonly pid: number;
  readonly startTime: string | undefined;
  /** The process's program image (TargetIdentity.image): a process that exec'd since holds another. */
  readonly image?: string | undefined;
  readonly exe: string | undefined;
  /** `signer`: the fingerprint (`SHA256:…`) of the key that signed the recipe, when a policy's recipes.signers verified it. */
  readonly recipe: { readonly name: string; readonly sha256: string; readonly signer?: string | undefined };
  /** What wrote the site: a `patch` (with its name, if it has one) or a `write` statement; and its line in the recipe. */
  readonly statement: 'patch' | 'write';
  readonly patch: string | undefined;
  readonly line: number;
  readonly address: bigint;
  readonly module: { readonly path: string; readonly offset: bigint; readonly buildId: string | undefined } | undefined;
  readonly old: Uint8Array;
  readonly new: Uint8Array;
  /**
   * The site held `new` already when pvm came (a child forked from a patched process, or a patch made before
   * without this journal): nothing was written, and `old` is what the patch's `expect` says was there.
   */
  readonly alreadyApplied?: true | undefined;
}

export function journalLine(entry: JournalEntry): string {
  const body = JSON.stringify({
    journal: 'pvm',
    version: JOURNAL_VERSION,
    pid: entry.pid,
    startTime: entry.startTime ?? null,
    ...(entry.image === undefined ? {} : { image: entry.image }),
    exe: entry.exe ?? null,
    recipe: entry.recipe,
    statement: entry.statement,
    patch: entry.patch ?? null,
    line: entry.line,
    address: hexAddress(entry.address),
    module: entry.module === undefined ? null : { path: entry.module.path, offset: hexAddress(entry.module.offset), buildId: entry.module.buildId ?? null },
    old: toHex(entry.old),
    new: toHex(entry.new),
    ...(entry.alreadyApplied === true ? { alreadyApplied: true } : {}),
  });
  return `${body.slice(0, -1)},"sha256":"${entryDigest(body)}"}`;
}

/**
 * sha256 of an entry's JSON without its own digest: the canonical form is the one pvm wrote (fixed key order). A
 * checksum anyone can recompute: it detects a line corrupted or cut, not one rewritten on purpose (a journal is
 * input, like a recipe, which is why pvm revert needs --allow-write).
 */
export function entryDigest(body: string): string {
  return sha256Hex(body);
}

/** How every entry begins: where an entry glued onto a line cut short starts. */
export const ENTRY_START = '{"journal":"pvm",';
