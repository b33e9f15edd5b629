// The version pvm reports (`pvm --version`, reports); kept equal to package.json by a test.
export const VERSION = '0.1.0';
