/**
 * jsonb-without-gin-index and jsonb-without-validation: fixtures (exact findings), fix SQL (parses, and the fixed
 * schema re-linted in DDL mode has no finding left), docs examples, and the default-type inference.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { emptyConfig, resolveRuleOptions } from '../../src/engine/config.js';
import { runRules } from '../../src/engine/run-rules.js';
import type { AnyRule, Finding } from '../../src/engine/types.js';
import type { SchemaModel } from '../../src/model/types.js';
import { parseExpressionText } from '../../src/sql/expression.js';
import { loadParser, parseStatements } from '../../src/sql/parser.js';
import { jsonbWithoutGinIndex } from '../../rules/jsonb-without-gin-index.js';
import { jsonbWithoutValidation } from '../../rules/jsonb-without-validation.js';
import { jsonKindOfExpression } from '../../rules/jsonb/columns.js';
import { loadFixtureCases, type FixtureCase } from '../support/fixtures.js';
import { ddlModel } from '../support/lint.js';

const RULES: AnyRule[] = [jsonbWithoutGinIndex, jsonbWithoutValidation];

function lint(rule: AnyRule, model: SchemaModel, options?: Record<string, unknown>): Finding[] {
  const enabled = [{ rule, severity: rule.defaultSeverity, options: resolveRuleOptions(rule, options, 'test') }];
  return runRules(model, enabled, emptyConfig(), { now: new Date('2026-01-15T00:00:00Z'), live: false });
}

async function lintSql(rule: AnyRule, sql: string | Array<{ file: string; text: string }>, options?: Record<string, unknown>): Promise<Finding[]> {
  const { model } = await ddlModel(sql);
  return lint(rule, model, options);
}

async function lintFixture(fixture: FixtureCase, rule: AnyRule, extra: Array<{ file: string; text: string }> = []): Promise<Finding[]> {
  const { model, diagnostics } = await ddlModel([...fixture.files, ...extra]);
  expect(diagnostics.filter((d) => d.kind === 'syntax')).toEqual([]);
  return lint(rule, model, fixture.options);
}

function byKey(findings: Finding[], key: string): Finding {
  const found = findings.find((f) => f.key === key);
  if (!found) throw new Error(`no finding ${key}; have ${findings.map((f) => f.key).join(', ')}`);
  return found;
}

async function fixtureFindings(rule: AnyRule, name: string): Promise<Finding[]> {
  const fixture = loadFixtureCases(rule.id).find((c) => c.name === name);
  if (!fixture) throw new Error(`no fixture ${rule.id}/${name}`);
  return lintFixture(fixture, rule);
}

beforeAll(async () => {
  await loadParser();
});

for (const rule of RULES) {
  describe(`${rule.id} fixtures`, () => {
    const cases = loadFixtureCases(rule.id);

    for (const fixture of cases) {
      // Exact findings, docs examples and snapshots are the rule harness's (test/rule-harness.test.ts).
      test(`${fixture.name}: findings are about the column, and say so first`, async () => {
        const findings = await lintFixture(fixture, rule);
        for (const finding of findings) {
          expect(finding.object.kind).toBe('column');
          // The message's first sentence names the column.
          expect(finding.message.startsWith(`Column ${finding.object.schema}.${finding.object.name}.${finding.object.column} (`)).toBe(true);
        }
      });

      if (fixture.expected.length === 0) continue;

      test(`${fixture.name}: every fix statement parses`, async () => {
        for (const finding of await lintFixture(fixture, rule)) {
          expect(finding.fix).toBeDefined();
          const parsed = parseStatements(finding.fix!.sql);
          expect(parsed.ok).toBe(true);
          // Every top-level statement ends a line: the script stays readable one statement at a time.
          if (parsed.ok) expect(parsed.stmts.length).toBe(finding.fix!.sql.split('\n').filter((line) => /^(ALTER|CREATE|DO|DROP)\b/.test(line)).length);
        }
      });

      test(`${fixture.name}: the fixed schema has no finding left`, async () => {
        const findings = await lintFixture(fixture, rule);
        // All fixes together, as the fix-up script applies them: names reserved in one run must not collide.
        const script = findings.map((f) => f.fix!.sql).join('\n');
        expect(await lintFixture(fixture, rule, [{ file: 'fix.sql', text: script }])).toEqual([]);
        for (const finding of findings) {
          const after = await lintFixture(fixture, rule, [{ file: 'fix.sql', text: finding.fix!.sql }]);
          expect(after.map((f) => f.key)).not.toContain(finding.key);
          expect(after.length).toBe(findings.length - 1);
        }
      });
    }
  });

}

describe('jsonb-without-gin-index fixes and messages', () => {
  const rule = jsonbWithoutGinIndex;

  /** The build itself, without the repair step each concurrent build is preceded by (tested in fix-repair.test.ts). */
  const build = (sql: string): string => sql.split('\n').filter((line) => !/^(-- Repair|DO \$repair|DROP INDEX CONCURRENTLY IF EXISTS .*_invalid"?;)/.test(line)).join('\n');

  test('a plain table gets a concurrent jsonb_path_ops GIN index: a plan to review while nothing shows the column is searched', async () => {
    const finding = byKey(await fixtureFindings(rule, 'bare-column'), 'jsonb-without-gin-index/public.events.payload');
    expect(finding.severity).toBe('note');
    expect({ ...finding.fix, sql: build(finding.fix!.sql) }).toMatchObject({
      sql: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS events_payload_gin_idx ON public.events USING gin (payload jsonb_path_ops);',
      safety: 'review',
      concurrently: true,
    });
    expect(finding.fix!.notes[0]).toMatch(/^Nothing shows this column is searched: a GIN index slows every write to it\./);
    expect(finding.message).toMatch(/^Column public\.events\.payload \(jsonb\) has no GIN index\./);
  });

  test('with evidence the column is searched (option tables, or rows), the same build is a safe statement', async () => {
    const sql = "CREATE TABLE events (id bigint PRIMARY KEY, payload jsonb NOT NULL DEFAULT '{}');";
    const [finding] = await lintSql(rule, sql, { tables: ['public.events'] });
    expect(finding.severity).toBe('warning');
    expect(finding.fix).toMatchObject({ safety: 'safe' });
    expect(finding.fix!.notes.join(' ')).not.toMatch(/Nothing shows/);
    expect(build(finding.fix!.sql)).toBe('CREATE INDEX CONCURRENTLY IF NOT EXISTS events_payload_gin_idx ON public.events USING gin (payload jsonb_path_ops);');
  });

  test('option opclass jsonb_ops builds the default operator class', async () => {
    const finding = byKey(await fixtureFindings(rule, 'option-jsonb-ops'), 'jsonb-without-gin-index/public.events.payload');
    expect(build(finding.fix!.sql)).toBe('CREATE INDEX CONCURRENTLY IF NOT EXISTS events_payload_gin_idx ON public.events USING gin (payload);');
  });

  test('an unknown opclass option is rejected', () => {
    expect(() => resolveRuleOptions(rule, { opclass: 'gin_trgm_ops' }, 'test')).toThrow(/opclass/);
  });

  test('a partitioned parent gets ON ONLY, per-partition concurrent builds, and attaches (reusing a matching index)', async () => {
    const finding = byKey(await fixtureFindings(rule, 'partitioned-parent'), 'jsonb-without-gin-index/public.measurements.payload');
    expect(build(finding.fix!.sql).split('\n')).toEqual([
      'CREATE INDEX IF NOT EXISTS measurements_payload_gin_idx ON ONLY public.measurements USING gin (payload jsonb_path_ops);',
      'ALTER INDEX public.measurements_payload_gin_idx ATTACH PARTITION public.measurements_2026_01_payload_idx;',
      'CREATE INDEX IF NOT EXISTS measurements_2026_02_payload_gin_idx ON ONLY public.measurements_2026_02 USING gin (payload jsonb_path_ops);',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS measurements_2026_02_a_payload_gin_idx ON public.measurements_2026_02_a USING gin (payload jsonb_path_ops);',
      'ALTER INDEX public.measurements_2026_02_payload_gin_idx ATTACH PARTITION public.measurements_2026_02_a_payload_gin_idx;',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS measurements_2026_02_b_payload_gin_idx ON public.measurements_2026_02_b USING gin (payload jsonb_path_ops);',
      'ALTER INDEX public.measurements_2026_02_payload_gin_idx ATTACH PARTITION public.measurements_2026_02_b_payload_gin_idx;',
      'ALTER INDEX public.measurements_payload_gin_idx ATTACH PARTITION public.measurements_2026_02_payload_gin_idx;',
    ]);
    expect(finding.fix!.concurrently).toBe(true);
    expect(finding.message).toContain('Partitions with their own GIN index on it: public.measurements_2026_01;');
  });

  test('a partition index of another operator class is not reused', async () => {
    const sql =
      'CREATE TABLE r (id int, payload jsonb) PARTITION BY LIST (id);\n' +
      'CREATE TABLE r1 PARTITION OF r FOR VALUES IN (1);\n' +
      'CREATE INDEX r1_payload_idx ON r1 USING gin (payload);';
    const [finding] = await lintSql(rule, sql);
    expect(finding.fix!.sql).toContain('CREATE INDEX CONCURRENTLY IF NOT EXISTS r1_payload_gin_idx ON public.r1 USING gin (payload jsonb_path_ops);');
    const [withJsonbOps] = await lintSql(rule, sql, { opclass: 'jsonb_ops' });
    expect(withJsonbOps.fix!.sql).toContain('ATTACH PARTITION public.r1_payload_idx;');
    expect(withJsonbOps.fix!.sql).not.toContain('CONCURRENTLY');
  });

  test('the message explains indexes that do not count', async () => {
    const btree = byKey(await fixtureFindings(rule, 'btree-on-expression'), 'jsonb-without-gin-index/public.events.payload');
    expect(btree.message).toContain('public.events_payload_kind_idx (btree), public.events_payload_hash_idx (hash) serve only');
    const invalid = byKey(await fixtureFindings(rule, 'invalid-index'), 'jsonb-without-gin-index/public.readings.payload');
    expect(invalid.message).toContain('GIN index public.readings_payload_idx on it is invalid');
  });

  test('a domain column is named with its domain', async () => {
    const finding = byKey(await fixtureFindings(rule, 'domain-over-jsonb'), 'jsonb-without-gin-index/public.events.extra');
    expect(finding.message).toMatch(/^Column public\.events\.extra \(domain public\.nested_doc over jsonb\) has no GIN index\./);
    expect(build(finding.fix!.sql)).toBe('CREATE INDEX CONCURRENTLY IF NOT EXISTS events_extra_gin_idx ON public.events USING gin (extra jsonb_path_ops);');
  });

  test('quoted names and a taken index name', async () => {
    const quoted = byKey(await fixtureFindings(rule, 'quoted-and-schema'), 'jsonb-without-gin-index/Audit.Event Log.Payload');
    expect(build(quoted.fix!.sql)).toBe('CREATE INDEX CONCURRENTLY IF NOT EXISTS "Event Log_Payload_gin_idx" ON "Audit"."Event Log" USING gin ("Payload" jsonb_path_ops);');
    const keyword = byKey(await fixtureFindings(rule, 'quoted-and-schema'), 'jsonb-without-gin-index/Audit.Event Log.order');
    expect(keyword.fix!.sql).toContain('USING gin ("order" jsonb_path_ops);');
    const taken = byKey(await fixtureFindings(rule, 'name-taken'), 'jsonb-without-gin-index/public.events.payload');
    expect(taken.fix!.sql).toContain('events_payload_gin_idx1 ON public.events');
  });
});

