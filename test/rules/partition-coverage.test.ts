/** partition-coverage: fixtures (exact findings), bound parsing, fix SQL (parses, closes the finding in DDL mode), docs. */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { partitionCoverage } from '../../rules/partition-coverage.js';
import { boundInstant, addMonths, IntervalGrid } from '../../rules/partition-coverage/time.js';
import { detectNamePattern, partitionName } from '../../rules/partition-coverage/naming.js';
import { emptyConfig, resolveRuleOptions } from '../../src/engine/config.js';
import { runRules } from '../../src/engine/run-rules.js';
import type { Finding } from '../../src/engine/types.js';
import { loadParser, parseStatements } from '../../src/sql/parser.js';
import { loadFixtureCases, type FixtureCase } from '../support/fixtures.js';
import { ddlModel } from '../support/lint.js';

const ruleId = 'partition-coverage';

async function lint(files: FixtureCase['files'] | string, options?: Record<string, unknown>, now = new Date('2026-01-15T00:00:00Z')): Promise<Finding[]> {
  const { model } = await ddlModel(files);
  const rule = partitionCoverage;
  return runRules(model, [{ rule, severity: rule.defaultSeverity, options: resolveRuleOptions(rule, options, 'test') }], emptyConfig(), { now, live: false });
}

const cases = loadFixtureCases(ruleId);
const utc = (text: string): number => Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);

beforeAll(async () => {
  await loadParser();
});

describe('partition-coverage fixtures (DDL mode)', () => {
  test('every fixture says when now is', () => {
    for (const fixture of cases) expect([fixture.name, fixture.now]).toEqual([fixture.name, expect.any(Date)]);
  });

  // Exact findings per fixture are the rule harness's (test/rule-harness.test.ts).
  for (const fixture of cases) {
    if (fixture.expected.length) {
      test(`${fixture.name}: the fix parses, and appended to the schema it leaves no finding`, async () => {
        const findings = await lint(fixture.files, fixture.options, fixture.now);
        for (const finding of findings) {
          expect(finding.fix?.safety).toBe('safe');
          const parsed = parseStatements(finding.fix!.sql);
          expect(parsed.ok).toBe(true);
          const fixed = [...fixture.files, { file: 'fix.sql', text: finding.fix!.sql }];
          const after = await lint(fixed, fixture.options, fixture.now);
          expect(after.filter((f) => f.key === finding.key)).toEqual([]);
        }
      });
    }
  }
});

function fixtureFinding(name: string, key: string): Promise<Finding> {
  const fixture = cases.find((c) => c.name === name)!;
  return lint(fixture.files, fixture.options, fixture.now).then((findings) => findings.find((f) => f.key === key)!);
}

const creates = (sql: string): string[] => sql.split('\n').filter((line) => line.startsWith('CREATE TABLE'));

