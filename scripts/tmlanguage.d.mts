// Types of tmlanguage.mjs, for the TypeScript test that uses it.
export function contextual(language: { keywords: Iterable<string>; words: Iterable<string>; types: Iterable<string> }): string[];
export function tmLanguage(language: { keywords: Iterable<string>; words: Iterable<string>; escapes: Iterable<string>; types: Iterable<string>; builtins: Iterable<string> }): Record<string, unknown>;
