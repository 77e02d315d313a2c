/**
 * jest globalTeardown: stops the run's PostgreSQL server (global-setup.mjs). On an external server
 * (SCHEMA_LINT_TEST_PG_URL) the template databases the files shared are dropped instead; each file drops its own.
 */
import pg from 'pg';
import { SHARED_SERVER_ENV } from './pg-server.mjs';

export default async function globalTeardown() {
  globalThis.schemaLintTestServer?.stop();
  globalThis.schemaLintTestServer = undefined;
  delete process.env[SHARED_SERVER_ENV];
  const external = process.env.SCHEMA_LINT_TEST_PG_URL;
  if (!external) return;
  const client = new pg.Client({ connectionString: external });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT datname FROM pg_database WHERE datname LIKE 'schema\\_lint\\_tpl\\_%'");
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
