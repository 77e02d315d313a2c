/** ESM throughout: the sources are ESM (NodeNext), tests import them as .js; esbuild strips the types. */
export default {
  extensionsToTreatAsEsm: ['.ts'],
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': '<rootDir>/test/support/esbuild-transform.mjs' },
  // One PostgreSQL server for every live test file of the run (test/support/pg-cluster.ts).
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  // jest's default is one worker per core but one (1 on this 2-core machine): the run was serial. Most files spend
  // their time waiting on PostgreSQL, psql or a CLI child process. Two, not three: with three, live-hardening's
  // churn test (a reader racing sessions that drop tables) lost the race twice under load.
  maxWorkers: 2,
  testSequencer: '<rootDir>/test/support/sequencer.mjs',
  testTimeout: 120000,
  // Each test file's parse cache in a temp folder, never the user's ~/.cache (test/support/cache-home.ts).
  setupFilesAfterEnv: ['<rootDir>/test/support/cache-home.ts', '<rootDir>/test/support/wasm-tiering.ts'],
};