describe('jsonb-without-validation fixes and messages', () => {
  const rule = jsonbWithoutValidation;
  // ADD CONSTRAINT has no IF NOT EXISTS: the fix wraps it so a re-run of the script skips it with a notice.
  const unquote = (ident: string): string => ident.replace(/"/g, '');
  const addCheck = (table: string, name: string, column: string, kind: string): string =>
    `DO $fix$\nBEGIN\n  ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (jsonb_typeof(${column}) = '${kind}') NOT VALID;\n` +
    `EXCEPTION WHEN duplicate_object THEN\n  RAISE NOTICE 'constraint ${unquote(name)} on ${unquote(table)} already exists, skipped';\nEND\n$fix$;\n` +
    `ALTER TABLE ${table} VALIDATE CONSTRAINT ${name};`;
  /** A plan to review is the plain statements: nobody re-runs it as the script's guarded statements are. */
  const planCheck = (table: string, name: string, column: string, kind: string): string =>
    `ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (jsonb_typeof(${column}) = '${kind}') NOT VALID;\n` +
    `ALTER TABLE ${table} VALIDATE CONSTRAINT ${name};`;

  test('a column without a CHECK gets one added NOT VALID, then validated', async () => {
    const finding = byKey(await fixtureFindings(rule, 'bare-column'), 'jsonb-without-validation/public.events.payload');
    // The default '{}' shows the type; the new CHECK still changes what writes are accepted: 'behaviour'.
    expect(finding.fix).toMatchObject({ sql: addCheck('public.events', 'events_payload_check', 'payload', 'object'), safety: 'behaviour', concurrently: false });
    expect(finding.fix!.notes.join(' ')).toContain("comes from the column's default");
    const [guessed] = await lintSql(rule, 'CREATE TABLE t (d jsonb);');
    expect(guessed.fix!.safety).toBe('review');
    expect(guessed.fix!.notes.join(' ')).toContain("'object' is a guess");
    expect(finding.message).toMatch(/^Column public\.events\.payload \(jsonb\) has no CHECK constraint\./);
  });

  test('the JSON type comes from the default', async () => {
    const findings = await fixtureFindings(rule, 'default-array');
    const kindOf = (column: string): string | undefined => /= '(\w+)'/.exec(byKey(findings, `jsonb-without-validation/public.events.${column}`).fix!.sql)?.[1];
    expect(['tags', 'labels', 'steps', 'attrs', 'payload'].map(kindOf)).toEqual(['array', 'array', 'array', 'object', 'object']);
  });

  test('a NOT VALID check is validated, on a plain and on a partitioned table', async () => {
    const findings = await fixtureFindings(rule, 'not-valid');
    const events = byKey(findings, 'jsonb-without-validation/public.events.payload');
    expect(events.fix).toMatchObject({ sql: 'ALTER TABLE public.events VALIDATE CONSTRAINT events_payload_object;', safety: 'safe' });
    expect(events.message).toContain('CHECK events_payload_object is NOT VALID and never validated');
    const readings = byKey(findings, 'jsonb-without-validation/public.readings.payload');
    expect(readings.fix!.sql).toBe('ALTER TABLE public.readings VALIDATE CONSTRAINT readings_payload_object;');
  });

  const notEnforcedSql =
    "CREATE TABLE events (\n    id bigint PRIMARY KEY,\n    payload jsonb NOT NULL DEFAULT '{}',\n" +
    "    CONSTRAINT events_payload_object CHECK (jsonb_typeof(payload) = 'object') NOT ENFORCED\n);";

  test('DDL mode sees NOT ENFORCED checks, table-level and column-level, as neither enforced nor validated', async () => {
    const { model } = await ddlModel(
      notEnforcedSql + "\nCREATE TABLE notes (body jsonb CONSTRAINT notes_body_check CHECK (jsonb_typeof(body) = 'array') NOT ENFORCED);",
    );
    const tableLevel = model.tables.get('public.events')!.constraints.find((c) => c.name === 'events_payload_object')!;
    const columnLevel = model.tables.get('public.notes')!.constraints.find((c) => c.name === 'notes_body_check')!;
    expect([tableLevel.enforced, tableLevel.validated, columnLevel.enforced, columnLevel.validated]).toEqual([false, false, false, false]);
  });

  test('a NOT ENFORCED check gets a plan to review', async () => {
    const { model } = await ddlModel(notEnforcedSql);
    const finding = byKey(lint(rule, model), 'jsonb-without-validation/public.events.payload');
    expect(finding.message).toContain('CHECK events_payload_object is NOT ENFORCED');
    expect(finding.fix!.safety).toBe('review');
    expect(finding.fix!.sql).toBe(
      "ALTER TABLE public.events DROP CONSTRAINT events_payload_object, ADD CONSTRAINT events_payload_object CHECK (jsonb_typeof(payload) = 'object') NOT VALID;\n" +
        'ALTER TABLE public.events VALIDATE CONSTRAINT events_payload_object;',
    );
    expect(parseStatements(finding.fix!.sql).ok).toBe(true);
    const { model: fixed } = await ddlModel([{ file: 'a.sql', text: notEnforcedSql }, { file: 'fix.sql', text: finding.fix!.sql }]);
    expect(lint(rule, fixed)).toEqual([]);
  });

  test('a NOT VALID domain check is validated on the domain', async () => {
    // DDL mode cannot express this (ALTER DOMAIN … NOT VALID is not applied); live mode reads it from pg_constraint.
    const { model } = await ddlModel("CREATE DOMAIN doc AS jsonb CHECK (jsonb_typeof(VALUE) = 'object');\nCREATE TABLE t (d doc);");
    model.domains.get('public.doc')!.checks[0].validated = false;
    const [finding] = lint(rule, model);
    expect(finding.message).toContain('CHECK doc_check on domain public.doc is NOT VALID');
    expect(finding.fix!.sql).toBe('ALTER DOMAIN public.doc VALIDATE CONSTRAINT doc_check;');
  });

  test('a partitioned parent without a check names the partitions that have one', async () => {
    const finding = byKey(await fixtureFindings(rule, 'partitioned-parent'), 'jsonb-without-validation/public.measurements.payload');
    expect(finding.message).toContain('Partitions with their own CHECK on it: public.measurements_2026_01;');
    expect(finding.fix!.sql).toBe(addCheck('public.measurements', 'measurements_payload_check', 'payload', 'object'));
  });

  test('quoted names, a taken constraint name, and two fixes in one run', async () => {
    const quoted = await fixtureFindings(rule, 'quoted-and-schema');
    expect(byKey(quoted, 'jsonb-without-validation/Audit.Event Log.Payload').fix!.sql).toBe(
      addCheck('"Audit"."Event Log"', '"Event Log_Payload_check"', '"Payload"', 'array'),
    );
    expect(byKey(quoted, 'jsonb-without-validation/Audit.Event Log.order').fix!.sql).toContain('CHECK (jsonb_typeof("order") = \'object\')');
    const taken = byKey(await fixtureFindings(rule, 'name-taken'), 'jsonb-without-validation/public.events.payload');
    expect(taken.fix!.sql).toBe(addCheck('public.events', 'events_payload_check1', 'payload', 'object'));
    // Two tables whose natural names collide (`a_b` + `c` and `a` + `b_c`) get distinct names in one run.
    const twins = await lintSql(rule, 'CREATE TABLE a_b (c jsonb);\nCREATE TABLE a (b_c jsonb);');
    expect(twins.map((f) => /CONSTRAINT (\w+)/.exec(f.fix!.sql)![1]).sort()).toEqual(['a_b_c_check', 'a_b_c_check1']);
  });

  test('a generated column: a type its expression shows changes behaviour, a guessed one is a plan to review', async () => {
    const guessed = byKey(await fixtureFindings(rule, 'bare-column'), 'jsonb-without-validation/public.profiles.doc');
    expect(guessed.fix!.safety).toBe('review');
    expect(guessed.fix!.sql).toBe(planCheck('public.profiles', 'profiles_doc_check', 'doc', 'object'));
    const [shown] = await lintSql(rule, 'CREATE TABLE t (a text, d jsonb GENERATED ALWAYS AS (jsonb_build_array(a)) STORED);');
    expect(shown.fix).toMatchObject({ sql: addCheck('public.t', 't_d_check', 'd', 'array'), safety: 'behaviour' });
  });

  test("evidence of the type: a default, or the CHECK on a sibling jsonb column (a NOT VALID CHECK rejects new rows at once: 'behaviour')", async () => {
    const [fromDefault] = await lintSql(rule, "CREATE TABLE t (d jsonb NOT NULL DEFAULT '[]');");
    expect(fromDefault.fix!.safety).toBe('behaviour');
    expect(fromDefault.fix!.notes.join(' ')).toContain("comes from the column's default");
    const findings = await lintSql(
      rule,
      "CREATE TABLE t (a jsonb CHECK (jsonb_typeof(a) = 'array'), b jsonb);\nCREATE TABLE u (a jsonb CHECK (jsonb_typeof(a) = 'array'), b jsonb CHECK (jsonb_typeof(b) = 'object'), c jsonb);",
    );
    const sibling = byKey(findings, 'jsonb-without-validation/public.t.b');
    expect(sibling.fix).toMatchObject({ sql: addCheck('public.t', 't_b_check', 'b', 'array'), safety: 'behaviour' });
    // Siblings that disagree show no convention: a guess again.
    expect(byKey(findings, 'jsonb-without-validation/public.u.c').fix!.safety).toBe('review');
  });

  test('a JSON null default keeps the object check and says why', async () => {
    const [finding] = await lintSql(rule, "CREATE TABLE t (d jsonb DEFAULT 'null');");
    expect(finding.fix!.sql).toContain("= 'object'");
    expect(finding.fix!.notes.join(' ')).toContain('JSON null');
  });

  test('a scalar default gives its own type', async () => {
    const [finding] = await lintSql(rule, "CREATE TABLE t (d jsonb DEFAULT '\"draft\"'::jsonb);");
    expect(finding.fix!.sql).toContain("= 'string'");
  });
});

describe('JSON type of a default', () => {
  const kindOf = (text: string): string | undefined => jsonKindOfExpression(parseExpressionText(text));

  test('literals, as written in DDL and as pg_get_expr prints them', () => {
    expect(kindOf("'{}'")).toBe('object');
    expect(kindOf("'{}'::jsonb")).toBe('object');
    expect(kindOf("'[]'::jsonb")).toBe('array');
    expect(kindOf("'[1, 2]'::json::jsonb")).toBe('array');
    expect(kindOf("'{}'::public.doc")).toBe('object');
    expect(kindOf("'42'::jsonb")).toBe('number');
    expect(kindOf("'true'::jsonb")).toBe('boolean');
    expect(kindOf("'null'::jsonb")).toBe('null');
    expect(kindOf("'not json'")).toBeUndefined();
  });

  test('constructor functions, qualified or not', () => {
    expect(kindOf('jsonb_build_object()')).toBe('object');
    expect(kindOf("pg_catalog.jsonb_build_object('a', 1)")).toBe('object');
    expect(kindOf('jsonb_build_array()')).toBe('array');
    expect(kindOf('to_jsonb(1)')).toBeUndefined();
    expect(jsonKindOfExpression(undefined)).toBeUndefined();
  });
});
