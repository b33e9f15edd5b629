// Types of tmlanguage.mjs, for the TypeScript test that uses it.
export const CONTEXTUAL: readonly string[];
export function tmLanguage(language: { keywords: Iterable<string>; escapes: Iterable<string>; types: Iterable<string>; builtins: Iterable<string> }): Record<string, unknown>;
