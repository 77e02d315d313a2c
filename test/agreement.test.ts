/**
 * One truth: every fixture and corpus schema that loads into PostgreSQL is read both ways — DDL mode from the files,
 * live mode from pg_catalog after loading them — and the two models (stats and origins aside) and the findings of
 * every rule must agree. Each known difference is listed with its reason in agreement-allowlist.json; a new
 * difference fails, and so does an allow-list entry that no longer matches anything.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SchemaModel } from '../src/model/types.js';
import { readCatalog } from '../src/sources/catalog/read-catalog.js';
import { ddlModel, lintModel } from './support/lint.js';
import { allRules } from '../rules/index.js';
import { corpusEntries, corpusSources, corpusTemplate } from './support/corpus.js';
import { fixtureTemplate } from './support/fixture-db.js';
import { fixtureRuleIds, loadFixtureCases, repoRoot } from './support/fixtures.js';
import { diffFacts, modelFacts } from './support/normalize-model.js';
import { releaseCluster, sharedCluster, type Cluster } from './support/pg-cluster.js';

interface AllowEntry {
  /** `fixture:<rule>/<case>`, `corpus:<name>`, or `*`. */
  subject: string;
  side: 'ddl' | 'live';
  /** A fact or finding key, or a regular expression when written as `/…/`. */
  fact: string;
  reason: string;
}

const allowList = JSON.parse(readFileSync(path.join(repoRoot, 'test/agreement-allowlist.json'), 'utf8')) as AllowEntry[];
const usedAllowEntries = new Set<AllowEntry>();
/** Subjects compared in this run: an entry for a subject that did not run (no corpus here) is not judged. */
const comparedSubjects = new Set<string>();

function allowed(subject: string, side: 'ddl' | 'live', fact: string): boolean {
  const entry = allowList.find((e) => {
    if (e.side !== side || (e.subject !== '*' && e.subject !== subject)) return false;
    return e.fact.startsWith('/') && e.fact.endsWith('/') ? new RegExp(e.fact.slice(1, -1)).test(fact) : e.fact === fact;
  });
  if (entry) usedAllowEntries.add(entry);
  return entry !== undefined;
}

function unexplained(subject: string, ddl: string[], live: string[]): { onlyDdl: string[]; onlyLive: string[] } {
  const { onlyDdl, onlyLive } = diffFacts(ddl, live);
  return { onlyDdl: onlyDdl.filter((f) => !allowed(subject, 'ddl', f)), onlyLive: onlyLive.filter((f) => !allowed(subject, 'live', f)) };
}

/** The same volume figures for both modes: DDL mode gets the live statistics, as `--stats` would give them. */
function copyStats(from: SchemaModel, to: SchemaModel): void {
  for (const [key, table] of from.tables) {
    const target = to.tables.get(key);
    if (target) target.stats = table.stats;
  }
}

const FIXED_NOW = new Date('2026-11-29T00:00:00Z');

function compare(subject: string, ddl: SchemaModel, live: SchemaModel): void {
  comparedSubjects.add(subject);
  const facts = unexplained(subject, modelFacts(ddl), modelFacts(live));
  expect({ subject, ...facts }).toEqual({ subject, onlyDdl: [], onlyLive: [] });
  copyStats(live, ddl);
  const keys = (model: SchemaModel, isLive: boolean): string[] =>
    // Every rule, opt-in ones included: both modes must agree on all of them.
    lintModel(model, { now: FIXED_NOW, live: isLive, rules: allRules.map((rule) => rule.id) }).map((f) => `finding ${f.key}`).sort();
  const findings = unexplained(subject, keys(ddl, false), keys(live, true));
  expect({ subject, ...findings }).toEqual({ subject, onlyDdl: [], onlyLive: [] });
}

/**
 * Reading only, the test reads each template database itself rather than a copy (a copy and its removal were ~45 ms
 * of server CPU and ~0.15 s of a fixture's 0.3 s). A copy another file makes meanwhile waits for the read to end:
 * CREATE DATABASE waits up to 5 s for other sessions to leave its template.
 */
let cluster: Cluster;

beforeAll(async () => {
  cluster = await sharedCluster();
});
afterAll(async () => {
  await releaseCluster();
});

describe('DDL mode and live mode agree on every fixture', () => {
  for (const ruleId of fixtureRuleIds()) {
    for (const fixture of loadFixtureCases(ruleId).filter((f) => !f.ddlOnly)) {
      test(`${ruleId}/${fixture.name}`, async () => {
        const live = await readCatalog({ url: cluster.superuserUrl(await fixtureTemplate(cluster, fixture)) });
        const { model } = await ddlModel(fixture.files);
        compare(`fixture:${ruleId}/${fixture.name}`, model, live);
      });
    }
  }
});

const entries = corpusEntries();
describe('DDL mode and live mode agree on the corpus', () => {
  if (entries.length === 0) {
    test.skip('corpus not found (../shared/corpus or SCHEMA_LINT_SHARED_DIR): agreement on real schemas not checked', () => undefined);
    return;
  }
  for (const entry of entries) {
    test(`corpus ${entry.name}`, async () => {
      const live = await readCatalog({ url: cluster.superuserUrl((await corpusTemplate(cluster, entry)).name) });
      const { model } = await ddlModel(corpusSources(entry));
      compare(`corpus:${entry.name}`, model, live);
    }, 300_000);
  }
});

describe('the allow-list', () => {
  test('every entry still explains a difference (remove the ones that do not)', () => {
    const judged = allowList.filter((entry) => entry.subject === '*' || comparedSubjects.has(entry.subject));
    const unused = judged.filter((entry) => !usedAllowEntries.has(entry)).map((e) => `${e.subject} ${e.side}: ${e.fact}`);
    expect(unused).toEqual([]);
  });
  test('every entry gives a reason', () => {
    expect(allowList.filter((entry) => !entry.reason || entry.reason.length < 10)).toEqual([]);
  });
});
