// Reports read back (src/cli/report-file.ts): a report of many processes is
// checked section by section, and a reader of one report refuses it, naming
// what it is.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAnyReportFile, readReportFile } from '../../src/cli/report-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'pvm-report-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const results = {
  recipe: { name: '<-e>', sha256: 'ab' },
  args: {},
  target: { kind: 'process', pid: 7, name: 'app', exe: null, cmdline: [], startTime: null, modules: [], mapsSha256: 'cd' },
  events: [],
  reads: [],
  exit: 0,
  error: null,
};
const refuse = (why: string) => new Error(why);

function file(document: unknown): string {
  const path = join(dir, `${Math.random()}.json`);
  writeFileSync(path, JSON.stringify({ format: 'pvm-report', version: 1, run: {}, ...(document as object) }));
  return path;
}

describe('a report of many processes read back', () => {
  it('gives its sections in order: results, or none with the exit and error', () => {
    const path = file({ processes: [{ pid: 7, results }, { pid: 9, results: null, exit: 4, error: { code: 'no-such-process', message: 'gone' } }], exit: 4 });
    expect(readAnyReportFile(path, refuse).sections).toEqual([{ pid: 7, results }, { pid: 9, results: null, exit: 4, error: { code: 'no-such-process', message: 'gone' } }]);
  });

  it('names the field of the wrong type in a section', () => {
    const path = file({ processes: [{ pid: 7, results: { ...results, exit: 'zero' } }], exit: 0 });
    expect(() => readAnyReportFile(path, refuse)).toThrow('processes.0.results.exit: ');
  });

  it('is refused, saying what it is, where a report of one process is read', () => {
    const path = file({ processes: [{ pid: 7, results }], exit: 0 });
    expect(() => readReportFile(path, refuse)).toThrow('it is a report of 1 process (pvm run --match or several --pid), and this reads a report of one');
  });

  it('a report of one process reads as before', () => {
    const report = readAnyReportFile(file({ results }), refuse);
    expect(report.results).toEqual(results);
    expect(report.sections).toBeUndefined();
  });
});
