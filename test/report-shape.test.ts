/**
 * What a DBA receives: a terminal report of about one line per finding, and a fix-up script that reads as a reviewed
 * document (contents, shared setup once, each note once, fixes ordered so each one's prerequisites come first).
 * Checked on small schemas and on the real corpus schemas that used to bury their findings.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { allRules } from '../rules/index.js';
import type { Finding } from '../src/engine/types.js';
import { renderFixScript } from '../src/fix/script.js';
import { summarize } from '../src/report/summary.js';
import { colorFor, renderText } from '../src/report/text.js';
import { loadParser, parseStatements } from '../src/sql/parser.js';
import { corpusEntries, corpusSources } from './support/corpus.js';
import { ddlModel, lintModel, lintSql } from './support/lint.js';

const plain = colorFor({}, {});
const NOW = new Date('2026-12-01T00:00:00Z');

function text(findings: Finding[], options: Partial<Parameters<typeof renderText>[3]> = {}): string {
  return renderText(findings, summarize(findings, { filesLinted: 1, syntaxErrors: 0 }), plain, { showFixes: false, ...options });
}

function script(findings: Finding[], fixLevel: 'safe' | 'behaviour' = 'safe'): string {
  return renderFixScript(findings, { toolVersion: 'test', generatedAt: NOW, fixLevel, rules: allRules });
}

const SCHEMA = `
CREATE TABLE customers (id bigint PRIMARY KEY, settings jsonb NOT NULL DEFAULT '{}');
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id), extra jsonb);
CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id), password_hash text);
CREATE TABLE events (id bigint, at timestamptz NOT NULL, payload jsonb) PARTITION BY RANGE (at);
CREATE TABLE events_2026_11 PARTITION OF events FOR VALUES FROM ('2026-11-01') TO ('2026-12-01');
`;

beforeAll(loadParser);

describe('the text report', () => {
  test('one line per finding, grouped by file, with a summary; fixes counted, not printed', async () => {
    const findings = await lintSql(SCHEMA, { now: NOW });
    const out = text(findings);
    const lines = out.trimEnd().split('\n');
    const findingLines = lines.filter((line) => /^\s+\d+:\d+\s+(error|warning|note)\s/.test(line));
    expect(findingLines).toHaveLength(findings.length);
    expect(lines[0]).toBe('test.sql');
    expect(out).toContain(`${findings.length} problems (`);
    expect(out).toMatch(/by rule: {2}.*foreign-key-without-index 2/);
    expect(out).toMatch(/most findings: {2}public\.events \d+/);
    expect(out).toMatch(/\d+ fixable \(\d+ safe, .*\): --fix-sql FILE writes them/);
    expect(out).not.toContain('CREATE INDEX');
    // Every finding line ends with its rule id, and the short title stands where the long message used to.
    for (const line of findingLines) expect(line).toMatch(/ [a-z-]+$/);
    expect(out).toContain('public.orders: foreign key orders_customer_id_fkey (customer_id) has no index');
    expect(out).not.toContain('Each DELETE or key UPDATE');
  });

  test('--verbose adds the explanation, --show-fixes the fix; --fix-sql given drops the hint', async () => {
    const findings = await lintSql(SCHEMA, { now: NOW, rules: ['foreign-key-without-index'] });
    const verbose = text(findings, { verbose: true, showFixes: true, fixScriptGiven: true });
    expect(verbose).toContain('Each DELETE or key UPDATE on public.customers scans public.orders');
    expect(verbose).toContain('fix (safe):');
    expect(verbose).toContain('CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_fk_idx ON public.orders (customer_id);');
    expect(verbose).toMatch(/2 fixable \(2 safe\)\n/);
  });

  test('on a terminal, finding lines fit its width', async () => {
    const findings = await lintSql(SCHEMA, { now: NOW });
    const out = text(findings, { width: 60 });
    for (const line of out.split('\n').filter((l) => /^\s+\d+:\d+/.test(l))) expect(line.length).toBeLessThanOrEqual(60);
    expect(out).toContain('…');
    const wide = text(findings);
    expect(Math.max(...wide.split('\n').map((l) => l.length))).toBeGreaterThan(60);
  });
});

describe('the fix-up script as a reviewed document', () => {
  test('contents per rule with counts and locks; index builds before new partitions; each note once', async () => {
    const findings = await lintSql(SCHEMA, { now: NOW });
    const out = script(findings);
    expect(out).toMatch(/-- Contents:\n-- {3}1\. foreign-key-without-index: 2 fixes \(2 safe\), 2 as statements\n-- {8}lock: SHARE UPDATE EXCLUSIVE/);
    expect(out).toMatch(/partition-coverage: 1 fix \(1 safe\), 1 as statements\n-- {8}lock: ACCESS EXCLUSIVE on the partitioned parent/);
    // New partitions inherit the parent's indexes only if those are complete when the partition is created.
    const ginOnEvents = out.indexOf('ON ONLY public.events');
    const newPartition = out.indexOf('PARTITION OF public.events');
    expect(ginOnEvents).toBeGreaterThan(0);
    expect(newPartition).toBeGreaterThan(ginOnEvents);
    const notes = out.split('\n').filter((line) => line.startsWith('-- Note: '));
    expect(new Set(notes).size).toBe(notes.length);
    expect(out.match(/CREATE INDEX CONCURRENTLY does not block writes/g)).toHaveLength(1);
    expect(parseStatements(out).ok).toBe(true);
  });

  test('behaviour fixes are comments at level safe and statements at level behaviour; plans are always comments', async () => {
    const findings = await lintSql(SCHEMA, { now: NOW, rules: ['jsonb-without-validation'] });
    const check = findings.find((f) => f.key === 'jsonb-without-validation/public.customers.settings')!;
    expect(check.fix!.safety).toBe('behaviour');
    const guessed = findings.find((f) => f.key === 'jsonb-without-validation/public.orders.extra')!;
    expect(guessed.fix!.safety).toBe('review');
    const safe = script(findings, 'safe');
    expect(safe).toContain('-- BEHAVIOUR: not run at fix level safe');
    expect(safe).not.toMatch(/^DO \$fix\$/m);
    expect(safe).toContain('`--fix-level behaviour` writes them as statements');
    const behaviour = script(findings, 'behaviour');
    expect(behaviour.match(/^DO \$fix\$/gm)).toHaveLength(1);
    expect(behaviour).toContain('-- REVIEW: a plan to read and adapt');
  });

  test('shared setup is written once, before the fixes that need it, and commented when only plans need it', async () => {
    const findings = await lintSql(SCHEMA, { now: NOW, rules: ['missing-audit-trigger'], ruleOptions: { 'missing-audit-trigger': { tables: ['*'] } } });
    expect(findings.length).toBe(4);
    const out = script(findings);
    expect(out.match(/CREATE TABLE IF NOT EXISTS audit\.change_log/g)).toHaveLength(1);
    expect(out.indexOf('-- ==== Shared setup')).toBeLessThan(out.indexOf('missing-audit-trigger: A table'));
    expect(out).toContain('(needed by 4 fixes)');
    expect(out).toMatch(/-- \| CREATE OR REPLACE TRIGGER items_audit .* EXECUTE FUNCTION audit\.log_change\('password_hash'\);/);
  });
});

/** The corpus schemas whose reports used to be thousands of lines (issue: signal over noise). */
describe('corpus: reports a DBA reads in one sitting', () => {
  const entries = corpusEntries().filter((entry) => ['postgrest', 'hatchet', 'synapse', 'temporal'].includes(entry.name));
  if (entries.length === 0) {
    test.skip('the shared corpus is absent (../shared/corpus): corpus report checks skipped', () => undefined);
    return;
  }
  for (const entry of entries) {
    test(entry.name, async () => {
      const { model } = await ddlModel(corpusSources(entry));
      const findings = lintModel(model, { now: NOW });
      const files = new Set(findings.map((f) => (f.origin.kind === 'file' ? f.origin.file : '')));
      const report = text(findings).trimEnd().split('\n');
      // One line per finding, a header and a blank line per file, and the summary.
      expect(report.length).toBeLessThanOrEqual(findings.length + 2 * files.size + 6);

      const audit = findings.filter((f) => f.ruleId === 'missing-audit-trigger');
      const bySchema = new Map<string, Finding[]>();
      for (const f of audit) bySchema.set(f.object.schema, [...(bySchema.get(f.object.schema) ?? []), f]);
      for (const list of bySchema.values()) {
        // A schema that audits nothing is one finding; per-table findings only where the schema audits some tables.
        if (list.some((f) => f.object.kind === 'schema')) expect(list).toHaveLength(1);
      }

      const out = script(findings);
      expect((out.match(/CREATE TABLE IF NOT EXISTS audit\.change_log/g) ?? []).length).toBeLessThanOrEqual(1);
      const notes = out.split('\n').filter((line) => line.startsWith('-- Note: '));
      const repeated = notes.filter((note, i) => notes.indexOf(note) !== i);
      expect(repeated).toEqual([]);
      expect(parseStatements(out).ok).toBe(true);
    });
  }
});
