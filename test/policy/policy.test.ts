// The policy as pure decisions on tables of cases, and the guard around an
// in-memory target (issue 11).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../../src/dsl/compile-source.ts';
import type { PvmError } from '../../src/errors.ts';
import { policyLimits } from '../../src/policy/apply.ts';
import { decideCode, decideFreeze, decideTarget, decideWriting, RegionRules } from '../../src/policy/decide.ts';
import type { TargetFacts } from '../../src/target/target-facts.ts';
import { type AuditEntry, guardSource } from '../../src/policy/guard.ts';
import { type LoadedPolicy, parsePolicy } from '../../src/policy/load.ts';
import { policyJsonSchema } from '../../src/policy/schema.ts';
import { checkPlanStatically } from '../../src/policy/static.ts';
import { execute } from '../../src/runtime/execute.ts';
import { type MemoryRegion, MemoryTarget } from '../../src/target/memory-target.ts';
import { ROOT } from '../helpers/paths.ts';

const policy = (json: unknown, path = 'policy.json'): LoadedPolicy => parsePolicy(path, JSON.stringify(json));
const problem = (text: string) => {
  try {
    parsePolicy('p.json', text);
  } catch (error) {
    return (error as Error).message;
  }
  return 'valid';
};

describe('policy files', () => {
  it.each([
    ['{"write":{"alow":true}}', 'p.json: write.alow: unknown key (did you mean allow?)'],
    ['{"targets":[{"exe":"/bin/x","uidd":3}]}', 'p.json: targets[0].uidd: unknown key (did you mean uid?)'],
    ['{"scan":{"maxHits":"10"}}', 'p.json: scan.maxHits: expected number'],
    ['{"read":{"deny":["stack"]}}', 'p.json: read.deny[0]: a region: module:NAME, symbol:MODULE:NAME, anon, [heap], [stack], or 0xSTART-0xEND'],
    ['[]', 'p.json: (top level): expected object'],
    ['{"write":', 'p.json is not JSON'],
  ])('%s is refused naming the JSON path', (text, message) => {
    expect(problem(text)).toContain(message);
  });

  it('accepts the example of docs/policy.md', () => {
    expect(
      problem(
        '{ "targets": [{ "exe": "/usr/sbin/nginx", "buildId": "571d98e0" }], "read": { "maxBytes": 1073741824, "deny": ["[stack]"] }, "write": { "allow": true, "regions": ["module:nginx", "[heap]"], "maxBytes": 4096, "code": false }, "scan": { "maxHits": 10000 } }',
      ),
    ).toBe('valid');
  });

  it('publishes the JSON Schema generated from the definition that validates', () => {
    const published = JSON.parse(readFileSync(`${ROOT}schema/policy.schema.json`, 'utf8'));
    expect(published).toEqual(JSON.parse(JSON.stringify(policyJsonSchema())));
  });
});

describe('targets', () => {
  const nginx: TargetFacts = { exe: '/usr/sbin/nginx', buildId: 'abcd', uid: 33, comm: 'nginx', cgroups: ['/system.slice/nginx.service'] };
  it.each([
    [{}, true],
    [{ targets: [{ exe: '/usr/sbin/nginx' }] }, true],
    [{ targets: [{ exe: '/usr/bin/redis' }] }, false],
    [{ targets: [{ buildId: 'abcd', uid: 33 }] }, true],
    [{ targets: [{ buildId: 'abcd', uid: 0 }] }, false],
    [{ targets: [{ comm: 'redis' }, { comm: 'nginx' }] }, true],
    [{ targets: [{ cgroup: '/system.slice' }] }, true],
    [{ targets: [{ cgroup: '/system.slice/nginx' }] }, false],
  ])('%j allows nginx: %s', (json, allowed) => {
    expect(decideTarget([policy(json)], nginx).allowed).toBe(allowed);
  });

  it('a user policy cannot widen the system policy: each must allow', () => {
    const system = policy({ targets: [{ comm: 'nginx' }] }, '/etc/pvm/policy.json');
    const user = policy({ targets: [{ comm: 'nginx' }, { comm: 'redis' }] }, 'mine.json');
    expect(decideTarget([system, user], nginx).allowed).toBe(true);
    const redis = decideTarget([system, user], { ...nginx, comm: 'redis' });
    expect(redis).toMatchObject({ allowed: false, rule: { file: '/etc/pvm/policy.json', path: 'targets' } });
  });
});

