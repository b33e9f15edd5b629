// Which target a recipe is read against in an editor: its first line's
// `# pvm: …`, else the client's initialization options, read by the command
// line's own parser; never a program to start.
import { describe, expect, it } from 'vitest';
import { targetConfig } from '../../src/lsp/target-config.ts';

describe('the target of a recipe in an editor', () => {
  it('is named by the first line, relative paths beside the recipe', () => {
    expect(targetConfig('# pvm: --pid 4242\nprint 1', '/r/a.pvm', undefined)).toEqual({ spec: { kind: 'pid', pid: 4242 }, text: '--pid 4242', policy: undefined });
    expect(targetConfig('#pvm: --name nginx', undefined, undefined)).toMatchObject({ spec: { kind: 'name', name: 'nginx' } });
    expect(targetConfig('# pvm: --core app.core --policy p.json\n', '/r/a.pvm', undefined)).toEqual({
      spec: { kind: 'core', path: '/r/app.core', snapshot: false },
      text: '--core app.core --policy p.json',
      policy: '/r/p.json',
    });
    expect(targetConfig('# pvm: --snapshot "my app.snapshot"\r\n', '/r/a.pvm', undefined)).toMatchObject({ spec: { kind: 'core', path: '/r/my app.snapshot', snapshot: true } });
  });

  it('else by the initialization options; the first line wins', () => {
    expect(targetConfig('print 1', undefined, { target: '--pid 7' })).toMatchObject({ spec: { kind: 'pid', pid: 7 } });
    expect(targetConfig('print 1', undefined, { pid: 7 })).toMatchObject({ spec: { kind: 'pid', pid: 7 } });
    expect(targetConfig('print 1', undefined, { core: '/x/a b.core' })).toMatchObject({ spec: { kind: 'core', path: '/x/a b.core' } });
    expect(targetConfig('# pvm: --pid 8\n', undefined, { pid: 7 })).toMatchObject({ spec: { kind: 'pid', pid: 8 } });
    // The client may turn the comment off: a recipe opened does not choose what the editor reads.
    expect(targetConfig('# pvm: --pid 8\n', undefined, { pid: 7, targetComment: false })).toMatchObject({ spec: { kind: 'pid', pid: 7 } });
    expect(targetConfig('# pvm: --pid 8\n', undefined, { targetComment: false })).toBeUndefined();
    for (const none of [undefined, null, {}, { target: '' }, { target: 3 }, 'x']) expect(targetConfig('print 1', undefined, none)).toBeUndefined();
    // A comment further down, or one that is not pvm's, names nothing.
    expect(targetConfig('print 1\n# pvm: --pid 4', undefined, undefined)).toBeUndefined();
    expect(targetConfig('# --pid 4', undefined, undefined)).toBeUndefined();
  });

  it('refuses what is not one target already there, saying why and how', () => {
    const problem = (text: string) => targetConfig(text, undefined, undefined) as { message: string; hint: string | undefined };
    expect(problem('# pvm: -- ./server').hint).toContain('never starts a program');
    expect(problem('# pvm: --pid 1 --audit a.log').message).toBe("'--audit' does not name a target");
    expect(problem('# pvm: --pdi 4').message).toContain('--pdi');
    expect(problem('# pvm: --pid 1 --pid 2').message).toContain('the target');
    expect(problem('# pvm: --pid').message).toContain('--pid');
    expect(problem('# pvm: --core "open').message).toContain('quote');
    expect(problem('# pvm:').message).toContain('names no target');
    // An unsaved recipe has no directory for a relative path to be in (not the server's, whatever it is).
    expect(problem('# pvm: --core app.core')).toMatchObject({ message: "the target '--core app.core' names 'app.core' beside the recipe, which is not saved yet", hint: expect.stringContaining('save the recipe') });
    expect(problem('# pvm: --pid 4 --policy p.json').message).toContain("'p.json'");
    expect(targetConfig('# pvm: --core /x/app.core', undefined, undefined)).toMatchObject({ spec: { kind: 'core', path: '/x/app.core' } });
  });
});