describe('partition-coverage findings and fixes', () => {
  test('message names the table, the horizon and the required date', async () => {
    const finding = await fixtureFinding('monthly-short-of-horizon', 'partition-coverage/public.events');
    expect(finding.message).toMatch(/^Partitioned table public\.events has partitions up to 2026-02-01, short of 2026-04-15 \(3 months ahead\)\./);
    expect(finding.severity).toBe('error');
    expect(creates(finding.fix!.sql)).toEqual([
      "CREATE TABLE IF NOT EXISTS public.events_2026_02 PARTITION OF public.events FOR VALUES FROM ('2026-02-01 00:00:00+00') TO ('2026-03-01 00:00:00+00');",
      "CREATE TABLE IF NOT EXISTS public.events_2026_03 PARTITION OF public.events FOR VALUES FROM ('2026-03-01 00:00:00+00') TO ('2026-04-01 00:00:00+00');",
      "CREATE TABLE IF NOT EXISTS public.events_2026_04 PARTITION OF public.events FOR VALUES FROM ('2026-04-01 00:00:00+00') TO ('2026-05-01 00:00:00+00');",
    ]);
  });

  test('gaps are listed and filled with their exact bounds', async () => {
    const finding = await fixtureFinding('gap-in-the-middle', 'partition-coverage/public.orders');
    expect(finding.message).toContain('2 gaps no partition covers: from 2026-03-01 to 2026-04-01, from 2026-06-15 to 2026-07-01.');
    expect(finding.message).not.toContain('short of');
    expect(creates(finding.fix!.sql)).toEqual([
      "CREATE TABLE IF NOT EXISTS public.orders_2026_03 PARTITION OF public.orders FOR VALUES FROM ('2026-03-01 00:00:00+00') TO ('2026-04-01 00:00:00+00');",
      "CREATE TABLE IF NOT EXISTS public.orders_2026_06_15 PARTITION OF public.orders FOR VALUES FROM ('2026-06-15 00:00:00+00') TO ('2026-07-01 00:00:00+00');",
    ]);
  });

  test('no partitions: starts at the interval holding now', async () => {
    const finding = await fixtureFinding('no-partitions', 'partition-coverage/public.step_runs');
    expect(finding.message).toContain('has no range partitions, short of 2026-04-15');
    expect(creates(finding.fix!.sql).map((s) => /public\.(\w+) PARTITION/.exec(s)![1])).toEqual([
      'step_runs_2026_01', 'step_runs_2026_02', 'step_runs_2026_03', 'step_runs_2026_04',
    ]);
  });

  test('a DEFAULT partition: the script says to move its rows first', async () => {
    const finding = await fixtureFinding('default-partition', 'partition-coverage/public.logs');
    expect(finding.fix!.sql.split('\n')[0]).toMatch(/^-- Move rows of the new ranges out of the DEFAULT partition public\.logs_default first/);
    expect(finding.fix!.notes.join(' ')).toContain('DEFAULT partition public.logs_default must hold no rows');
    expect(finding.fix!.sql).toContain("FOR VALUES FROM ('2026-02-01 00:00:00') TO ('2026-03-01 00:00:00')");
  });

  test('daily partitions: one per day through the required date, in the siblings\' name style', async () => {
    const finding = await fixtureFinding('daily', 'partition-coverage/public.requests');
    expect(creates(finding.fix!.sql).map((s) => /public\.(\w+) PARTITION/.exec(s)![1])).toEqual([
      'requests_20260115', 'requests_20260116', 'requests_20260117', 'requests_20260118', 'requests_20260119', 'requests_20260120',
    ]);
  });

  test('yearly, quarterly, date keys and quoted names keep the existing pattern', async () => {
    expect(creates((await fixtureFinding('yearly', 'partition-coverage/public.invoices')).fix!.sql)).toEqual([
      "CREATE TABLE IF NOT EXISTS public.invoices_y2027 PARTITION OF public.invoices FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');",
    ]);
    expect(creates((await fixtureFinding('quarterly', 'partition-coverage/public.ledger')).fix!.sql)).toEqual([
      "CREATE TABLE IF NOT EXISTS public.ledger_2026_q2 PARTITION OF public.ledger FOR VALUES FROM ('2026-04-01 00:00:00') TO ('2026-07-01 00:00:00');",
    ]);
    expect(creates((await fixtureFinding('date-key', 'partition-coverage/public.shipments')).fix!.sql)[0]).toBe(
      "CREATE TABLE IF NOT EXISTS public.shipments_p202603 PARTITION OF public.shipments FOR VALUES FROM ('2026-03-01') TO ('2026-04-01');",
    );
    const quoted = await fixtureFinding('quoted-non-public', 'partition-coverage/Audit Data.Events');
    expect(creates(quoted.fix!.sql)[0]).toBe(
      `CREATE TABLE IF NOT EXISTS "Audit Data"."Events_y2026m02" PARTITION OF "Audit Data"."Events" FOR VALUES FROM ('2026-02-01 00:00:00+00') TO ('2026-03-01 00:00:00+00');`,
    );
    const dump = await fixtureFinding('pg-dump-attach', 'partition-coverage/public.payment');
    expect(creates(dump.fix!.sql).map((s) => /public\.(\w+) PARTITION/.exec(s)![1])).toEqual([
      'payment_p2022_03', 'payment_p2022_04', 'payment_p2022_05', 'payment_p2022_06', 'payment_p2022_07', 'payment_p2022_08', 'payment_p2022_09',
    ]);
  });

  test('sub-partitioned parents: their own bounds count, and the fix notes new partitions are plain', async () => {
    const finding = await fixtureFinding('sub-partitioned', 'partition-coverage/public.usage');
    expect(finding.message).toContain('up to 2026-03-01');
    expect(finding.fix!.notes.join(' ')).toMatch(/sub-partitioned; the new partitions are plain tables/);
  });

  test('bounds written with a zone meet bounds without one (read as UTC): no gap', async () => {
    const finding = await fixtureFinding('timestamptz-zones', 'partition-coverage/public.clicks');
    expect(finding.message).not.toContain('gap');
    expect(finding.message).toContain('up to 2026-04-01');
  });

  test('a taken name is numbered, never reused', async () => {
    const sql =
      'CREATE TABLE t (at date NOT NULL) PARTITION BY RANGE (at);\n' +
      "CREATE TABLE t_2026_01 PARTITION OF t FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');\n" +
      'CREATE TABLE t_2026_02 (x int);';
    const [finding] = await lint(sql);
    const names = creates(finding.fix!.sql).map((s) => /public\.(\w+) PARTITION/.exec(s)![1]);
    expect(names[0]).not.toBe('t_2026_02');
    expect(names[0]).toMatch(/^t_2026_02\d+$/);
  });

  test('monthsAhead and interval options', async () => {
    const sql = 'CREATE TABLE t (at timestamptz NOT NULL) PARTITION BY RANGE (at);';
    const [finding] = await lint(sql, { monthsAhead: 1, interval: 'week' });
    expect(finding.message).toContain('short of 2026-02-15 (1 month ahead)');
    const names = creates(finding.fix!.sql).map((s) => /public\.(\w+) PARTITION/.exec(s)![1]);
    // 2026-01-15 is a Thursday: the first week starts on Monday 2026-01-12, the last holds 2026-02-15.
    expect(names[0]).toBe('t_2026_01_12');
    expect(names[names.length - 1]).toBe('t_2026_02_09');
    expect(() => resolveRuleOptions(partitionCoverage, { interval: 'fortnight' }, 'test')).toThrow(/interval/);
  });
});

