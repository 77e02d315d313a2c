/**
 * jest globalSetup: one PostgreSQL server for every live test file of the run (see pg-cluster.ts), so each file saves
 * an initdb and each fixture database is loaded once for all files. It runs in jest's own process, which stops the
 * server in globalTeardown (or, if jest dies, through the exit hook pg-server.mjs installs); workers inherit the
 * environment variable that says where it listens. Plain JavaScript: jest loads this module outside its ESM
 * TypeScript pipeline.
 */
import { SHARED_SERVER_ENV, startServer } from './pg-server.mjs';

export default async function globalSetup() {
  if (process.env.SCHEMA_LINT_TEST_PG_URL) return;
  try {
    const server = await startServer();
    const { host, port, superuser, password, bin, socketDir } = server;
    process.env[SHARED_SERVER_ENV] = JSON.stringify({ host, port, superuser, password, bin, socketDir });
    globalThis.schemaLintTestServer = server;
  } catch {
    // No server here: each live test file tries to start its own and reports why it cannot.
  }
}
