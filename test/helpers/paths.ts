import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BUILD_DIR = `${ROOT}test/.build`;
export const FIXTURE_SOURCE = `${ROOT}test/fixture/target.c`;
export const FIXTURE_BINARY = `${BUILD_DIR}/target`;
