/**
 * Index fixes write their SQL when it is read (src/fix/lazy-sql.ts) instead of holding it from the rules to the end
 * of the run. What must not change: the finding looks the same to JSON, copies and equality (`sql` first, own and
 * enumerable), every read gives the same text, the names stay the ones chosen when the rule ran, and the fix-up
 * script and the JSON report carry that text.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import type { Finding } from '../src/engine/types.js';
import { renderFixScript } from '../src/fix/script.js';
import { fixWithLazySql } from '../src/fix/lazy-sql.js';
import { loadParser } from '../src/sql/parser.js';
import { lintSql } from './support/lint.js';

const NOW = new Date('2026-12-01T00:00:00Z');

// Two foreign keys on one table whose natural index names collide with existing relations, a partitioned table
// (ON ONLY + per-partition builds), and jsonb columns: the names are numbered in rule order.
const SCHEMA = `
CREATE TABLE customers (id bigint PRIMARY KEY, settings jsonb);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id), payload jsonb);
CREATE TABLE orders_customer_id_fk_idx (id int);
CREATE INDEX orders_customer_id_fk_idx1 ON customers (id);
CREATE TABLE events (id bigint, at timestamptz NOT NULL, customer_id bigint REFERENCES customers (id), doc jsonb) PARTITION BY RANGE (at);
CREATE TABLE events_2026_11 PARTITION OF events FOR VALUES FROM ('2026-11-01') TO ('2026-12-01');
CREATE TABLE events_2026_12 PARTITION OF events FOR VALUES FROM ('2026-12-01') TO ('2027-01-01');
`;

let findings: Finding[];

beforeAll(async () => {
  await loadParser();
  findings = await lintSql(SCHEMA, { now: NOW, rules: ['foreign-key-without-index', 'jsonb-without-gin-index'] });
});

describe('index fixes written on demand', () => {
  test('hold an accessor, not the text, and every read gives the same text', () => {
    expect(findings.length).toBeGreaterThanOrEqual(5);
    for (const finding of findings) {
      const fix = finding.fix!;
      const descriptor = Object.getOwnPropertyDescriptor(fix, 'sql')!;
      expect(typeof descriptor.get).toBe('function');
      expect(descriptor.enumerable).toBe(true);
      expect(Object.keys(fix)[0]).toBe('sql');
      expect(fix.sql).toBe(fix.sql);
      expect(fix.sql).toMatch(/CREATE INDEX/);
    }
  });

  test('look like plain fixes to JSON, spread copies and equality', () => {
    for (const finding of findings) {
      const fix = finding.fix!;
      const plain = { ...fix };
      expect(Object.getOwnPropertyDescriptor(plain, 'sql')!.value).toBe(fix.sql);
      expect(JSON.parse(JSON.stringify(fix))).toEqual(plain);
      expect(JSON.stringify(fix)).toBe(JSON.stringify(plain));
      expect(fix).toEqual(plain);
      expect(Object.getOwnPropertySymbols(fix).every((symbol) => !Object.getOwnPropertyDescriptor(fix, symbol)!.enumerable)).toBe(true);
    }
  });

  test('keep the names chosen when the rule ran: numbered past taken names, never the same name twice', () => {
    const byKey = new Map(findings.map((f) => [f.key, f.fix!.sql]));
    const orders = byKey.get('foreign-key-without-index/public.orders/orders_customer_id_fkey')!;
    expect(orders).toContain('CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_fk_idx2 ON public.orders (customer_id);');
    expect(orders).toContain('DROP INDEX CONCURRENTLY IF EXISTS public.orders_customer_id_fk_idx2_invalid;');
    const events = byKey.get('foreign-key-without-index/public.events/events_customer_id_fkey')!;
    expect(events).toContain('CREATE INDEX IF NOT EXISTS events_customer_id_fk_idx ON ONLY public.events (customer_id);');
    expect(events).toContain('ALTER INDEX public.events_customer_id_fk_idx ATTACH PARTITION public.events_2026_11_customer_id_fk_idx;');
    expect(events).toContain('ALTER INDEX public.events_customer_id_fk_idx ATTACH PARTITION public.events_2026_12_customer_id_fk_idx;');
    const created = [...findings.map((f) => f.fix!.sql).join('\n').matchAll(/CREATE INDEX (?:CONCURRENTLY )?IF NOT EXISTS (\S+)/g)].map((m) => m[1]);
    expect(new Set(created).size).toBe(created.length);
  });

  test('the fix-up script writes the same text the findings give', () => {
    const script = renderFixScript(findings, { toolVersion: 't', generatedAt: NOW });
    // A plan to review (the jsonb columns here: nothing shows they are searched) is the same text, commented.
    expect(findings.filter((f) => f.fix!.safety === 'review').length).toBeGreaterThan(0);
    for (const finding of findings) {
      const fix = finding.fix!;
      expect(script).toContain(fix.safety === 'review' ? fix.sql.split('\n').map((line) => `-- | ${line}`).join('\n') : fix.sql);
    }
    expect(script).toContain('--        lock: SHARE UPDATE EXCLUSIVE');
  });

  test('fixWithLazySql keeps the order of the other fields', () => {
    let reads = 0;
    const fix = fixWithLazySql({ get sql() { reads++; return 'SELECT 1;'; } }, { safety: 'safe', concurrently: false, notes: ['n'], target: { table: 'a.b', kind: 'index' } });
    expect(reads).toBe(0);
    expect(JSON.stringify(fix)).toBe('{"sql":"SELECT 1;","safety":"safe","concurrently":false,"notes":["n"],"target":{"table":"a.b","kind":"index"}}');
    expect(reads).toBe(1);
  });
});
