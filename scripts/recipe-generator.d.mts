// Types of recipe-generator.mjs, for the TypeScript tests that use it.
export interface Random {
  (): number;
  int(n: number): number;
  pick<T>(list: readonly T[]): T;
}
export function random(seed: number): Random;
export function recipeGenerator(next: Random, addresses: readonly string[]): (depth: number, count: number) => string;
