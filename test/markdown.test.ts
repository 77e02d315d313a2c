/**
 * `--format markdown`: rendered by a real Markdown renderer (marked), its Mermaid charts parsed by mermaid itself
 * (in Node under jsdom: mermaid's parser needs a DOM, not a browser), and kept under GitHub's 65,536 characters.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { marked, type Tokens } from 'marked';
import { GITHUB_MARKDOWN_LIMIT } from '../src/report/markdown.js';
import { repoRoot } from './support/fixtures.js';
import { parseReport } from './support/json-report.js';
import { assertBuilt, runCli } from './support/run-cli.js';

interface MermaidResult {
  ok: boolean;
  error?: string;
  type?: string;
  tasks: Array<{ name: string; start: string; end: string; crit: boolean; milestone: boolean; done: boolean }>;
}

function checkMermaid(diagrams: string[]): MermaidResult[] {
  const run = spawnSync(process.execPath, [path.join(repoRoot, 'test/support/mermaid-check.mjs')], { input: JSON.stringify(diagrams), encoding: 'utf8', cwd: repoRoot });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as MermaidResult[];
}

function mermaidBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  // The callback is synchronous: nothing to wait for.
  void marked.walkTokens(marked.lexer(markdown), (token) => {
    if (token.type === 'code' && (token as Tokens.Code).lang === 'mermaid') blocks.push((token as Tokens.Code).text);
  });
  return blocks;
}

async function markdownOf(args: string[], cwd = repoRoot): Promise<string> {
  const result = await runCli([...args, '--format', 'markdown', '--fail-on', 'never'], { cwd, timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`);
  return result.stdout;
}

/**
 * The two reports with charts, and what mermaid makes of every chart in them: one mermaid process for both (each
 * start loads mermaid and jsdom, ~1.5 s of CPU).
 */
const charted = { seed: '', partitions: '' };
const chartsOf = { seed: [] as MermaidResult[], partitions: [] as MermaidResult[] };

beforeAll(async () => {
  assertBuilt();
  [charted.seed, charted.partitions] = await Promise.all([
    markdownOf(['fixtures/seed/dba-review.sql', '--now', '2026-01-15']),
    markdownOf(['fixtures/partition-coverage/monthly-short-of-horizon.sql', '--now', '2026-01-15']),
  ]);
  const seedCharts = mermaidBlocks(charted.seed);
  const results = checkMermaid([...seedCharts, ...mermaidBlocks(charted.partitions)]);
  chartsOf.seed = results.slice(0, seedCharts.length);
  chartsOf.partitions = results.slice(seedCharts.length);
}, 120_000);

describe('markdown report', () => {
  test('the DBA review: counts by rule, findings by table with folded fix SQL, one chart per partitioned table', async () => {
    const markdown = charted.seed;
    const json = parseReport((await runCli(['fixtures/seed/dba-review.sql', '--now', '2026-01-15', '--format', 'json', '--fail-on', 'never'], { cwd: repoRoot })).stdout);
    const html = await marked.parse(markdown);
    // Counts by rule: one table row per rule, with its count.
    for (const [rule, count] of Object.entries(json.summary.byRule)) {
      expect(html).toMatch(new RegExp(`<td><code>${rule}</code></td>\\s*<td align="right">${count}</td>`));
    }
    // Grouped by table: a heading per table, every finding listed once, every fix folded with its SQL.
    const tables = new Set(json.findings.map((f) => `${f.object.schema}.${f.object.name}`));
    for (const table of tables) expect(html).toContain(`<h4>${table} (`);
    expect(html.match(/<li>/g)).toHaveLength(json.findings.length);
    expect(html.match(/<details><summary>/g)).toHaveLength(json.summary.withFix);
    expect(html.match(/<code class="language-sql">/g)).toHaveLength(json.summary.withFix);
    // The seed's two partitioned tables have no partitions: each chart is the uncovered stretch up to the horizon.
    expect(mermaidBlocks(markdown)).toHaveLength(2);
    for (const result of chartsOf.seed) {
      expect(result).toMatchObject({ ok: true, type: 'gantt' });
      expect(result.tasks).toEqual([
        { name: 'not covered', start: '2026-01-15', end: '2026-04-15', crit: true, milestone: false, done: false },
        { name: 'horizon 2026-04-15', start: '2026-04-15', end: '2026-04-15', crit: false, milestone: true, done: false },
      ]);
    }
  }, 120_000);

  test('partitions drawn against the horizon, as mermaid reads them', () => {
    expect(mermaidBlocks(charted.partitions)).toHaveLength(1);
    const [chart] = chartsOf.partitions;
    expect(chart.ok).toBe(true);
    const bars = chart.tasks.filter((t) => t.done).map((t) => `${t.name} ${t.start}..${t.end}`);
    expect(bars).toEqual(expect.arrayContaining(['events_2025_12 2025-12-01..2026-01-01', 'events_2026_01 2026-01-01..2026-02-01']));
    const last = chart.tasks.filter((t) => t.done).map((t) => t.end).sort().pop()!;
    expect(chart.tasks.find((t) => t.name === 'not covered')).toMatchObject({ start: last, end: '2026-04-15', crit: true });
    expect(chart.tasks.find((t) => t.milestone)).toMatchObject({ start: '2026-04-15' });
  });

  test('a schema with thousands of findings stays under 65,536 characters and says how many were left out', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'schema-lint-md-'));
    const tables = Array.from({ length: 1500 }, (_, i) => `CREATE TABLE "t_${i}<x>" (id bigint PRIMARY KEY, doc jsonb, parent_id bigint REFERENCES "t_${i}<x>");`);
    writeFileSync(path.join(dir, 'big.sql'), tables.join('\n'));
    const markdown = await markdownOf(['big.sql', '--now', '2026-01-15'], dir);
    expect(markdown.length).toBeLessThan(GITHUB_MARKDOWN_LIMIT);
    const html = await marked.parse(markdown);
    const shown = (html.match(/<li>/g) ?? []).length;
    const total = Number(/\*\*(\d+) findings\*\*/.exec(markdown)![1]);
    // Per table: the foreign key, the GIN index, the CHECK; the schema audits nothing: one finding for it.
    expect(total).toBe(1500 * 3 + 1);
    expect(shown).toBeGreaterThan(10);
    expect(markdown).toContain(`${total - shown} more findings not shown`);
    // Names are text, not markup: "<x>" never becomes a tag.
    expect(html).not.toMatch(/<x>/);
    expect(html).toContain('t_0&lt;x&gt;');
  }, 120_000);

  test('no findings is a short page', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'schema-lint-md-'));
    writeFileSync(path.join(dir, 'ok.sql'), 'CREATE TABLE ok (id bigint PRIMARY KEY);');
    const markdown = await markdownOf(['ok.sql', '--rule', 'missing-audit-trigger=off'], dir);
    expect(markdown).toMatch(/^## schema-lint\n\n✅ No findings\. 1 file linted\./);
    expect(await marked.parse(markdown)).toContain('<h2>schema-lint</h2>');
  }, 60_000);
});
