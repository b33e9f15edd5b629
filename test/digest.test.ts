// The one hash pvm records (recipes, policies, journals, reports, dumps): the
// platform's SHA-256, and a recipe's digest computed only when it is read.
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { recipeIdentity, sha256, sha256Hex } from '../src/digest.ts';

it('hashes text as UTF-8 and bytes as they are, fed at once or in pieces', () => {
  const text = 'emit x = "é€😀"\n'.repeat(40);
  expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  expect(sha256Hex(text)).toBe(createHash('sha256').update(text).digest('hex'));
  const bytes = Uint8Array.from({ length: 5000 }, (_, i) => (i * 131 + 7) & 0xff);
  expect(sha256().update(bytes.subarray(0, 1000)).update(bytes.subarray(1000)).hex()).toBe(sha256Hex(bytes));
});

it("gives a recipe's name and digest, the digest as a property JSON carries, computed once when read", () => {
  const identity = recipeIdentity('r.pvm', 'print 1');
  expect(JSON.stringify(identity)).toBe(`{"name":"r.pvm","sha256":"${sha256Hex('print 1')}"}`);
  expect(identity).toEqual({ name: 'r.pvm', sha256: sha256Hex('print 1') });
  expect(identity.sha256).toBe(identity.sha256);
});
