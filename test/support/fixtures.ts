/**
 * Rule fixtures: `fixtures/<rule-id>/<case>.sql`, or a folder `<case>/` of migration files applied in natural order.
 * Header comments say what the rule must report:
 *   -- expect: <finding key> @ <line>:<column>   (in the file holding the comment; one line per finding)
 *   -- options: {"columnOrder":"exact"}   (rule options)
 *   -- now: 2026-01-15                     (reference date)
 *   -- ddl-only: <reason>                  (does not load into PostgreSQL; skipped by live-mode tests)
 * A case without expect lines must produce no finding.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectSqlFiles } from '../../src/sources/ddl/collect-files.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesDir = path.join(repoRoot, 'fixtures');

export interface Expectation {
  key: string;
  file: string;
  line: number;
  /** Checked when the expectation gives one: `-- expect: <key> @ <line>:<column>`. */
  column?: number;
}

export interface FixtureCase {
  ruleId: string;
  name: string;
  /** Files in apply order, paths relative to the repository root. */
  files: Array<{ file: string; text: string }>;
  expected: Expectation[];
  options?: Record<string, unknown>;
  now?: Date;
  ddlOnly?: string;
}

const EXPECT = /^--\s*expect:\s*(.+?)\s*@\s*(\d+)(?::(\d+))?\s*$/;

export function loadFixtureCases(ruleId: string): FixtureCase[] {
  const dir = path.join(fixturesDir, ruleId);
  const cases: FixtureCase[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry);
    if (!statSync(full).isDirectory() && !entry.endsWith('.sql')) continue;
    const files = collectSqlFiles([full]).map((file) => ({ file: path.relative(repoRoot, file), text: readFileSync(file, 'utf8') }));
    const fixture: FixtureCase = { ruleId, name: entry.replace(/\.sql$/, ''), files, expected: [] };
    for (const { file, text } of files) {
      for (const line of text.split('\n')) {
        const expect = EXPECT.exec(line);
        if (expect) fixture.expected.push({ key: expect[1], file, line: Number(expect[2]), ...(expect[3] ? { column: Number(expect[3]) } : {}) });
        const options = /^--\s*options:\s*(\{.*\})\s*$/.exec(line);
        if (options) fixture.options = JSON.parse(options[1]) as Record<string, unknown>;
        const now = /^--\s*now:\s*(\S+)\s*$/.exec(line);
        if (now) fixture.now = new Date(now[1].length === 10 ? `${now[1]}T00:00:00Z` : now[1]);
        const ddlOnly = /^--\s*ddl-only:\s*(.+)$/.exec(line);
        if (ddlOnly) fixture.ddlOnly = ddlOnly[1];
      }
    }
    cases.push(fixture);
  }
  return cases;
}

export function fixtureRuleIds(): string[] {
  // `migration-<rule-id>/` folders hold migration-safety cases (test/migration-rules.test.ts reads them).
  return readdirSync(fixturesDir)
    .filter((entry) => statSync(path.join(fixturesDir, entry)).isDirectory() && entry !== 'seed' && !entry.startsWith('migration-'))
    .sort();
}
