/**
 * Acceptance on real schemas (issue 10): for every corpus entry, the fix-up script — written from the DDL files, and
 * written from the live database — is applied to a fresh load of the entry as a DBA would
 * (`psql -v ON_ERROR_STOP=1 -f`). Afterwards: no INVALID index that was not there before, every `safe` finding the
 * script fixes is gone, no finding appears that was not there, a second run succeeds, and each new partition has what
 * most of its siblings declared. The DDL-mode script is checked on entries that load without errors (a schema
 * PostgreSQL only partly loads, such as postgrest without PostGIS, is not the schema the files describe).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { siblingExtras } from '../rules/partition-coverage/siblings.js';
import type { Finding } from '../src/engine/types.js';
import { renderFixScript } from '../src/fix/script.js';
import { indexesOf } from '../src/model/model.js';
import type { SchemaModel, Table } from '../src/model/types.js';
import { loadParser } from '../src/sql/parser.js';
import { readCatalog } from '../src/sources/catalog/read-catalog.js';
import { corpusEntries, corpusSources, corpusTemplate, type CorpusEntry } from './support/corpus.js';
import { ddlModel, lintModel } from './support/lint.js';
import { releaseCluster, sharedCluster, type Cluster } from './support/pg-cluster.js';

const NOW = new Date('2026-12-01T00:00:00Z');
let cluster: Cluster;
let dir: string;

beforeAll(async () => {
  await loadParser();
  cluster = await sharedCluster();
  dir = mkdtempSync(path.join(tmpdir(), 'schema-lint-acceptance-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await releaseCluster();
});

const lint = (model: SchemaModel, live: boolean): Finding[] => lintModel(model, { now: NOW, live });

async function invalidIndexes(db: string): Promise<string[]> {
  const rows = await cluster.query<{ name: string }>(
    db,
    `SELECT i.indexrelid::regclass::text AS name FROM pg_index i WHERE NOT i.indisvalid ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

/** New partitions have at least as many own constraints, indexes and triggers as most siblings declared. */
function partitionShortfalls(before: SchemaModel, after: SchemaModel): string[] {
  const problems: string[] = [];
  for (const parent of before.tables.values()) {
    if (parent.kind !== 'partitioned' || parent.partitionOf) continue;
    const siblings = parent.partitions.map((key) => before.tables.get(key)).filter((t): t is Table => t !== undefined);
    const extras = siblingExtras(before, parent, siblings);
    const inline = extras.inline('new_partition').length;
    const others = extras.after('new_partition').length;
    const afterParent = after.tables.get(`${parent.schema}.${parent.name}`);
    for (const key of afterParent?.partitions ?? []) {
      if (parent.partitions.includes(key)) continue;
      const partition = after.tables.get(key)!;
      const own = partition.constraints.filter((c) => !c.inheritedFrom && (c.kind === 'foreign' || c.kind === 'check')).length;
      const ownOthers = indexesOf(after, partition).filter((i) => !i.parent && !i.constraint).length + partition.triggers.filter((t) => !t.inherited).length;
      if (own < inline || ownOthers < others) problems.push(`${key}: ${own}/${inline} constraints, ${ownOthers}/${others} indexes and triggers`);
    }
  }
  return problems;
}

async function roundTrip(entry: CorpusEntry, mode: 'ddl' | 'live'): Promise<void> {
  const db = `accept_${mode}_${entry.name.replace(/\W/g, '_')}`;
  // A fresh copy of the entry as loaded once for the whole run (the DDL-mode and live-mode scripts each get one).
  const { name: template, loadErrors } = await corpusTemplate(cluster, entry);
  const url = await cluster.cloneDatabase(db, template);
  const liveBefore = await readCatalog({ url });
  const findingsBefore = lint(liveBefore, true);
  const source = mode === 'ddl' ? lint((await ddlModel(corpusSources(entry))).model, false) : findingsBefore;
  if (mode === 'ddl' && loadErrors > 0) return;
  const invalidBefore = await invalidIndexes(db);
  const script = renderFixScript(source, { toolVersion: 'acceptance', generatedAt: NOW });
  const file = path.join(dir, `${db}.sql`);
  writeFileSync(file, script);
  await cluster.psqlFile(db, file).catch((error: unknown) => {
    throw new Error(`${entry.name} (${mode}-mode script): ${(error as Error).message}`);
  });

  const liveAfter = await readCatalog({ url });
  const findingsAfter = lint(liveAfter, true);
  const afterKeys = new Set(findingsAfter.map((f) => f.key));
  const beforeKeys = new Set(findingsBefore.map((f) => f.key));
  const fixed = source.filter((f) => f.fix?.safety === 'safe').map((f) => f.key);
  expect({ entry: entry.name, mode, invalid: (await invalidIndexes(db)).filter((name) => !invalidBefore.includes(name)) }).toEqual({ entry: entry.name, mode, invalid: [] });
  expect({ entry: entry.name, mode, notCleared: fixed.filter((key) => afterKeys.has(key)) }).toEqual({ entry: entry.name, mode, notCleared: [] });
  expect({ entry: entry.name, mode, added: [...afterKeys].filter((key) => !beforeKeys.has(key)) }).toEqual({ entry: entry.name, mode, added: [] });
  expect({ entry: entry.name, mode, partitions: partitionShortfalls(liveBefore, liveAfter) }).toEqual({ entry: entry.name, mode, partitions: [] });

  await cluster.psqlFile(db, file).catch((error: unknown) => {
    throw new Error(`${entry.name} (${mode}-mode script, second run): ${(error as Error).message}`);
  });
  await cluster.query('postgres', `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`).catch(() => undefined);
}

const entries = corpusEntries();
describe('fix scripts on the corpus: applied, cleared, nothing added, re-runnable', () => {
  if (entries.length === 0) {
    test.skip('corpus not found (../shared/corpus or SCHEMA_LINT_SHARED_DIR): fix acceptance on real schemas not checked', () => undefined);
    return;
  }
  for (const entry of entries) {
    for (const mode of ['ddl', 'live'] as const) {
      test(`${entry.name}: the ${mode}-mode fix script`, () => roundTrip(entry, mode), 600_000);
    }
  }
});