describe('regions, writes, code and freezing', () => {
  const regions = [
    { start: 0x1000n, end: 0x2000n, perms: 'r-xp', offset: 0n, path: '/usr/bin/app', deleted: false },
    { start: 0x2000n, end: 0x3000n, perms: 'rw-p', offset: 0x1000n, path: '/usr/bin/app', deleted: false },
    { start: 0x5000n, end: 0x6000n, perms: 'rw-p', offset: 0n, path: '[heap]', deleted: false },
    { start: 0x7000n, end: 0x8000n, perms: 'rw-p', offset: 0n, path: '', deleted: false },
    { start: 0x9000n, end: 0xa000n, perms: 'rw-p', offset: 0n, path: '[stack]', deleted: false },
  ];
  const context = { regions, symbol: (module: string, name: string) => (module === 'app' && name === 'key' ? { start: 0x2100n, end: 0x2110n } : undefined) };
  const rules = (json: unknown) => new RegionRules([policy(json)], context);

  it.each([
    [{ read: { deny: ['[stack]'] } }, 0x9010n, false],
    [{ read: { deny: ['[stack]'] } }, 0x5010n, true],
    [{ read: { allow: ['module:app', 'anon'] } }, 0x2010n, true],
    [{ read: { allow: ['module:app', 'anon'] } }, 0x7010n, true],
    [{ read: { allow: ['[heap]'] } }, 0x7010n, false],
    [{ read: { allow: ['symbol:app:key'] } }, 0x2104n, true],
    [{ read: { allow: ['symbol:app:key'] } }, 0x2110n, false],
    [{ read: { allow: ['0x5000-0x5100'] } }, 0x50f8n, true],
    [{ read: { allow: ['0x5000-0x5100'] } }, 0x50fcn, false],
  ])('%j: reading 8 bytes at %s allowed: %s', (json, address, allowed) => {
    expect(rules(json).read(address, address + 8n).allowed).toBe(allowed);
  });

  it('writes: only within write.regions; a range across two regions must be covered by both', () => {
    const r = rules({ write: { allow: true, regions: ['[heap]', 'module:app'] } });
    expect(r.write(0x5000n, 0x5008n).allowed).toBe(true);
    expect(r.write(0x7000n, 0x7008n)).toMatchObject({ allowed: false, rule: { path: 'write.regions', value: ['[heap]', 'module:app'] } });
    expect(r.write(0x1ffcn, 0x2004n).allowed).toBe(true);
  });

  it('writing, code and freezing need every policy to allow them', () => {
    expect(decideWriting([])).toMatchObject({ allowed: true });
    expect(decideWriting([policy({ write: { allow: true } })]).allowed).toBe(true);
    expect(decideWriting([policy({}), policy({ write: { allow: true } })])).toMatchObject({ allowed: false, rule: { path: 'write.allow', value: false } });
    expect(decideCode([policy({ write: { allow: true } })])).toMatchObject({ allowed: false, rule: { path: 'write.code' } });
    expect(decideFreeze([policy({})]).allowed).toBe(true);
    expect(decideFreeze([policy({ freeze: { allow: false } })]).allowed).toBe(false);
  });

  it('budgets: the tightest of the policies and the defaults', () => {
    const limits = policyLimits([policy({ run: { maxSteps: 500 }, scan: { maxHits: 3 } }), policy({ run: { maxSteps: 900 } }, 'other.json')]);
    expect(limits).toMatchObject({ steps: 500, scanHits: 3, rules: { steps: 'run.maxSteps 500 in policy.json', scanHits: 'scan.maxHits 3 in policy.json' } });
  });
});

