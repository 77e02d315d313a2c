import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { allRules } from '../rules/index.js';
import type { Finding } from '../src/engine/types.js';
import { lint, renderSarif as renderReportSarif } from '../src/index.js';
import { computeLineHashes } from '../src/report/line-hash.js';
import { schemaLintFingerprint } from '../src/report/sarif-fingerprints.js';
import { MAX_SARIF_RESULTS, renderSarif, type SarifInput } from '../src/report/sarif.js';
import { repoRoot } from './support/fixtures.js';
import { onlyRuleLevels } from './support/only-rules.js';
import { dbOrigin, fakeRule, fileOrigin, finding, tempGitRepo, writeRepoFile } from './support/sarif-fixtures.js';
import type { SarifLog, SarifResult } from './support/sarif-log.js';
import { checkGithubInvariants, validateSarifFilesWithMultitool, validateSarifSchema } from './support/sarif-validate.js';


const readFile = (absPath: string): string | undefined => {
  try {
    return readFileSync(absPath, 'utf8');
  } catch {
    return undefined;
  }
};

const rules = [
  fakeRule('fk-without-index', { defaultSeverity: 'error', precision: 'very-high' }),
  fakeRule('missing-primary-key'),
  fakeRule('timestamp-without-time-zone', {
    defaultSeverity: 'note',
    precision: 'medium',
    // 12 tags with a duplicate: GitHub shows 10 and the schema wants them unique.
    tags: ['a', 'b', 'c', 'd', 'a', 'e', 'f', 'g', 'h', 'i', 'j', 'k'],
  }),
];

const ORDERS_SQL = [
  'CREATE TABLE orders (',
  '  id bigint PRIMARY KEY,',
  '  customer_id bigint REFERENCES customers,',
  '  created_at timestamp',
  ');',
  '',
].join('\n');

let repo: string;
let cwd: string;
let sarifDir: string;

beforeAll(() => {
  repo = tempGitRepo();
  // Run from a subdirectory, as a monorepo job would: URIs must still be relative to the repository root.
  cwd = path.join(repo, 'services', 'api');
  mkdirSync(cwd, { recursive: true });
  sarifDir = path.join(repo, 'out');
  mkdirSync(sarifDir);
});

afterAll(() => rmSync(repo, { recursive: true, force: true }));

function render(findings: Finding[], extra: Partial<SarifInput> = {}) {
  return renderSarif({ findings, rules, toolVersion: '0.1.0', repoRoot: repo, cwd, readFile, ...extra });
}

function resultsOf(sarif: object): SarifResult[] {
  return (sarif as SarifLog).runs[0].results;
}

/**
 * Logs for the multitool, each with the errors it must report (a pattern, or none): they are checked together by
 * the last test of the file, in one multitool run (each run starts the .NET runtime, 1.2–2.5 s here).
 */
const forMultitool = new Map<string, RegExp | undefined>();

/** Every SARIF a test produces goes through all three validators (the multitool's verdict at the end of the file). */
function expectValid(sarif: object, name: string, opts: { multitool?: boolean } = {}): void {
  expect(validateSarifSchema(sarif)).toEqual([]);
  expect(checkGithubInvariants(sarif)).toEqual([]);
  if (opts.multitool === false) return;
  const file = path.join(sarifDir, `${name}.sarif`);
  writeFileSync(file, JSON.stringify(sarif));
  forMultitool.set(file, undefined);
}

