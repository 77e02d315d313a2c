/**
 * Reports and the fix script are rendered piece by piece (src/report/chunks.ts) so a big schema's report never
 * exists whole in memory. What must not change: the bytes (exactly what one string gave), and the output contract —
 * a failure while rendering into a staged file replaces nothing and leaves no temporary file.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Finding } from '../src/engine/types.js';
import { fixScript, renderFixScript } from '../src/fix/script.js';
import { batched } from '../src/report/chunks.js';
import { jsonReport } from '../src/report/json.js';
import { OutputError, writeOutputs } from '../src/report/output-files.js';
import { summarize } from '../src/report/summary.js';
import { colorFor, textReport } from '../src/report/text.js';
import { loadParser } from '../src/sql/parser.js';
import { parseReport } from './support/json-report.js';
import { lintSql } from './support/lint.js';

const NOW = new Date('2026-12-01T00:00:00Z');

const SCHEMA = `
CREATE TABLE customers (id bigint PRIMARY KEY, settings jsonb NOT NULL DEFAULT '{}');
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id), extra jsonb);
CREATE TABLE "odd ""name"" — ü" (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id), note jsonb);
CREATE TABLE events (id bigint, at timestamptz NOT NULL, payload jsonb) PARTITION BY RANGE (at);
CREATE TABLE events_2026_11 PARTITION OF events FOR VALUES FROM ('2026-11-01') TO ('2026-12-01');
`;

let findings: Finding[];

beforeAll(async () => {
  await loadParser();
  findings = await lintSql(SCHEMA, { now: NOW });
});

describe('the JSON report, finding by finding', () => {
  test('is byte for byte JSON.stringify(report, null, 2) plus a newline', () => {
    const summary = summarize(findings, { filesLinted: 1, syntaxErrors: 0, suppressed: 2 });
    // A message with a line break, a tab and a quote: JSON escapes them, so the indentation of pieces stays right.
    const tricky = { ...findings[0], message: 'line one\nline "two"\t\u2028end' };
    const diagnostics = [{ file: 'a.sql', line: 3, column: 7, kind: 'syntax' as const, message: 'syntax error at or near "x"' }];
    // Elements are rendered in batches (32 to a JSON.stringify call): lists across batch boundaries too.
    const many = Array.from({ length: 700 }, (_, i) => ({ ...findings[i % findings.length], key: `k${i}` }));
    for (const [list, diags] of [[[...findings, tricky], diagnostics], [[], []], [[tricky], []], [many, diagnostics], [many.slice(0, 512), []]] as const) {
      const input = { toolVersion: '1.2.3', findings: [...list], diagnostics: [...diags], summary };
      const expected = `${JSON.stringify({ version: 1, tool: { name: 'schema-lint', version: '1.2.3' }, findings: list, diagnostics: diags, summary }, null, 2)}\n`;
      const pieces = [...jsonReport(input)];
      expect(pieces.join('')).toBe(expected);
      expect(parseReport(pieces.join('')).findings).toHaveLength(list.length);
    }
    expect(findings.length).toBeGreaterThan(5);
  });

  test('comes in pieces of a few hundred findings, not as one string', () => {
    const many = Array.from({ length: 3000 }, (_, i) => ({ ...findings[i % findings.length], key: `k${i}` }));
    const input = { toolVersion: 't', findings: many, diagnostics: [], summary: summarize(many, { filesLinted: 1, syntaxErrors: 0 }) };
    const pieces = [...jsonReport(input)];
    expect(pieces.length).toBeGreaterThanOrEqual(3000 / 32);
    const longest = Math.max(...pieces.map((piece) => piece.length));
    expect(longest).toBeLessThan(pieces.join('').length / 3);
  });
});

describe('the text report and the fix script, piece by piece', () => {
  test('the fix script in pieces is the whole script', () => {
    const whole = renderFixScript(findings, { toolVersion: 't', generatedAt: NOW });
    const pieces = [...fixScript(findings, { toolVersion: 't', generatedAt: NOW })];
    expect(pieces.join('')).toBe(whole);
    expect(pieces.length).toBeGreaterThan(findings.filter((f) => f.fix).length);
    expect(whole).toContain('CREATE INDEX CONCURRENTLY');
  });

  test('200,000 findings render without exhausting the stack (no spread over the findings)', () => {
    const one = findings[0];
    const many = Array.from({ length: 200_000 }, (_, i) => ({ ...one, key: `${one.key}/${i}`, origin: { ...one.origin, line: i + 1 } }) as Finding);
    const summary = summarize(many, { filesLinted: 1, syntaxErrors: 0 });
    let lines = 0;
    let widest = 0;
    for (const piece of batched(textReport(many, summary, colorFor({}, {}), { showFixes: false }))) {
      for (let k = piece.indexOf('\n'); k !== -1; k = piece.indexOf('\n', k + 1)) lines++;
      widest = Math.max(widest, piece.length);
    }
    // A line per finding, the file heading, the blank line and the summary.
    expect(lines).toBeGreaterThan(200_000);
    // Batches of about 32 K characters (below V8's large-object size): never the whole report at once.
    expect(widest).toBeLessThan(40_000);
  });
});

describe('streamed outputs keep the all-or-nothing contract', () => {
  test('pieces are written whole into the staged file, then renamed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'streamed-'));
    const target = path.join(dir, 'report.json');
    writeFileSync(target, 'old');
    const piece = 'é'.repeat(1000) + '\n';
    await writeOutputs([{ option: '--output', file: target, content: (function* () { for (let i = 0; i < 3000; i++) yield piece; })() }]);
    expect(readFileSync(target, 'utf8')).toBe(piece.repeat(3000));
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  test('a failure while rendering replaces no file, the earlier outputs of the run included, and leaves no temporary file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'streamed-'));
    const report = path.join(dir, 'report.json');
    const script = path.join(dir, 'fix.sql');
    writeFileSync(report, 'old report');
    writeFileSync(script, 'old script');
    function* failing(): Generator<string> {
      yield 'x'.repeat(3 * 1024 * 1024);
      throw new Error('renderer broke');
    }
    let error: unknown;
    try {
      await writeOutputs([
        { option: '--output', file: report, content: ['new ', 'report'] },
        { option: '--fix-sql', file: script, content: failing() },
      ]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(OutputError);
    expect((error as Error).message).toMatch(/^cannot write --fix-sql .*fix\.sql: .*renderer broke.*no output file written$/);
    expect(readFileSync(report, 'utf8')).toBe('old report');
    expect(readFileSync(script, 'utf8')).toBe('old script');
    expect(readdirSync(dir).sort()).toEqual(['fix.sql', 'report.json']);
  });
});
