import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCommandLine, parseDuration } from '../../src/cli/args.ts';
import { COMMAND_OPTIONS, commandsUsage, type OptionName, OPTIONS, suggestOption, takes, usageText } from '../../src/cli/options.ts';
import { UsageError } from '../../src/errors.ts';
import { ROOT } from '../helpers/paths.ts';

type CommandKey = keyof typeof COMMAND_OPTIONS;

/** A command line for `command` that parses with its table's options alone, to which one more option is added. */
function lineFor(command: CommandKey, option: OptionName): string[] {
  const head: Record<CommandKey, string[]> = {
    run: ['run', 'r.pvm', '--pid', '1'],
    '-e': ['-e', 'print 1', '--pid', '1'],
    check: ['check', 'r.pvm'],
    plan: ['plan', 'r.pvm'],
    maps: ['maps', '--pid', '1'],
    snapshot: ['snapshot', '--pid', '1', '-o', 'out.core'],
    revert: ['revert', 'j.journal', '--allow-write'],
    status: ['status', 'j.journal'],
    repl: ['repl', '--pid', '1'],
    verify: ['verify', 'r.json'],
    types: ['types', 'libc.so.6', '--pid', '1'],
    diff: ['diff', 'a.core', 'b.core'],
    view: ['view', 'r.json', '-o', 'r.html'],
    lsp: ['lsp'],
  };
  const value: Partial<Record<OptionName, string>> = { pid: '2', match: 'name=x', jobs: '2', ready: 'loaded', then: 'wait', arg: 'a=1', only: '[heap]', e: 'print 1' };
  const given = OPTIONS[option].type === 'boolean' ? [`--${option}`] : [`--${option}`, value[option] ?? 'x'];
  return [...head[command], ...given];
}

function refusal(argv: string[]): string | undefined {
  try {
    parseCommandLine(argv);
    return undefined;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return error.message;
  }
}