describe('renderSarif', () => {
  test('no findings: one run with every enabled rule and an empty results array', () => {
    const { sarif, text, warnings } = render([]);
    const run = (sarif as SarifLog).runs[0];
    expect((sarif as SarifLog).$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(run.results).toEqual([]);
    expect(run.columnKind).toBe('utf16CodeUnits');
    expect(run.tool.driver).toMatchObject({ name: 'schema-lint', semanticVersion: '0.1.0' });
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(rules.map((r) => r.id));
    expect(run.automationDetails).toBeUndefined();
    expect(warnings).toEqual([]);
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    expect(JSON.parse(text)).toEqual(sarif);
    expectValid(sarif, 'empty');
  });

  test('rule descriptors carry docs, examples, level, precision, problem.severity and at most 10 unique tags', () => {
    const driverRules = (render([]).sarif as SarifLog).runs[0].tool.driver.rules;
    const [fk, , ts] = driverRules;
    expect(fk).toMatchObject({
      id: 'fk-without-index',
      name: 'FkWithoutIndex',
      shortDescription: { text: 'Summary of fk-without-index.' },
      defaultConfiguration: { level: 'error' },
      properties: { precision: 'very-high', 'problem.severity': 'error' },
    });
    expect(fk.fullDescription.text).toContain('a foreign key without an index');
    expect(fk.help.markdown).toContain('```sql\nCREATE TABLE c (p int REFERENCES p);\nCREATE INDEX ON c (p);\n```');
    expect(fk.help.markdown).toMatch(/## Bad[\s\S]*## Good[\s\S]*## Fix/);
    expect(fk.help.text).toContain('Bad: Unindexed foreign key');
    expect(fk.help.text).toContain('Fix: Create the index CONCURRENTLY.');
    expect(fk.help.text).not.toMatch(/\*\*|`/);
    expect(ts.properties['problem.severity']).toBe('recommendation');
    expect(ts.name).toBe('TimestampWithoutTimeZone');
    expect(ts.properties.tags).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']);
  });

  test('descriptions are clipped to 1024 characters and a name equal to the id is left out', () => {
    const wordy = fakeRule('wordy', {
      name: 'wordy',
      docs: { ...fakeRule('x').docs, summary: 'word '.repeat(300), description: `**${'long '.repeat(400)}**` },
    });
    const { sarif } = renderSarif({ findings: [], rules: [wordy], toolVersion: '1.0.0', repoRoot: repo, cwd, readFile });
    const [descriptor] = (sarif as SarifLog).runs[0].tool.driver.rules;
    expect(descriptor.name).toBeUndefined();
    for (const field of ['shortDescription', 'fullDescription'] as const) {
      expect(descriptor[field].text.length).toBeLessThanOrEqual(1024);
      expect(descriptor[field].text).toMatch(/^(word|long) .*\w…$/);
    }
    expectValid(sarif, 'wordy');
  });

  test('file findings: repo-relative percent-encoded URI, tight region, level, ruleIndex, fix, line hash', () => {
    // A space and a non-ASCII character in the path; the origin is relative to the cwd, not the repository.
    const absolute = writeRepoFile(repo, 'db/my schema/tëst.sql', ORDERS_SQL);
    const relativeToCwd = path.relative(cwd, absolute);
    expect(relativeToCwd.startsWith('..')).toBe(true);
    const fk = finding('fk-without-index', fileOrigin(relativeToCwd, 3, 3, 14), { kind: 'column', column: 'customer_id' }, 'error');
    fk.fix = {
      sql: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON public.orders (customer_id);',
      safety: 'safe',
      notes: ['Runs outside a transaction.'],
      concurrently: true,
    };
    const ts = finding('timestamp-without-time-zone', fileOrigin(absolute, 4, 14, 23), { kind: 'column', column: 'created_at' }, 'note');
    const { sarif, warnings } = render([fk, ts]);
    expect(warnings).toEqual([]);
    const [first, second] = resultsOf(sarif);
    expect(first).toMatchObject({
      ruleId: 'fk-without-index',
      ruleIndex: 0,
      level: 'error',
      message: { text: fk.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'db/my%20schema/t%C3%ABst.sql' },
            region: { startLine: 3, startColumn: 3, endLine: 3, endColumn: 14 },
          },
        },
      ],
      properties: { fix: { sql: fk.fix.sql, safety: 'safe', notes: ['Runs outside a transaction.'] } },
    });
    expect(first.locations[0].logicalLocations).toBeUndefined();
    expect(second).toMatchObject({ ruleId: 'timestamp-without-time-zone', ruleIndex: 2, level: 'note' });
    expect(second.properties).toBeUndefined();
    const lineHashes = computeLineHashes(ORDERS_SQL);
    expect(first.partialFingerprints.primaryLocationLineHash).toBe(lineHashes[2]);
    expect(second.partialFingerprints.primaryLocationLineHash).toBe(lineHashes[3]);
    expect(first.partialFingerprints['schemaLint/v1']).toMatch(/^[0-9a-f]{32}$/);
    expectValid(sarif, 'files');
  });

  test('the line hash follows the line text when lines are inserted above the finding', () => {
    const file = writeRepoFile(repo, 'migrations/001_orders.sql', ORDERS_SQL);
    const before = resultsOf(render([finding('fk-without-index', fileOrigin(file, 3, 3))]).sarif)[0];
    writeFileSync(file, `-- a comment added later\nCREATE TABLE notes (id int);\n\n${ORDERS_SQL}`);
    const after = resultsOf(render([finding('fk-without-index', fileOrigin(file, 6, 3))]).sarif)[0];
    expect(after.locations[0].physicalLocation.region.startLine).toBe(6);
    expect(after.partialFingerprints).toEqual(before.partialFingerprints);
    expect(after.locations[0].physicalLocation.artifactLocation.uri).toBe('migrations/001_orders.sql');
  });

  test('(ruleId, uri, primaryLocationLineHash) stays unique when findings share a line', () => {
    // Six identical lines share one hex value (:1 … :6); two findings on line 1 must not take :2 from line 2.
    const lorem = 'Lorem ipsum dolor sit amet.\n'.repeat(10);
    const file = writeRepoFile(repo, 'lorem.sql', lorem);
    const hashes = computeLineHashes(lorem);
    const onLine = (line: number, detail: string) =>
      finding('missing-primary-key', fileOrigin(file, line, 1), { kind: 'constraint', detail });
    const { sarif } = render([onLine(1, 'b'), onLine(1, 'a'), onLine(2, 'c'), onLine(1, 'c')]);
    const values = resultsOf(sarif).map((r) => r.partialFingerprints.primaryLocationLineHash);
    const hex = hashes[0].split(':')[0];
    // The smallest key ('…/a') keeps the line's own hash; the others go above every :n the file uses.
    expect(values).toEqual([`${hex}:7`, `${hex}:1`, `${hex}:2`, `${hex}:8`]);
    expect(new Set(values).size).toBe(4);
    // The same findings in another order get the same fingerprints.
    const reordered = resultsOf(render([onLine(1, 'c'), onLine(2, 'c'), onLine(1, 'a'), onLine(1, 'b')]).sarif);
    expect(reordered.map((r) => r.partialFingerprints.primaryLocationLineHash)).toEqual([`${hex}:8`, `${hex}:2`, `${hex}:1`, `${hex}:7`]);
    expectValid(sarif, 'collisions');
  });

  test('database findings get a synthetic, credential-free path, logical locations and an identity hash', () => {
    const weird = { schema: 'Sales Data', name: 'a/b%c ünï' };
    const findings = [
      finding('missing-primary-key', dbOrigin('db.internal.example:5432/app'), {}),
      finding('fk-without-index', dbOrigin('db.internal.example:5432/app'), { kind: 'column', column: 'customer_id' }, 'error'),
      finding('fk-without-index', dbOrigin('db.internal.example:5432/app'), { ...weird, kind: 'index', detail: 'idx' }),
      finding('missing-primary-key', dbOrigin('db.internal.example:5432/app'), { schema: '..', name: '.' }),
    ];
    const { sarif, text } = render(findings, { databaseAlias: 'prod', category: 'schema-lint-db' });
    const results = resultsOf(sarif);
    expect(results.map((r) => r.locations[0].physicalLocation.artifactLocation.uri)).toEqual([
      '.schema-lint/db/prod/public/orders',
      '.schema-lint/db/prod/public/orders',
      '.schema-lint/db/prod/Sales%20Data/a%2Fb%25c%20%C3%BCn%C3%AF',
      '.schema-lint/db/prod/%2E%2E/%2E',
    ]);
    for (const result of results) {
      expect(result.locations[0].physicalLocation.region).toEqual({ startLine: 1, startColumn: 1, endLine: 1, endColumn: 2 });
      expect(result.partialFingerprints.primaryLocationLineHash).toMatch(/^[0-9a-f]{16}:1$/);
      expect(result.properties!.schemaLint).toEqual({ source: 'database', target: 'prod' });
    }
    expect(results.map((r) => r.locations[0].logicalLocations)).toEqual([
      [{ name: 'orders', fullyQualifiedName: 'public.orders', kind: 'table' }],
      [{ name: 'customer_id', fullyQualifiedName: 'public.orders.customer_id', kind: 'column' }],
      [{ name: 'idx', fullyQualifiedName: '"Sales Data".idx', kind: 'index' }],
      [{ name: '.', fullyQualifiedName: '".."."."', kind: 'table' }],
    ]);
    expect(text).not.toMatch(/db\.internal\.example|5432|postgres:|file:/);
    expect((sarif as SarifLog).runs[0].automationDetails).toEqual({ id: 'schema-lint-db/' });

    // Another host with the same schema: identical output. Another rule or object: another fingerprint.
    const elsewhere = findings.map((f) => ({ ...f, origin: dbOrigin('10.0.0.7:6543/app_copy') }));
    expect(render(elsewhere, { databaseAlias: 'prod', category: 'schema-lint-db' }).text).toBe(text);
    const hashes = results.map((r) => r.partialFingerprints.primaryLocationLineHash);
    expect(new Set(hashes).size).toBe(hashes.length);
    expectValid(sarif, 'database');
  });

  test('the default database alias is "db"', () => {
    const [result] = resultsOf(render([finding('missing-primary-key', dbOrigin())]).sarif);
    expect(result.locations[0].physicalLocation.artifactLocation.uri).toBe('.schema-lint/db/db/public/orders');
  });

  test('a file outside the repository is anchored under a stable synthetic path, with a warning', () => {
    const outsideRoot = tempGitRepo();
    try {
      const file = writeRepoFile(outsideRoot, 'seed.sql', ORDERS_SQL);
      const { sarif, warnings } = render([finding('missing-primary-key', fileOrigin(file, 1, 14, 20))]);
      const [result] = resultsOf(sarif);
      const uri = result.locations[0].physicalLocation.artifactLocation.uri;
      expect(uri).toMatch(/^\.schema-lint\/outside-repository\/[0-9a-f]{8}-seed\.sql$/);
      expect(result.partialFingerprints.primaryLocationLineHash).toBe(computeLineHashes(ORDERS_SQL)[0]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('outside the repository root');
      expectValid(sarif, 'outside');
    } finally {
      rmSync(outsideRoot, { recursive: true, force: true });
    }
  });

  test('an unreadable file or a line past its end falls back to an identity hash, with a warning', () => {
    const file = writeRepoFile(repo, 'short.sql', 'SELECT 1;');
    const { sarif, warnings } = render([
      finding('missing-primary-key', fileOrigin(path.join(repo, 'gone.sql'), 2)),
      finding('missing-primary-key', fileOrigin(file, 40)),
    ]);
    for (const result of resultsOf(sarif)) expect(result.partialFingerprints.primaryLocationLineHash).toMatch(/^[0-9a-f]{16}:1$/);
    expect(warnings).toHaveLength(2);
  });

  test('odd regions are widened to valid ones', () => {
    const file = writeRepoFile(repo, 'odd.sql', 'SELECT 1;\n');
    const { sarif } = render([finding('missing-primary-key', { kind: 'file', file, line: 1, column: 4, endLine: 0, endColumn: 4 })]);
    expect(resultsOf(sarif)[0].locations[0].physicalLocation.region).toEqual({ startLine: 1, startColumn: 4, endLine: 1, endColumn: 5 });
  });

  test('output is deterministic and holds no absolute path', () => {
    const file = writeRepoFile(repo, 'det.sql', ORDERS_SQL);
    const findings = [finding('fk-without-index', fileOrigin(file, 3, 3)), finding('missing-primary-key', dbOrigin())];
    const a = render(findings).text;
    expect(render(findings).text).toBe(a);
    expect(a).not.toContain(repo);
  });

  test('a category becomes automationDetails.id with a trailing slash', () => {
    expect((render([], { category: 'schema-lint' }).sarif as SarifLog).runs[0].automationDetails).toEqual({ id: 'schema-lint/' });
    expect((render([], { category: 'db/' }).sarif as SarifLog).runs[0].automationDetails).toEqual({ id: 'db/' });
  });

  test('a finding of a rule that is not enabled is a caller bug', () => {
    expect(() => render([finding('no-such-rule', dbOrigin())])).toThrow(/no-such-rule/);
  });

  test(`caps the run at ${MAX_SARIF_RESULTS} results, keeping the most severe in their order`, () => {
    const file = writeRepoFile(repo, 'big.sql', Array.from({ length: 500 }, (_, i) => `CREATE TABLE t${i} (x int);`).join('\n'));
    const severities = ['note', 'warning', 'error'] as const;
    // 25,010 findings: notes first, so a naive slice would keep them and drop errors from the end.
    const findings = Array.from({ length: MAX_SARIF_RESULTS + 10 }, (_, i) => {
      const severity = i < 30 ? 'note' : severities[i % 3];
      const ruleId = { note: 'timestamp-without-time-zone', warning: 'missing-primary-key', error: 'fk-without-index' }[severity];
      return finding(ruleId, fileOrigin(file, (i % 500) + 1, 1), { kind: 'constraint', detail: `c${i}` }, severity);
    });
    const { sarif, warnings } = render(findings);
    const results = resultsOf(sarif);
    expect(results).toHaveLength(MAX_SARIF_RESULTS);
    const droppedNotes = findings.filter((f) => f.severity === 'note').length - results.filter((r) => r.level === 'note').length;
    expect(droppedNotes).toBe(10);
    expect(results.filter((r) => r.level !== 'note')).toHaveLength(findings.filter((f) => f.severity !== 'note').length);
    // The least severe go first, latest first among equals; the rest keep their original order.
    const noteIndices = findings.flatMap((f, i) => (f.severity === 'note' ? [i] : []));
    const dropped = new Set(noteIndices.slice(-10));
    const expected = findings.filter((_, i) => !dropped.has(i)).map((f) => schemaLintFingerprint(f.key));
    expect(results.map((r) => r.partialFingerprints['schemaLint/v1'])).toEqual(expected);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/25,000 of 25,010 findings.*10 \(0 errors, 0 warnings, 10 notes\)/);
    // Not through the multitool: its GH1004 still enforces an old 1,000-result limit (research/sarif.md §8.3), and a
    // 25,000-result file takes it about 45 s.
    expectValid(sarif, 'capped', { multitool: false });
  });

  test('the validators catch what GitHub rejects (so a passing test means something)', () => {
    const { sarif } = render([finding('missing-primary-key', dbOrigin())]);
    const broken = JSON.parse(JSON.stringify(sarif)) as SarifLog;
    const result = broken.runs[0].results[0];
    result.locations[0].physicalLocation.artifactLocation.uri = 'db/my schema.sql';
    result.level = 'fatal';
    expect(validateSarifSchema(broken).join('\n')).toMatch(/oasis: .*level[\s\S]*codeql-action: .*level/);
    expect(checkGithubInvariants(broken).join('\n')).toMatch(/level fatal[\s\S]*not a clean relative reference/);
    result.level = 'error';
    const file = path.join(sarifDir, 'broken.sarif');
    writeFileSync(file, JSON.stringify(broken));
    forMultitool.set(file, /SARIF1002/);
    result.locations = [];
    expect(checkGithubInvariants(broken)).toContain('result 0: not exactly one location');
  });

  test('the seed review with every rule on (opt-in ones too): real descriptors, messages and fixes', async () => {
    // The logs above use made-up rules; this one carries every real rule's help text, helpUri and fix wording. The
    // CLI's --format sarif calls the same renderer; the files it writes (DDL and live mode, --source) get the schema
    // checks in cli.test.ts, not a multitool run of their own (one .NET start a suite).
    const report = await lint({
      paths: [path.join(repoRoot, 'fixtures/seed/dba-review.sql')],
      config: false,
      rules: onlyRuleLevels(allRules.map((rule) => rule.id)),
      now: new Date('2026-11-29T00:00:00Z'),
    });
    const sarif = JSON.parse(renderReportSarif(report, { cwd: repoRoot, repoRoot }).text) as SarifLog;
    expect(sarif.runs[0].tool.driver.rules).toHaveLength(allRules.length);
    expect(new Set(resultsOf(sarif).map((r) => r.ruleId)).size).toBeGreaterThanOrEqual(4);
    expectValid(sarif, 'seed-every-rule');
  });

  test('sarif-multitool (GitHub-ingestion rules) accepts every log above and rejects the broken one', async () => {
    expect(forMultitool.size).toBeGreaterThan(5);
    const errors = await validateSarifFilesWithMultitool([...forMultitool.keys()]);
    for (const [file, expected] of forMultitool) {
      const found = errors.get(file) ?? [`${file}: not in the multitool's verdict`];
      if (expected) expect(`${file}: ${found.join('\n')}`).toMatch(expected);
      else expect({ file, errors: found }).toEqual({ file, errors: [] });
    }
  });
});
