/**
 * Rule fixtures in PostgreSQL: each case is loaded with psql once per server, as a template database
 * (pg-cluster.ts), and every test that needs it gets its own copy — the fix round trip and the DDL/live agreement
 * read the same fixtures, and neither pays for loading them twice.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Cluster } from './pg-cluster.js';
import { repoRoot, type FixtureCase } from './fixtures.js';

/** The fixture's template: loaded file by file with `psql -v ON_ERROR_STOP=1`; a failing file names itself. */
export async function fixtureTemplate(cluster: Cluster, fixture: FixtureCase): Promise<string> {
  const content = createHash('sha256');
  for (const { file, text } of fixture.files) content.update(file).update('\0').update(text).update('\0');
  const { name } = await cluster.templateDatabase(`fixture:${fixture.ruleId}/${fixture.name}:${content.digest('hex')}`, async (db) => {
    for (const { file } of fixture.files) {
      try {
        await cluster.psqlFile(db, path.join(repoRoot, file));
      } catch (error) {
        throw new Error(`loading the fixture file ${file}: ${(error as Error).message}`, { cause: error });
      }
    }
    return null;
  });
  return name;
}

/** A new database `name` holding the fixture, as if its files had just been loaded; returns its superuser URL. */
export async function loadFixture(cluster: Cluster, fixture: FixtureCase, name: string): Promise<string> {
  return cluster.cloneDatabase(name, await fixtureTemplate(cluster, fixture));
}