describe('the table of options (src/cli/options.ts)', () => {
  it("is the README's usage block, the very text --help prints", () => {
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    const block = /## Use\n\n```\n\$ pvm --help\n([^]*?)```\n/.exec(readme)?.[1];
    expect(block).toBe(`${usageText()}\n`);
    expect(usageText()).toContain(commandsUsage().replace(/^/gm, '  '));
  });

  it('refuses exactly the options a command does not take, naming those that do', () => {
    const refusals: string[] = [];
    for (const command of Object.keys(COMMAND_OPTIONS) as CommandKey[]) {
      for (const option of Object.keys(OPTIONS) as OptionName[]) {
        if (option === 'help' || option === 'version' || option === 'e' || option === 'pid') continue; // --pid given twice is many targets
        const message = refusal(lineFor(command, option));
        const refused = message?.includes(`--${option} does not apply to`) === true || message?.endsWith('needs no target') === true;
        if (refused !== !takes(command, option)) refusals.push(`${command} --${option}: ${message ?? 'accepted'}`);
      }
    }
    expect(refusals).toEqual([]);
  });

  it('gives --policy to every command but plan, and --audit to every command that opens a target', () => {
    expect(refusal(['check', 'r.pvm', '--policy', 'p.json'])).toBeUndefined();
    expect(refusal(['status', 'j.journal', '--policy', 'p.json', '--audit', 'a.jsonl'])).toBeUndefined();
    expect(refusal(['repl', '--pid', '1', '--policy', 'p.json', '--audit', 'a.jsonl'])).toBeUndefined();
    expect(refusal(['plan', 'r.pvm', '--policy', 'p.json'])).toBe('--policy does not apply to pvm plan');
    expect(refusal(['check', 'r.pvm', '--audit', 'a.jsonl'])).toBe('--audit does not apply to pvm check');
    expect(refusal(['maps', '--pid', '1', '--allow-write'])).toBe('--allow-write does not apply to pvm maps');
  });

  it('suggests the option a mistyped one is closest to', () => {
    expect(suggestOption('--pdi')).toBe('--pid');
    expect(suggestOption('--alow-write')).toBe('--allow-write');
    expect(suggestOption('--jsno=1')).toBe('--json');
    expect(suggestOption('--zzzzzzzz')).toBeUndefined();
  });

  it('suggests, once the command is known, only the options it takes', () => {
    expect(suggestOption('--freez', 'snapshot')).toBe('--freeze');
    expect(suggestOption('--freez', 'check')).toBeUndefined();
    expect(suggestOption('--alow-write', 'revert')).toBe('--allow-write');
    expect(suggestOption('--alow-write', 'maps')).toBeUndefined();
    expect(suggestOption('--pdi', '-e')).toBe('--pid');
  });

  it('says -e takes the place of a command when one is given with it', () => {
    const refused = (argv: string[]) => {
      try {
        parseCommandLine(argv);
      } catch (error) {
        if (error instanceof UsageError) return { message: error.message, hint: error.hint };
        throw error;
      }
      return undefined;
    };
    expect(refused(['run', '-e', 'print 1', '--pid', '1'])).toEqual({ message: '-e takes the place of a command, not an option of pvm run', hint: "write pvm -e 'STATEMENTS' --pid N, without run" });
    expect(refused(['check', '-e', 'print 1'])).toEqual({ message: '-e takes the place of a command, not an option of pvm check', hint: 'pvm check takes a recipe file: pvm check RECIPE.pvm' });
  });

  it('gives a helper pvm the command line less the options that fan out (--jobs; for a run, --pid, --match and --follow too)', () => {
    expect(parseCommandLine(['status', 'fix.journal', '--jobs', '3', '--json'])).toMatchObject({ kind: 'status', jobs: 3, helperArgs: ['status', 'fix.journal', '--json'] });
    expect(parseCommandLine(['revert', 'fix.journal', '--jobs=2', '--allow-write'])).toMatchObject({ kind: 'revert', jobs: 2, helperArgs: ['revert', 'fix.journal', '--allow-write'] });
    expect(parseCommandLine(['-e', 'print 1', '--match', 'name=x', '--follow', '--json'])).toMatchObject({ kind: 'run-many', childArgs: ['-e', 'print 1', '--json'] });
    expect(parseCommandLine(['-e', 'print 1', '--pid', '1', '--pid', '2', '--report', 'r.json'])).toMatchObject({ kind: 'run-many', childArgs: ['-e', 'print 1', '--report', 'r.json'], run: { report: 'r.json' } });
  });
});

describe('--for DURATION', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['1.5m', 90_000],
    ['8h', 28_800_000],
    ['7d', 604_800_000],
    ['45', 45_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '0s', '-5s', '10 parsecs', '1e3s', '30d'])('%j is refused (30d is past what a timer holds)', (text) => {
    expect(() => parseDuration(text)).toThrow(UsageError);
  });

  it('is given to --follow, with --ready, and neither reaches the command each process gets', () => {
    const command = parseCommandLine(['-e', 'print 1', '--match', 'name=x', '--follow', '--for', '10m', '--ready', 'module:libc.so.6']);
    expect(command).toMatchObject({ kind: 'run-many', follow: { forMs: 600_000, ready: { kind: 'module', name: 'libc.so.6' } } });
    expect(command.kind === 'run-many' && command.childArgs).toEqual(['-e', 'print 1']);
  });
});

describe('a mistyped command', () => {
  it('gets the command one swap of neighbours away (lps: lsp, not maps)', () => {
    const hint = (word: string) => {
      try {
        parseCommandLine([word]);
      } catch (error) {
        return (error as UsageError).hint;
      }
      return undefined;
    };
    expect(hint('lps')).toMatch(/^did you mean 'lsp'\?/);
    expect(hint('mpas')).toMatch(/^did you mean 'maps'\?/);
    expect(hint('sanpshot')).toMatch(/^did you mean 'snapshot'\?/);
  });
});
