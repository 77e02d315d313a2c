/**
 * Every fix SQL the tool emits is proven against a real server: each fixture with findings is loaded into a fresh
 * database (a copy of the fixture's template, fixture-db.ts), linted in live mode through the Node API — the pipeline
 * and fix-script renderer `--fix-sql` uses; the CLI's own handling of `--fix-sql` is cli.test.ts's and
 * output-files.test.ts's — the script is applied as a DBA would
 * (`psql -v ON_ERROR_STOP=1 -f`, no single transaction: CREATE INDEX CONCURRENTLY refuses one), and a second live
 * lint must find none of the fixed findings and nothing new. The script must also parse, and run a second time
 * (IF NOT EXISTS guards), because a DBA re-runs it after a lock timeout.
 *
 * The script is written with `--fix-level behaviour`, so `safe` and `behaviour` fixes run as statements. `review` fixes
 * are plans written as comments (`-- | ` lines, src/fix/script.ts): the test un-comments and applies them too (shared
 * setup first, as the script orders it), since a plan that cannot run as written cannot be adapted with confidence.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { allRules } from '../rules/index.js';
import { lint, renderFixScript, type LintReport } from '../src/index.js';
import { loadParser, parseStatements } from '../src/sql/parser.js';
import { loadFixture } from './support/fixture-db.js';
import { fixtureRuleIds, loadFixtureCases, type FixtureCase } from './support/fixtures.js';
import { onlyRuleLevels } from './support/only-rules.js';
import { releaseCluster, sharedCluster } from './support/pg-cluster.js';
import { tempDir } from './support/run-cli.js';

/** The date used when a fixture does not pin one: fixed, so horizon-style rules do not drift with the clock. */
const DEFAULT_NOW = new Date('2026-01-15T00:00:00Z');

afterAll(releaseCluster);

const PLAN_LINE = /^-- \|(?: (.*))?$/;

/** The review plans of a fix script, un-commented, in script order. */
function reviewPlans(script: string): string {
  const lines: string[] = [];
  for (const line of script.split('\n')) {
    const match = PLAN_LINE.exec(line);
    // An optional group that did not match is undefined, whatever the type says.
    if (match) lines.push(match[1] || '');
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
    throw new Error(`${what}: ${(error as Error).message}`, { cause: error });
  }
}

const registered = new Set(allRules.map((rule) => rule.id));
const withFixtures = fixtureRuleIds().filter((id) => registered.has(id));

function casesWithFindings(ruleId: string): FixtureCase[] {
  return loadFixtureCases(ruleId).filter((fixture) => fixture.expected.length > 0 && !fixture.ddlOnly);
}

let databaseCounter = 0;

interface LiveRun {
  report: LintReport;
  keys: string[];
  /** The fix-up script of the run, as `--fix-sql` writes it. */
  script: string;
}

async function lintLive(url: string, fixture: FixtureCase): Promise<LiveRun> {
  const now = fixture.now ?? DEFAULT_NOW;
  const report = await lint({
    db: url,
    config: { rules: fixture.options ? { [fixture.ruleId]: { options: fixture.options } } : {} },
    rules: onlyRuleLevels([fixture.ruleId]),
    now,
  });
  // Behaviour-changing fixes (new CHECKs, triggers) run as statements too: every fix the tool emits is proven.
  const script = renderFixScript(report, { fixLevel: 'behaviour', generatedAt: now });
  return { report, keys: [...new Set(report.findings.map((f) => f.key))].sort(), script };
}

/** The whole round trip of one case; throws at the first step or expectation that fails. */
async function roundTrip(fixture: FixtureCase): Promise<void> {
  const cluster = await sharedCluster();
  const dbName = `roundtrip_${++databaseCounter}`;
  const url = await loadFixture(cluster, fixture, dbName);
  const dir = tempDir('schema-lint-roundtrip-');
  try {
    const fixPath = path.join(dir, 'fix.sql');
    const before = await lintLive(url, fixture);
    expect(before.keys).toEqual([...new Set(fixture.expected.map((e) => e.key))].sort());

    const script = before.script;
    writeFileSync(fixPath, script);
    expectParses(script, 'the fix script');
    await step('applying the fix script', () => cluster.psqlFile(dbName, fixPath));

    const plans = reviewPlans(script);
    if (plans) {
      expectParses(plans, 'the un-commented review plans');
      const planPath = path.join(dir, 'plans.sql');
      writeFileSync(planPath, plans);
      await step('applying the un-commented review plans', () => cluster.psqlFile(dbName, planPath));
    }

    const after = await lintLive(url, fixture);
    const unfixable = new Set(before.report.findings.filter((f) => !f.fix).map((f) => f.key));
    // Left after the fix: only findings that came without a runnable fix; nothing new may appear.
    expect(after.keys.filter((key) => !unfixable.has(key))).toEqual([]);

    // A DBA re-runs the script after a timeout: every statement must be guarded.
    await step('running the fix script a second time (every statement must be guarded)', () => cluster.psqlFile(dbName, fixPath));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await cluster.query('postgres', `DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => undefined);
  }
}

const cases = withFixtures.flatMap((ruleId) => casesWithFindings(ruleId).map((fixture) => ({ name: `${ruleId}/${fixture.name}`, fixture })));
/** Each case's outcome: undefined when it passed, else what it threw (an expectation or a step). */
const outcomes = new Map<string, unknown>();
/** Cases in flight at once: each spends most of its time waiting on psql and the server, not on this process. */
const CONCURRENCY = 4;

describe('fix round trip (live mode, every registered rule with fixtures)', () => {
  // The cases run side by side in one hook and each test reports its own case. Not test.concurrent: jest 30 marks
  // the file "between tests" whenever one concurrent test ends, and refuses the import() the live pipeline does
  // for the cases still running.
  beforeAll(async () => {
    await loadParser();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < cases.length) {
        const { name, fixture } = cases[next++];
        outcomes.set(name, await roundTrip(fixture).then(() => undefined, (error: unknown) => error ?? new Error('failed')));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  }, 900_000);

  test('there are fixtures with findings to prove fixes against', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const { name } of cases) {
    test(name, () => {
      expect(outcomes.has(name)).toBe(true);
      const failure = outcomes.get(name);
      // roundTrip's failures are Errors (assertions, psql); anything else thrown still fails the test, carried as the cause.
      if (failure !== undefined) throw failure instanceof Error ? failure : new Error('the round trip threw a non-Error', { cause: failure });
    });
  }
});