describe('pvm check --policy', () => {
  const plan = compileSource({
    name: 'r.pvm',
    text: 'let k = read u32 at symbol("app", "key")\nwrite u32 at symbol("app", "key") = 1\nwrite u8 at 0x5000 = 2\npatch at symbol("app", "f") expect u8 0x90 with u8 0xc3',
  });

  it('denies every write when writing is not allowed, before any target', () => {
    const decisions = checkPlanStatically(plan, [policy({})], false);
    expect(decisions.filter((d) => d.verdict === 'denied').map((d) => d.loc.line)).toEqual([2, 3, 4]);
    expect(decisions[1]).toMatchObject({ what: 'write', rule: { path: 'write.allow', value: false } });
  });

  it('allows a write to a named symbol in write.regions, and leaves computed addresses and code to run time', () => {
    const decisions = checkPlanStatically(plan, [policy({ write: { allow: true, regions: ['module:app'] }, read: { deny: ['symbol:app:key'] } })], false);
    expect(decisions.map((d) => [d.loc.line, d.verdict])).toEqual([
      [1, 'denied'],
      [2, 'allowed'],
      [3, 'run time'],
      [4, 'run time'],
    ]);
  });

  it('denies a patch whose site the plan shows is in pages without write permission, when a policy does not say write.code: true', () => {
    const decide = (text: string, json: unknown = { write: { allow: true } }) => checkPlanStatically(compileSource({ name: 'r.pvm', text }), [policy(json)], false).map((d) => [d.loc.line, d.verdict, d.rule?.path]);
    const site = 'expect u8 0x90 with u8 0xc3';
    // A unique hit, an item of the hits, and the scan itself.
    expect(decide(`let f = scan hex"90" in module("app") perms "r-x" unique\npatch at f ${site}`)).toEqual([[2, 'denied', 'write.code']]);
    expect(decide(`let hits = scan hex"90" in all perms "--x"\npatch "p" {\n at 0x5000 expect u8 1 with u8 2\n at hits[1] ${site}\n}`)).toEqual([[2, 'denied', 'write.code']]);
    expect(decide(`patch at scan hex"90" in all perms "r-x" unique ${site}`)).toEqual([[1, 'denied', 'write.code']]);
    // Allowed with write.code; not certain where a scan may find writable pages, or the name may hold another address.
    expect(decide(`let f = scan hex"90" in all perms "r-x" unique\npatch at f ${site}`, { write: { allow: true, code: true } })).toEqual([[2, 'allowed', undefined]]);
    expect(decide(`let f = scan hex"90" in all perms "r?x" unique\npatch at f ${site}`)).toEqual([[2, 'run time', undefined]]);
    expect(decide(`let f = scan hex"90" in all perms "r-x" unique\nf = 0x5000\npatch at f ${site}`)).toEqual([[3, 'run time', undefined]]);
    expect(decide(`let f = scan hex"90" in all perms "r-x" unique\npatch at f + 1 ${site}`)).toEqual([[2, 'run time', undefined]]);
    expect(decide(`if 1 > 0 {\n let f = scan hex"90" in all perms "r-x" unique\n}\nif 2 > 0 {\n let f = 0x5000\n patch at f ${site}\n}`)).toEqual([[6, 'run time', undefined]]);
    const [denied] = checkPlanStatically(compileSource({ name: 'r.pvm', text: `let f = scan hex"90" in all perms "r-x" unique\npatch at f ${site}` }), [policy({ write: { allow: true } })], false);
    expect(denied!.why).toBe('the policy does not allow patching code, and a site is a hit of the scan at line 1, which looks only in pages without write permission: perms "r-x"');
  });
});

