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
  // jest's default is one worker per core but one (1 on this 2-core machine): the run was serial. Three on two
  // cores: the run is CPU-bound, but a worker waiting on a timeout (live-hardening's frozen server), psql or a CLI
  // child leaves a core idle that a third fills (cold runs in turns, 2 vs 3: 89.6 vs 83.7 s, 96.8 vs 91.9 s).
  // live-hardening's churn test lost its race under three workers once; its reader now has 20 attempts.
  maxWorkers: 3,
  testSequencer: '<rootDir>/test/support/sequencer.mjs',
  testTimeout: 120000,
  // Each test file's parse cache in a temp folder, never the user's ~/.cache (test/support/cache-home.ts).
  setupFilesAfterEnv: ['<rootDir>/test/support/cache-home.ts', '<rootDir>/test/support/wasm-tiering.ts'],
};
