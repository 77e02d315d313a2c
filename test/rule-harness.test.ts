/**
 * One harness over every rule (ESLint's RuleTester and Ruff's snapshot tests are the models). For each rule:
 * - its docs examples run: every bad example finds something, every good one finds nothing;
 * - it has fixtures (`fixtures/<rule-id>/`), each checked exactly: finding keys, file, line and (where the
 *   expectation gives it) column;
 * - each finding's title, message and fix (safety, SQL, notes) are kept as reviewed snapshots
 *   (`test/__snapshots__/rule-harness.test.ts.snap`; `npx jest -u` after a deliberate change, then review the diff);
 * - each fix parses, and the fixture with its fixes applied (review plans un-commented, shared setup first) is
 *   linted again in DDL mode: what had a fix is gone.
 * Live mode, the agreement between modes and fixes on a real server are in agreement.test.ts and fix-roundtrip.test.ts.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { allRules } from '../rules/index.js';
import { resolveRuleOptions } from '../src/engine/config.js';
import type { AnyRule, Finding } from '../src/engine/types.js';
import { loadParser, parseStatements } from '../src/sql/parser.js';
import { fixtureRuleIds, loadFixtureCases, type FixtureCase } from './support/fixtures.js';
import { ddlModel, lintModel } from './support/lint.js';

beforeAll(loadParser);

function lintFixture(rule: AnyRule, files: Array<{ file: string; text: string }>, fixture: Pick<FixtureCase, 'options' | 'now'>): Promise<Finding[]> {
  return ddlModel(files).then(({ model, diagnostics }) => {
    expect(diagnostics.filter((d) => d.kind === 'syntax')).toEqual([]);
    return lintModel(model, { rules: [rule.id], ruleOptions: fixture.options ? { [rule.id]: fixture.options } : undefined, now: fixture.now });
  });
}

/** Header comments an example may carry, as fixtures do (`-- now: 2026-01-15`, `-- options: {…}`). */
function exampleSettings(sql: string): Pick<FixtureCase, 'options' | 'now'> {
  const now = /^--\s*now:\s*(\S+)\s*$/m.exec(sql)?.[1];
  const options = /^--\s*options:\s*(\{.*\})\s*$/m.exec(sql)?.[1];
  return {
    now: now ? new Date(now.length === 10 ? `${now}T00:00:00Z` : now) : undefined,
    options: options ? (JSON.parse(options) as Record<string, unknown>) : undefined,
  };
}

/** What a reviewer reads of a finding: stable across runs (no file paths of the machine, no timestamps). */
function snapshotOf(finding: Finding): Record<string, unknown> {
  return {
    key: finding.key,
    severity: finding.severity,
    title: finding.title,
    message: finding.message,
    fix: finding.fix && {
      safety: finding.fix.safety,
      sql: finding.fix.sql,
      notes: finding.fix.notes,
      prerequisites: finding.fix.prerequisites?.map((p) => p.id),
    },
  };
}

/** Every fix as the script would run it at its most permissive: shared setup once, then each fix's SQL. */
function appliedFixes(findings: Finding[]): string {
  const setup = new Map<string, string>();
  for (const f of findings) for (const p of f.fix?.prerequisites ?? []) setup.set(p.id, p.sql);
  return [...setup.values(), ...findings.filter((f) => f.fix).map((f) => f.fix!.sql)].join('\n') + '\n';
}

const fixtureIds = new Set(fixtureRuleIds());

/** Migration-safety rules judge statements, not the model: their own harness is migration-rules.test.ts. */
const modelRules = allRules.filter((rule) => !('checkStatement' in rule));

for (const rule of modelRules) {
  // A live-only rule needs figures DDL files do not carry: its bad cases run with statistics in its own tests.
  const needsLiveFigures = rule.mode === 'live';
  describe(rule.id, () => {
    test('has docs, examples and valid default options', () => {
      expect(rule.docs.summary).toMatch(/\.$/);
      expect(rule.docs.bad.length).toBeGreaterThan(0);
      expect(rule.docs.good.length).toBeGreaterThan(0);
      // The engine validates only options a user gives; the rules' own defaults must therefore be valid.
      expect(() => resolveRuleOptions(rule, {}, 'defaults')).not.toThrow();
    });

    for (const example of needsLiveFigures ? [] : rule.docs.bad) {
      test(`docs, bad: ${example.title}`, async () => {
        const findings = await lintFixture(rule, [{ file: 'example.sql', text: example.sql }], exampleSettings(example.sql));
        expect(findings.length).toBeGreaterThan(0);
      });
    }
    for (const example of rule.docs.good) {
      test(`docs, good: ${example.title}`, async () => {
        expect(await lintFixture(rule, [{ file: 'example.sql', text: example.sql }], exampleSettings(example.sql))).toEqual([]);
      });
    }

    test('has a fixture folder with cases that find something', () => {
      expect(fixtureIds.has(rule.id)).toBe(true);
      // Clean cases are the docs' good examples and the clean tables inside each fixture.
      if (!needsLiveFigures) expect(loadFixtureCases(rule.id).some((c) => c.expected.length > 0)).toBe(true);
    });
    if (!fixtureIds.has(rule.id)) return;

    for (const fixture of loadFixtureCases(rule.id)) {
      test(`fixture ${fixture.name}: exact findings, reviewed messages and fixes`, async () => {
        const findings = await lintFixture(rule, fixture.files, fixture);
        const actual = findings
          .map((f) => {
            const origin = f.origin.kind === 'file' ? f.origin : undefined;
            const expected = fixture.expected.find((e) => e.key === f.key);
            // Column is checked where the expectation gives one (`@ line:column`).
            return { key: f.key, file: origin?.file ?? '', line: origin?.line ?? 0, ...(expected?.column !== undefined ? { column: origin?.column ?? 0 } : {}) };
          })
          .sort((a, b) => a.key.localeCompare(b.key));
        expect(actual).toEqual([...fixture.expected].sort((a, b) => a.key.localeCompare(b.key)));
        expect(findings.map(snapshotOf)).toMatchSnapshot();
      });

      if (fixture.expected.length === 0) continue;
      test(`fixture ${fixture.name}: every fix parses, and applied it leaves nothing it fixed`, async () => {
        const findings = await lintFixture(rule, fixture.files, fixture);
        for (const finding of findings.filter((f) => f.fix)) {
          const parsed = parseStatements(finding.fix!.sql);
          if (!parsed.ok) throw new Error(`${finding.key}: the fix does not parse: ${parsed.error.message}\n${finding.fix!.sql}`);
        }
        const fixed = findings.filter((f) => f.fix).map((f) => f.key);
        const after = await lintFixture(rule, [...fixture.files, { file: 'fix.sql', text: appliedFixes(findings) }], fixture);
        expect(after.map((f) => f.key).filter((key) => fixed.includes(key))).toEqual([]);
      });
    }
  });
}