describe('the guard', () => {
  const page = (start: bigint, path: string, perms = 'rw-p'): MemoryRegion => ({ start, end: start + 0x1000n, perms, offset: 0n, path, deleted: false, bytes: new Uint8Array(0x1000).fill(7) });
  const memory = () => new MemoryTarget([page(0x10000n, '[heap]'), page(0x20000n, '[stack]'), page(0x30000n, '/bin/app', 'r-xp')], 'unit', new Map(), { pid: 77 });
  const run = (json: unknown, text: string) => {
    const audit: AuditEntry[] = [];
    const policies = [policy(json)];
    const target = guardSource(memory(), { policies, symbol: () => undefined, audit: (e) => audit.push(e) });
    const lines: string[] = [];
    let error: unknown;
    try {
      execute({
        plan: compileSource({ name: 'r.pvm', text }),
        target,
        params: new Map(),
        limits: policyLimits(policies),
        allowWrite: true,
        output: (e) => e.type === 'print' && lines.push(e.values.map((v) => String((v as { value: unknown }).value)).join(' ')),
      });
    } catch (caught) {
      error = caught;
    }
    return { lines, error: error as PvmError | undefined, audit };
  };

  it('denies a read where the policy says, naming the rule, the region and the recipe line (exit 3)', () => {
    const { error, audit } = run({ read: { deny: ['[stack]'] } }, 'print read u8 at 0x10000\nprint read u8 at 0x20008');
    expect(error).toMatchObject({ exit: 3, code: 'policy-denied' });
    expect(error!.message).toBe('denied: read of 1 byte at 0x20008-0x20009 ([stack]): the policy denies reading there — read.deny ["[stack]"] in policy.json');
    expect(error!.where).toBe('r.pvm:2:7');
    expect(audit[0]).toMatchObject({ op: 'read', allowed: true, start: 0x10000n });
    expect(audit).toContainEqual(expect.objectContaining({ op: 'read', allowed: false, start: 0x20008n, rule: expect.objectContaining({ path: 'read.deny' }) }));
  });

  it('scans leave denied regions out, and say why', () => {
    const { lines, error } = run({ read: { deny: ['[stack]'] } }, 'print len(scan hex"07 07" in all limit 10)');
    expect(error).toBeUndefined();
    expect(lines).toEqual(['10']);
  });

  it('refuses a patch of code without write.code, before anything is written', () => {
    const target = memory();
    const policies = [policy({ write: { allow: true } })];
    const guarded = guardSource(target, { policies, symbol: () => undefined });
    expect(() => execute({ plan: compileSource({ name: 'r.pvm', text: 'patch "p" {\n at 0x10000 expect u8 7 with u8 1\n at 0x30000 expect u8 7 with u8 0xc3\n}' }), target: guarded, params: new Map(), allowWrite: true, output: () => {} }))
      .toThrow(/denied: patch of code at 0x30000-0x30001 \(module:app\): the policy does not allow patching code — write\.code false in policy\.json/);
    expect(target.read([{ address: 0x10000n, length: 1 }])[0]!.bytes[0]).toBe(7); // the data site was not written either
  });

  it('stops a run at its step budget and at its write budget, naming the rule', () => {
    expect(run({ run: { maxSteps: 5 } }, 'for i in 0..10 { print i }').error!.message).toBe('the recipe ran more than 5 statements — run.maxSteps 5 in policy.json');
    expect(run({ write: { allow: true, maxBytes: 4 } }, 'write u64 at 0x10000 = 1').error!.message).toMatch(/^denied: writing more than 4 bytes: the run would write more than the policy allows — write\.maxBytes 4 in policy\.json/);
  });

  it('judges memory mapped after its rules were made by the map as it is (a deny of anon covers memory mapped since)', () => {
    // The map grows an anonymous page while the run goes on: the rules made from the first map must not let it through.
    const before = memory();
    const after = new MemoryTarget([page(0x10000n, '[heap]'), page(0x20000n, '[stack]'), page(0x30000n, '/bin/app', 'r-xp'), page(0x40000n, '')], 'unit', new Map(), { pid: 77 });
    const growing = growingMap(before, after);
    const guarded = guardSource(growing.target, { policies: [policy({ read: { deny: ['anon'] } })], symbol: () => undefined });
    expect(guarded.read([{ address: 0x30000n, length: 1 }])[0]!.fault).toBeUndefined();
    growing.grow();
    const [result] = guarded.read([{ address: 0x40000n, length: 1 }]);
    expect(result!.done).toBe(0);
    expect(String(result!.fault?.denied)).toContain('denied: read of 1 byte at 0x40000-0x40001 (anon): the policy denies reading there');
    expect(guarded.openScan().skip!(after.regions()[3]!)).toContain('denied by policy');
  });

  it('judges a range that runs from a known region into memory mapped since by the map as it is (its last byte, and the gaps it crosses)', () => {
    const secret = (start: bigint, end: bigint): MemoryRegion => ({ start, end, perms: 'r--p', offset: 0n, path: '/lib/secret.so', deleted: false, bytes: new Uint8Array(Number(end - start)).fill(9) });
    const before = memory();
    const after = new MemoryTarget([page(0x10000n, '[heap]'), secret(0x11000n, 0x12000n), page(0x20000n, '[stack]'), secret(0x21000n, 0x30000n), page(0x30000n, '/bin/app', 'r-xp')], 'unit', new Map(), { pid: 77 });
    const growing = growingMap(before, after);
    // A clock that stands still: within the 10 ms the rules are not made again unless a range asks for it.
    const guarded = guardSource(growing.target, { policies: [policy({ read: { deny: ['module:secret.so'] } })], symbol: () => undefined, now: () => 0 });
    growing.grow();
    const [into, across] = guarded.read([{ address: 0x10ff8n, length: 16 }, { address: 0x20ff8n, length: 0xf010 }]);
    expect(into!.done).toBe(0);
    expect(String(into!.fault?.denied)).toContain('denied: read of 16 bytes at 0x10ff8-0x11008 ([heap]): the policy denies reading there — read.deny ["module:secret.so"]');
    expect(across!.done).toBe(0);
    expect(String(across!.fault?.denied)).toContain('the policy denies reading there');
  });

  it('lists thread ids under read rules without a denial: reg() raises it, and only then is it audited', () => {
    const threads = [{ tid: 77, registers: new Array<bigint>(27).fill(0n) }];
    const audit: AuditEntry[] = [];
    const target = new MemoryTarget([page(0x10000n, '[heap]')], 'unit', new Map(), { pid: 77 }, { threads, readOnly: true });
    const guarded = guardSource(target, { policies: [policy({ read: { deny: ['[stack]'] } })], symbol: () => undefined, audit: (e) => audit.push(e) });
    const recipe = (text: string) => () => execute({ plan: compileSource({ name: 'r.pvm', text }), target: guarded, params: new Map(), output: () => {} });
    recipe('print len(threads())')();
    expect(audit.filter((e) => !e.allowed)).toEqual([]);
    expect(recipe('print reg(threads()[0], "rip")')).toThrow(/^denied: reading registers: registers hold copies of memory/);
    expect(audit.filter((e) => !e.allowed)).toEqual([expect.objectContaining({ op: 'read', rule: expect.objectContaining({ path: 'read.registers' }) })]);
  });

  it('caps scan hits at scan.maxHits', () => {
    expect(run({ scan: { maxHits: 3 } }, 'print len(scan hex"07" in all)').error!.message).toBe('the scan found more than 3 matches — scan.maxHits 3 in policy.json');
    expect(run({ scan: { maxHits: 3 } }, 'print len(scan hex"07" in all limit 2)').lines).toEqual(['2']);
  });
});

/** `after`, whose map reads as `before`'s until `grow()`: memory mapped while a run goes on. */
function growingMap(before: MemoryTarget, after: MemoryTarget): { target: MemoryTarget; grow(): void } {
  let grown = false;
  const target = new Proxy(after, {
    get(inner, property) {
      if (property === 'regions') return () => (grown ? after : before).regions();
      const value = Reflect.get(inner, property);
      return typeof value === 'function' ? value.bind(inner) : value;
    },
  });
  return { target, grow: () => void (grown = true) };
}
