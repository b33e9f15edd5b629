// The refusal explanation, one kernel rule at a time (docs/kernel.md §3). Yama is
// not built into this machine's kernel, so its rules are tested here only.
import { describe, expect, it } from 'vitest';
import { type AccessFacts, explainRefusal } from '../../src/target/access.ts';
import type { ProcessStatus } from '../../src/native/status.ts';

const user = (uid: number, overrides: Partial<ProcessStatus> = {}): ProcessStatus => ({
  name: 'app',
  state: 'S',
  pid: 4242,
  tgid: 4242,
  ppid: 1,
  tracerPid: 0,
  uid: [uid, uid, uid, uid],
  gid: [uid, uid, uid, uid],
  capEff: 0n,
  capPrm: 0n,
  residentBytes: 0,
  ...overrides,
});
const facts = (overrides: Partial<AccessFacts> = {}): AccessFacts => ({
  caller: user(1000, { name: 'pvm', pid: 100 }),
  target: user(1000),
  targetDumpable: true,
  yamaScope: undefined,
  targetIsDescendant: false,
  ...overrides,
});

describe('explainRefusal', () => {
  it('names a target of another user', () => {
    expect(explainRefusal(facts({ target: user(0) })).message).toBe('pid 4242 (app) runs as uid 0; you are uid 1000 without CAP_SYS_PTRACE');
  });

  it('names a target that is not dumpable', () => {
    expect(explainRefusal(facts({ targetDumpable: false })).message).toMatch(/^pid 4242 \(app\) is not dumpable/);
  });

  it('under Yama 1, names the rule for a target that is not a descendant, and how to allow it', () => {
    const refusal = explainRefusal(facts({ yamaScope: 1 }));
    expect(refusal.message).toBe('Yama ptrace_scope is 1: only an ancestor of pid 4242 (app), or a process it named with prctl(PR_SET_PTRACER), may read its memory');
    expect(refusal.hint).toContain('prctl(PR_SET_PTRACER');
  });

  it('under Yama 1, does not blame Yama for a descendant; then a security module is the remaining cause', () => {
    expect(explainRefusal(facts({ yamaScope: 1, targetIsDescendant: true })).message).toMatch(/security module/);
  });

  it('under Yama 2 and 3, names the scope', () => {
    expect(explainRefusal(facts({ yamaScope: 2 })).message).toMatch(/^Yama ptrace_scope is 2/);
    expect(explainRefusal(facts({ yamaScope: 3, caller: user(0, { capEff: 1n << 19n }) })).message).toMatch(/^Yama ptrace_scope is 3/);
  });
});

describe('explainRefusal, as a table of the kernel rules (docs/kernel.md §3)', () => {
  const PTRACE = 1n << 19n;
  it.each<[string, Partial<AccessFacts>, RegExp]>([
    ['another uid', { target: user(0) }, /runs as uid 0; you are uid 1000 without CAP_SYS_PTRACE/],
    ['another gid', { target: user(1000, { gid: [5, 5, 5, 5] }) }, /runs as gid 5; you are gid 1000 without CAP_SYS_PTRACE/],
    ['not dumpable', { targetDumpable: false }, /is not dumpable/],
    ['capabilities the caller lacks', { target: user(1000, { capPrm: 1n << 12n }) }, /holds capabilities that you lack \(CapPrm 1000\)/],
    ['Yama 0, all else allowed', { yamaScope: 0 }, /security module/],
    ['Yama 1, not a descendant', { yamaScope: 1 }, /^Yama ptrace_scope is 1/],
    ['Yama 1, a descendant', { yamaScope: 1, targetIsDescendant: true }, /security module/],
    ['Yama 2', { yamaScope: 2 }, /^Yama ptrace_scope is 2/],
    ['Yama 2 with CAP_SYS_PTRACE', { yamaScope: 2, caller: user(1000, { name: 'pvm', pid: 100, capEff: PTRACE }) }, /security module/],
    ['Yama 3, even with CAP_SYS_PTRACE', { yamaScope: 3, caller: user(0, { capEff: PTRACE }) }, /^Yama ptrace_scope is 3/],
    ['CAP_SYS_PTRACE over another uid', { target: user(0), caller: user(1000, { name: 'pvm', pid: 100, capEff: PTRACE }) }, /security module/],
  ])('%s', (_case, overrides, message) => {
    expect(explainRefusal(facts(overrides)).message).toMatch(message);
  });
});