describe('bound parsing (both modes read the same instants)', () => {
  test.each([
    ['2026-01-01', 'timestamptz', '2026-01-01T00:00:00Z'],
    ['2026-01-01 00:00:00+00', 'timestamptz', '2026-01-01T00:00:00Z'],
    ['2026-01-01 01:00:00+01', 'timestamptz', '2026-01-01T00:00:00Z'],
    ['2025-12-31 19:00:00-05', 'timestamptz', '2026-01-01T00:00:00Z'],
    ['2026-01-01 05:30:00+05:30', 'timestamptz', '2026-01-01T00:00:00Z'],
    ['2026-01-01T00:00:00Z', 'timestamptz', '2026-01-01T00:00:00Z'],
    ['2026-07-01 00:00:00 Europe/Berlin', 'timestamptz', '2026-06-30T22:00:00Z'],
    ['2026-01-01 12:00:00.25', 'timestamptz', '2026-01-01T12:00:00.250Z'],
    ['2026-01-01 01:00:00+01', 'timestamp', '2026-01-01T01:00:00Z'],
    ['2026-01-01', 'date', '2026-01-01T00:00:00Z'],
  ] as const)('%s as %s', (text, type, expected) => {
    expect(boundInstant({ kind: 'value', text }, type)).toBe(utc(expected));
  });

  test('MINVALUE, MAXVALUE, infinity and unreadable text', () => {
    expect(boundInstant({ kind: 'minvalue' }, 'date')).toBe(-Infinity);
    expect(boundInstant({ kind: 'maxvalue' }, 'date')).toBe(Infinity);
    expect(boundInstant({ kind: 'value', text: 'infinity' }, 'timestamptz')).toBe(Infinity);
    expect(boundInstant({ kind: 'value', text: '-infinity' }, 'timestamptz')).toBe(-Infinity);
    expect(boundInstant({ kind: 'value', text: 'now' }, 'timestamptz')).toBeUndefined();
  });

  test('live-mode bound text (pg_get_expr with TimeZone UTC) gives the same finding as DDL text', async () => {
    const ddl = 'CREATE TABLE t (at timestamptz NOT NULL) PARTITION BY RANGE (at);\n' +
      "CREATE TABLE t_a PARTITION OF t FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');";
    const live = ddl.replace("('2026-01-01') TO ('2026-02-01')", "('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00')");
    const [a] = await lint(ddl);
    const [b] = await lint(live);
    expect(b.message).toBe(a.message);
    expect(b.fix!.sql).toBe(a.fix!.sql);
  });

  test('month arithmetic clamps the day, and grids do not drift', () => {
    expect(addMonths(utc('2026-01-31'), 1)).toBe(utc('2026-02-28'));
    const grid = new IntervalGrid('month', utc('2026-01-31'));
    expect(grid.nextBoundary(utc('2026-02-28'))).toBe(utc('2026-03-31'));
    expect(IntervalGrid.calendar('quarter').startOf(utc('2026-05-20'))).toBe(utc('2026-04-01'));
  });

  test('name patterns: a year inside a full date is not a year', () => {
    expect(detectNamePattern([{ name: 'x_20260101', from: utc('2026-03-01') }], 'year')).toBeUndefined();
    expect(detectNamePattern([{ name: 'x_2026', from: utc('2026-01-01') }], 'month')).toBeUndefined();
    const monthly = detectNamePattern([{ name: 'sales_m2026_01_v2', from: utc('2026-01-01') }], 'month')!;
    expect(partitionName('sales', monthly, utc('2026-02-01'), () => false)).toBe('sales_m2026_02_v2');
  });
});

describe('partition-coverage docs', () => {
  const now = new Date('2026-01-15T00:00:00Z');
  for (const example of partitionCoverage.docs.bad) {
    test(`bad: ${example.title}`, async () => {
      expect((await lint(example.sql, undefined, now)).length).toBeGreaterThan(0);
    });
  }
  for (const example of partitionCoverage.docs.good) {
    test(`good: ${example.title}`, async () => {
      expect(await lint(example.sql, undefined, now)).toEqual([]);
    });
  }
});
