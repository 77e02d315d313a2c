/**
 * Every fix SQL the tool emits is proven against a real server: each fixture with findings is loaded into a fresh
 * database, linted in live mode through the built CLI with `--fix-sql`, the script is applied as a DBA would
 * (`psql -v ON_ERROR_STOP=1 -f`, no single transaction: CREATE INDEX CONCURRENTLY refuses one), and a second live
 * lint must find none of the fixed findings and nothing new. The script must also parse, and run a second time
 * (IF NOT EXISTS guards), because a DBA re-runs it after a lock timeout.
 *
 * The script is written with `--fix-level behaviour`, so `safe` and `behaviour` fixes run as statements. `review` fixes
 * are plans written as comments (`-- | ` lines, src/fix/script.ts): the test un-comments and applies them too (shared
 * setup first, as the script orders it), since a plan that cannot run as written cannot be adapted with confidence.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { allRules } from '../rules/index.js';
import { loadParser, parseStatements } from '../src/sql/parser.js';
import { fixtureRuleIds, loadFixtureCases, repoRoot, type FixtureCase } from './support/fixtures.js';
import { releaseCluster, sharedCluster } from './support/pg-cluster.js';
import { onlyRules, parseJsonReport, runCli, tempDir, type JsonReport } from './support/run-cli.js';

/** The date used when a fixture does not pin one: fixed, so horizon-style rules do not drift with the clock. */
const DEFAULT_NOW = '2026-01-15';

afterAll(releaseCluster);

const PLAN_LINE = /^-- \|(?: (.*))?$/;

/** The review plans of a fix script, un-commented, in script order. */
function reviewPlans(script: string): string {
  const lines: string[] = [];
  for (const line of script.split('\n')) {
    const match = PLAN_LINE.exec(line);
    if (match) lines.push(match[1] ?? '');
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

function expectParses(sql: string, what: string): void {
  const parsed = parseStatements(sql);
  if (!parsed.ok) throw new Error(`${what} does not parse: ${parsed.error.message} (at ${parsed.error.cursorPosition})\n${sql}`);
}

/** Says which step of the round trip failed: psql's own message names only the file and line. */
async function step(what: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    throw new Error(`${what}: ${(error as Error).message}`);
  }
}

const registered = new Set(allRules.map((rule) => rule.id));
const withFixtures = fixtureRuleIds().filter((id) => registered.has(id));

function casesWithFindings(ruleId: string): FixtureCase[] {
  return loadFixtureCases(ruleId).filter((fixture) => fixture.expected.length > 0 && !fixture.ddlOnly);
}

let databaseCounter = 0;

interface LiveRun {
  report: JsonReport;
  keys: string[];
}

async function lintLive(url: string, fixture: FixtureCase, dir: string, fixSql?: string): Promise<LiveRun> {
  const config = path.join(dir, 'schema-lint.config.json');
  writeFileSync(config, JSON.stringify({ rules: fixture.options ? { [fixture.ruleId]: { options: fixture.options } } : {} }));
  const now = fixture.now ? fixture.now.toISOString() : DEFAULT_NOW;
  const args = ['--db', url, ...onlyRules([fixture.ruleId]), '--config', config, '--now', now, '--fail-on', 'never', '--format', 'json'];
  // Behaviour-changing fixes (new CHECKs, triggers) run as statements too: every fix the tool emits is proven.
  if (fixSql) args.push('--fix-sql', fixSql, '--fix-level', 'behaviour');
  const result = await runCli(args, { cwd: dir });
  if (result.code !== 0) throw new Error(`live lint exited ${result.code}: ${result.stderr}`);
  const report = parseJsonReport(result);
  return { report, keys: [...new Set(report.findings.map((f) => f.key))].sort() };
}

describe('fix round trip (live mode, every registered rule with fixtures)', () => {
  test('there are fixtures with findings to prove fixes against', () => {
    expect(withFixtures.flatMap(casesWithFindings).length).toBeGreaterThan(0);
  });

  for (const ruleId of withFixtures) {
    for (const fixture of casesWithFindings(ruleId)) {
      // Concurrent: each case spends most of its time waiting on psql and the server, not on this process.
      test.concurrent(`${ruleId}/${fixture.name}`, async () => {
        await loadParser();
        const cluster = await sharedCluster();
        const dbName = `roundtrip_${++databaseCounter}`;
        const url = await cluster.createDatabase(dbName);
        const dir = tempDir('schema-lint-roundtrip-');
        try {
          for (const { file } of fixture.files) await step(`loading the fixture file ${file}`, () => cluster.psqlFile(dbName, path.join(repoRoot, file)));

          const fixPath = path.join(dir, 'fix.sql');
          const before = await lintLive(url, fixture, dir, fixPath);
          expect(before.keys).toEqual([...new Set(fixture.expected.map((e) => e.key))].sort());

          const script = readFileSync(fixPath, 'utf8');
          expectParses(script, 'the fix script');
          await step('applying the fix script', () => cluster.psqlFile(dbName, fixPath));

          const plans = reviewPlans(script);
          if (plans) {
            expectParses(plans, 'the un-commented review plans');
            const planPath = path.join(dir, 'plans.sql');
            writeFileSync(planPath, plans);
            await step('applying the un-commented review plans', () => cluster.psqlFile(dbName, planPath));
          }

          const after = await lintLive(url, fixture, dir);
          const unfixable = new Set(before.report.findings.filter((f) => !f.fix).map((f) => f.key));
          // Left after the fix: only findings that came without a runnable fix; nothing new may appear.
          expect(after.keys.filter((key) => !unfixable.has(key))).toEqual([]);

          // A DBA re-runs the script after a timeout: every statement must be guarded.
          await step('running the fix script a second time (every statement must be guarded)', () => cluster.psqlFile(dbName, fixPath));
        } finally {
          rmSync(dir, { recursive: true, force: true });
          await cluster.query('postgres', `DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => undefined);
        }
      });
    }
  }
});
