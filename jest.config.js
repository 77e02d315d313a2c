/** ts-jest in ESM mode: the sources are ESM (NodeNext), tests import them as .js. */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.test.json' }] },
  testTimeout: 120000,
  // Each test file's parse cache in a temp folder, never the user's ~/.cache (test/support/cache-home.ts).
  setupFilesAfterEnv: ['<rootDir>/test/support/cache-home.ts'],
};
