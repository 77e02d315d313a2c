/**
 * missing-audit-trigger: fix SQL (parses, applies in DDL re-lint and on a real server), scope options, secrets, and
 * the recognition helpers.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { missingAuditTrigger, secretColumns, type MissingAuditTriggerOptions } from '../../rules/missing-audit-trigger.js';
import { bodyTraits, insertTargets, matchesNameOrQualified } from '../../rules/missing-audit-trigger/audit-functions.js';
import { emptyConfig, resolveRuleOptions } from '../../src/engine/config.js';
import { runRules } from '../../src/engine/run-rules.js';
import type { Finding } from '../../src/engine/types.js';
import type { SchemaModel } from '../../src/model/types.js';
import { readCatalog } from '../../src/sources/catalog/read-catalog.js';
import { loadParser, parseStatements } from '../../src/sql/parser.js';
import { loadFixture } from '../support/fixture-db.js';
import { loadFixtureCases, type FixtureCase } from '../support/fixtures.js';
import { ddlModel } from '../support/lint.js';
import { releaseCluster, sharedCluster, type Cluster } from '../support/pg-cluster.js';

const RULE_ID = 'missing-audit-trigger';
const NOW = new Date('2026-01-15T00:00:00Z');

function lint(model: SchemaModel, options?: Record<string, unknown>): Finding[] {
  const enabled = [{ rule: missingAuditTrigger, severity: missingAuditTrigger.defaultSeverity, options: resolveRuleOptions(missingAuditTrigger, options, 'test') }];
  return runRules(model, enabled, emptyConfig(), { now: NOW, live: false });
}

async function lintSql(sql: string | Array<{ file: string; text: string }>, options?: Record<string, unknown>): Promise<Finding[]> {
  const { model } = await ddlModel(sql);
  return lint(model, options);
}

const cases = loadFixtureCases(RULE_ID);
const fixture = (name: string): FixtureCase => {
  const found = cases.find((c) => c.name === name);
  if (!found) throw new Error(`no fixture ${name}`);
  return found;
};


/** Policy mode (option `tables`): every table is checked on its own, whatever the rest of its schema does. */
const POLICY = { tables: ['*'] };

async function policyFindings(name: string): Promise<Finding[]> {
  const f = fixture(name);
  return lintSql(f.files, { tables: ['*'], ...f.options });
}

/** What the fix-up script runs for these findings: shared setup once, then each fix. */
function scriptSql(findings: Finding[]): string {
  const setup = new Map<string, string>();
  for (const f of findings) for (const p of f.fix?.prerequisites ?? []) setup.set(p.id, p.sql);
  return [...setup.values(), ...findings.map((f) => f.fix!.sql)].join('\n') + '\n';
}

function findingFor(findings: Finding[], key: string): Finding {
  const found = findings.find((f) => f.key === key);
  if (!found) throw new Error(`no finding ${key} among ${findings.map((f) => f.key).join(', ')}`);
  return found;
}

function expectParses(sql: string): void {
  const parsed = parseStatements(sql);
  if (!parsed.ok) throw new Error(`does not parse: ${parsed.error.message}\n${sql}`);
  expect(parsed.stmts.length).toBeGreaterThan(0);
}

beforeAll(loadParser);

// Exact findings per fixture, docs examples and reviewed snapshots are the rule harness's (test/rule-harness.test.ts).
describe('missing-audit-trigger fixtures (DDL mode)', () => {
  for (const c of cases.filter((x) => x.expected.length > 0)) {
    test(`${c.name}: every fix parses, and the fixed schema (DDL + fix SQL) has no finding left`, async () => {
      const findings = lint((await ddlModel(c.files)).model, c.options);
      expect(findings.length).toBeGreaterThan(0);
      for (const f of findings) {
        expect(f.fix).toBeDefined();
        expectParses(f.fix!.sql);
      }
      // All plans of one run applied together, after the shared setup.
      const fixed = [...c.files, { file: 'fix.sql', text: scriptSql(findings) }];
      const { model, diagnostics } = await ddlModel(fixed);
      expect(diagnostics.filter((d) => d.kind === 'syntax')).toEqual([]);
      expect(lint(model, c.options)).toEqual([]);
    });
  }
});

describe('findings and fixes', () => {
  test('an existing audit function gives a behaviour fix (every write also logs) with a trigger for all three events', async () => {
    const finding = findingFor(await policyFindings('no-trigger-existing-function'), `${RULE_ID}/public.orders`);
    expect(finding.message).toMatch(/^Table public\.orders has no audit trigger/);
    expect(finding.object).toEqual({ kind: 'table', schema: 'public', name: 'orders' });
    expect(finding.fix).toMatchObject({ safety: 'behaviour', concurrently: false });
    expect(finding.fix!.sql).toBe(
      'CREATE OR REPLACE TRIGGER orders_audit AFTER INSERT OR UPDATE OR DELETE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.audit_row();',
    );
  });

  test('a partial trigger gets a companion for only the missing events, with the same arguments', async () => {
    const finding = findingFor(await policyFindings('partial-events'), `${RULE_ID}/public.accounts`);
    expect(finding.message).toContain('audited on INSERT and UPDATE only');
    expect(finding.message).toContain('fires on DELETE');
    expect(finding.fix!.safety).toBe('behaviour');
    expect(finding.fix!.sql).toBe(
      "CREATE OR REPLACE TRIGGER accounts_audit1 AFTER DELETE ON public.accounts FOR EACH ROW EXECUTE FUNCTION public.audit_row('finance');",
    );
  });

  test('a disabled audit trigger is enabled, nothing else', async () => {
    const finding = findingFor(await policyFindings('disabled-trigger'), `${RULE_ID}/public.payments`);
    expect(finding.message).toContain('payments_audit (public.audit_row) disabled');
    expect(finding.fix!.sql).toBe('ALTER TABLE public.payments ENABLE TRIGGER payments_audit;');
    expect(finding.fix!.safety).toBe('behaviour');
    expect(finding.fix!.notes.join(' ')).toContain('on purpose');
  });

  test('a disabled trigger that also misses an event: enable it and add a companion', async () => {
    const sql =
      fixture('disabled-trigger').files[0].text.split('\n-- Disabled, then enabled again')[0] +
      '\nCREATE TABLE fees (id bigint PRIMARY KEY);\nCREATE TRIGGER fees_audit AFTER INSERT OR UPDATE ON fees FOR EACH ROW EXECUTE FUNCTION audit_row();\nALTER TABLE fees DISABLE TRIGGER fees_audit;\n';
    const finding = findingFor(await lintSql(sql, POLICY), `${RULE_ID}/public.fees`);
    expect(finding.message).toContain('disabled');
    expect(finding.message).toContain('Even enabled, no audit trigger fires on DELETE');
    expect(finding.fix!.sql.split('\n')).toEqual([
      'ALTER TABLE public.fees ENABLE TRIGGER fees_audit;',
      'CREATE OR REPLACE TRIGGER fees_audit1 AFTER DELETE ON public.fees FOR EACH ROW EXECUTE FUNCTION public.audit_row();',
    ]);
  });

  test('a table with only a non-audit trigger is reported, naming that trigger', async () => {
    const finding = findingFor(await policyFindings('no-audit-function'), `${RULE_ID}/public.products`);
    expect(finding.message).toContain('products_set_updated_at (public.set_updated_at) do not call an audit function');
  });

  test('trigger names: taken on the table, or on a partition of a partitioned table, get a number', async () => {
    const collision = findingFor(await policyFindings('name-collision'), `${RULE_ID}/public.orders`);
    expect(collision.fix!.sql).toContain('TRIGGER orders_audit1 AFTER INSERT OR UPDATE OR DELETE ON public.orders');
    const partitioned = findingFor(await policyFindings('partitioned-parent'), `${RULE_ID}/public.metrics`);
    expect(partitioned.fix!.sql).toContain('TRIGGER metrics_audit1 AFTER INSERT OR UPDATE OR DELETE ON public.metrics');
    expect(partitioned.fix!.notes.join(' ')).toContain('cloned to every partition');
  });

  test('2ndQuadrant: audit.if_modified_func is used, and the note names audit.audit_table()', async () => {
    const finding = findingFor(await policyFindings('second-quadrant'), `${RULE_ID}/public.invoices`);
    expect(finding.fix!.sql).toBe(
      'CREATE OR REPLACE TRIGGER invoices_audit AFTER INSERT OR UPDATE OR DELETE ON public.invoices FOR EACH ROW EXECUTE FUNCTION audit.if_modified_func();',
    );
    expect(finding.fix!.notes.join(' ')).toContain("SELECT audit.audit_table('public.invoices');");
  });

  test('supa_audit: audit.insert_update_delete_trigger is used, and the note names audit.enable_tracking()', async () => {
    const finding = findingFor(await policyFindings('supa-audit'), `${RULE_ID}/public.comments`);
    expect(finding.fix!.sql).toContain('EXECUTE FUNCTION audit.insert_update_delete_trigger();');
    expect(finding.fix!.notes.join(' ')).toContain("SELECT audit.enable_tracking('public.comments');");
  });

  test('quoted identifiers are quoted in the fix', async () => {
    const finding = findingFor(await policyFindings('quoted-identifiers'), `${RULE_ID}/Sales.Order Items`);
    expect(finding.message).toMatch(/^Table Sales\.Order Items has no audit trigger/);
    expect(finding.fix!.sql).toBe(
      'CREATE OR REPLACE TRIGGER "Order Items_audit" AFTER INSERT OR UPDATE OR DELETE ON "Sales"."Order Items" FOR EACH ROW EXECUTE FUNCTION "Sales"."Audit Row"();',
    );
  });

  test("each schema's table gets its own schema's audit function", async () => {
    const findings = await policyFindings('multi-schema');
    expect(findingFor(findings, `${RULE_ID}/billing.invoices`).fix!.sql).toContain('EXECUTE FUNCTION billing.audit_changes()');
    expect(findingFor(findings, `${RULE_ID}/crm.customers`).fix!.sql).toContain('EXECUTE FUNCTION crm.audit_changes()');
  });

  test('the audit function other tables already use wins over one in the table\'s own schema', async () => {
    const sql = `${fixture('multi-schema').files[0].text}
CREATE TABLE crm.contacts (id bigint PRIMARY KEY);
CREATE TRIGGER contacts_audit AFTER INSERT OR UPDATE OR DELETE ON crm.contacts FOR EACH ROW EXECUTE FUNCTION billing.audit_changes();`;
    const finding = findingFor(await lintSql(sql, { tables: ['crm.customers'] }), `${RULE_ID}/crm.customers`);
    expect(finding.fix!.sql).toContain('EXECUTE FUNCTION billing.audit_changes()');
  });

  test('without an audit function the fix is a review plan: generic log table and a DELETE-safe function', async () => {
    const finding = findingFor(await policyFindings('no-audit-function'), `${RULE_ID}/public.invoices`);
    const fix = finding.fix!;
    expect(fix.safety).toBe('review');
    // The shared setup is a prerequisite, written once in the script however many plans need it.
    expect(fix.prerequisites).toHaveLength(1);
    const setup = fix.prerequisites![0].sql;
    expect(setup).toContain('CREATE SCHEMA IF NOT EXISTS audit;');
    expect(setup).toContain('CREATE TABLE IF NOT EXISTS audit.change_log (');
    expect(setup).toContain('CREATE OR REPLACE FUNCTION audit.log_change() RETURNS trigger');
    expect(fix.sql).toBe('CREATE OR REPLACE TRIGGER invoices_audit AFTER INSERT OR UPDATE OR DELETE ON public.invoices FOR EACH ROW EXECUTE FUNCTION audit.log_change();');
    // The DELETE branch must not touch NEW (null there) and must return OLD.
    const deleteBranch = setup.slice(setup.indexOf("IF TG_OP = 'DELETE'"), setup.indexOf('END IF;'));
    expect(deleteBranch).toContain('to_jsonb(OLD)');
    expect(deleteBranch).toContain('RETURN OLD;');
    expect(deleteBranch).not.toContain('NEW');
  });

  test('an audit function written for one table is not reused: the fix is the generic plan, saying why', async () => {
    // Like the review's own example: no TG_TABLE_NAME, and it reads NEW.tenant_id (NULL on DELETE, absent elsewhere).
    const specific = `CREATE TABLE audit_log (tenant_id bigint, entity text, entity_id bigint, changes jsonb);
CREATE FUNCTION audit_tool_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_log VALUES (NEW.tenant_id, 'tool', NEW.id, jsonb_build_object('old', to_jsonb(OLD), 'new', to_jsonb(NEW)));
  RETURN NEW;
END;
$$;
CREATE TABLE tools (id bigint PRIMARY KEY, tenant_id bigint NOT NULL);
CREATE TABLE runs (id bigint PRIMARY KEY);
`;
    const findings = await lintSql(specific, POLICY);
    for (const key of [`${RULE_ID}/public.tools`, `${RULE_ID}/public.runs`]) {
      const fix = findingFor(findings, key).fix!;
      expect(fix.safety).toBe('review');
      expect(fix.sql).toContain('EXECUTE FUNCTION audit.log_change()');
      expect(fix.notes.join(' ')).toContain('public.audit_tool_changes) are written for particular tables');
    }
  });

  test('an audit function that reads a column the table lacks is not reused; one that has it is', async () => {
    const sql = `CREATE TABLE audit_log (t text, tenant_id bigint, row_data jsonb);
CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO audit_log VALUES (TG_TABLE_NAME, OLD.tenant_id, to_jsonb(OLD));
    RETURN OLD;
  END IF;
  INSERT INTO audit_log VALUES (TG_TABLE_NAME, NEW.tenant_id, to_jsonb(NEW));
  RETURN NEW;
END;
$$;
CREATE TABLE tenant_items (id bigint PRIMARY KEY, tenant_id bigint NOT NULL);
CREATE TABLE global_items (id bigint PRIMARY KEY);
`;
    const findings = await lintSql(sql, POLICY);
    expect(findingFor(findings, `${RULE_ID}/public.tenant_items`).fix).toMatchObject({ safety: 'behaviour' });
    expect(findingFor(findings, `${RULE_ID}/public.tenant_items`).fix!.sql).toContain('EXECUTE FUNCTION public.audit_row()');
    expect(findingFor(findings, `${RULE_ID}/public.global_items`).fix).toMatchObject({ safety: 'review' });
  });

  test('the generic names are numbered when audit.change_log is something else', async () => {
    const findings = await lintSql(
      'CREATE SCHEMA audit;\nCREATE VIEW audit.change_log AS SELECT 1 AS x;\nCREATE TABLE orders (id bigint PRIMARY KEY);',
      POLICY,
    );
    expect(findingFor(findings, `${RULE_ID}/public.orders`).fix!.prerequisites![0].sql).toContain('CREATE TABLE IF NOT EXISTS audit.change_log1 (');
  });

  test('a live model of PostgreSQL 13 gets DROP TRIGGER IF EXISTS + CREATE TRIGGER instead of OR REPLACE', async () => {
    const { model } = await ddlModel(fixture('no-trigger-existing-function').files);
    model.source = { kind: 'database', database: 'test', serverVersion: 130010 };
    const finding = findingFor(lint(model, POLICY), `${RULE_ID}/public.orders`);
    expect(finding.fix!.sql.split('\n')).toEqual([
      'DROP TRIGGER IF EXISTS orders_audit ON public.orders;',
      'CREATE TRIGGER orders_audit AFTER INSERT OR UPDATE OR DELETE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.audit_row();',
    ]);
    expectParses(finding.fix!.sql);
  });
});

describe('scope', () => {
  const base = 'CREATE TABLE orders (id bigint PRIMARY KEY);\nCREATE TABLE audit_events (id bigint PRIMARY KEY);\nCREATE SCHEMA audit;\nCREATE TABLE audit.entries (id bigint);\nCREATE TABLE jobs_history (id bigint);\n';
  const keys = (findings: Finding[]) => findings.map((f) => f.key).sort();

  test('default exclude patterns leave out audit schemas, audit-named, log and history tables', async () => {
    expect(keys(await lintSql(base, POLICY))).toEqual([`${RULE_ID}/public.orders`]);
  });

  test('option exclude replaces the defaults', async () => {
    expect(keys(await lintSql(base, { ...POLICY, exclude: ['orders'] }))).toEqual([
      `${RULE_ID}/audit.entries`,
      `${RULE_ID}/public.audit_events`,
      `${RULE_ID}/public.jobs_history`,
    ]);
  });

  test('high-volume tables (by rows or by bytes, thresholds configurable) are left out', async () => {
    const { model } = await ddlModel('CREATE TABLE a (id int);\nCREATE TABLE b (id int);\nCREATE TABLE c (id int);');
    model.tables.get('public.a')!.stats = { estimatedRows: 10_000_000 };
    model.tables.get('public.b')!.stats = { estimatedRows: 10, totalBytes: 10 * 1024 ** 3 };
    model.tables.get('public.c')!.stats = { estimatedRows: 9_999_999, totalBytes: 1024 };
    expect(keys(lint(model, POLICY))).toEqual([`${RULE_ID}/public.c`]);
    expect(keys(lint(model, { ...POLICY, highVolumeMinRows: 1000 }))).toEqual([]);
  });

  test('option functions replaces the recognised audit functions', async () => {
    const sql = fixture('writes-into-table').files[0].text;
    // keep_order_history is an audit function by name only (order_versions matches no log pattern).
    expect(keys(await lintSql(sql, { ...POLICY, functions: ['nothing'] }))).toEqual([`${RULE_ID}/public.order_versions`, `${RULE_ID}/public.orders`, `${RULE_ID}/public.shipments`]);
  });

  test('a statement-level trigger does not audit rows', async () => {
    const sql = `${fixture('no-trigger-existing-function').files[0].text}
CREATE TRIGGER orders_audit_stm AFTER INSERT OR UPDATE OR DELETE ON orders FOR EACH STATEMENT EXECUTE FUNCTION audit_row();`;
    expect(keys(await lintSql(sql, POLICY))).toEqual([`${RULE_ID}/public.orders`]);
  });
});

describe('recognition helpers', () => {
  test('body traits: which table fired it, and the row fields read', () => {
    expect(bodyTraits("BEGIN -- TG_TABLE_NAME\n INSERT INTO l VALUES (NEW.a, OLD.\"B\", NEW.*, 'TG_RELID'); END;")).toEqual({
      inserts: [{ name: 'l' }],
      identifiesTable: false,
      rowFields: ['a', 'B'],
    });
    expect(bodyTraits('BEGIN INSERT INTO l VALUES (tg_relid); END;').identifiesTable).toBe(true);
    expect(bodyTraits("BEGIN INSERT INTO l VALUES (TG_TABLE_NAME, NEW.x); RAISE 'open; END;")).toEqual({
      inserts: [{ name: 'l' }],
      identifiesTable: true,
      rowFields: ['x'],
    });
  });

  test('INSERT INTO targets: quoted, qualified, keywords as names; comments and strings skipped', () => {
    expect(insertTargets(`BEGIN -- insert into c1
      /* insert into c2 */ INSERT INTO "Audit"."Log ""x""" (a) VALUES (1); insert into action values (1);
      x := 'insert into s.t'; Insert Into Public.Hist SELECT 1; END;`)).toEqual([
      { schema: 'Audit', name: 'Log "x"' },
      { name: 'action' },
      { schema: 'public', name: 'hist' },
    ]);
    expect(insertTargets('SELECT 1')).toEqual([]);
  });

  test('a body the scanner rejects still yields its targets', () => {
    expect(insertTargets("BEGIN INSERT INTO log_t VALUES (1); RAISE 'unterminated; END;")).toEqual([{ name: 'log_t' }]);
  });

  test('a dot-less function pattern matches the name or the qualified name', () => {
    expect(matchesNameOrQualified(['*audit*'], 'audit', 'insert_update_delete_trigger')).toBe(true);
    expect(matchesNameOrQualified(['*audit*'], 'public', 'set_updated_at')).toBe(false);
    expect(matchesNameOrQualified(['*.if_modified_func'], 'audit', 'if_modified_func')).toBe(true);
    expect(matchesNameOrQualified(['*.if_modified_func'], 'audit', 'other')).toBe(false);
  });
});

describe('docs', () => {
  test('every option has a default and the defaults validate', () => {
    const options = resolveRuleOptions(missingAuditTrigger, undefined, 'test') as unknown as MissingAuditTriggerOptions;
    expect(options.exclude).toEqual(['*audit*.*', '*.*audit*', '*_log', '*_logs', '*_history']);
    expect(options.functions).toEqual(['*audit*', '*.if_modified_func', '*history*', '*change*log*']);
    expect(options.highVolumeMinBytes).toBe(10 * 1024 ** 3);
  });
});

/**
 * On a real server: every bad fixture loads, live mode finds what DDL mode finds (same keys, same fix SQL), all fixes
 * (review plans un-commented) apply, apply again (the script is re-run after a timeout), a live re-lint finds nothing,
 * and the generic audit function records DELETE from OLD.
 */
describe('fixes on a real server', () => {
  let cluster: Cluster;
  let dir: string;
  let counter = 0;
  beforeAll(async () => {
    cluster = await sharedCluster();
    dir = mkdtempSync(path.join(tmpdir(), 'missing-audit-trigger-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await releaseCluster();
  });

  const summary = (findings: Finding[]) => findings.map((f) => ({ key: f.key, sql: f.fix?.sql, safety: f.fix?.safety }));

  async function loadWithFixes(c: FixtureCase): Promise<{ db: string; findings: Finding[] }> {
    const db = `missing_audit_trigger_${process.pid}_${++counter}`;
    const url = await loadFixture(cluster, c, db);
    const findings = lint(await readCatalog({ url }), c.options);
    expect(summary(findings)).toEqual(summary(lint((await ddlModel(c.files)).model, c.options)));
    const fixPath = path.join(dir, `${db}.sql`);
    writeFileSync(fixPath, scriptSql(findings));
    await cluster.psqlFile(db, fixPath);
    await cluster.psqlFile(db, fixPath);
    expect(lint(await readCatalog({ url }), c.options)).toEqual([]);
    return { db, findings };
  }

  for (const c of cases.filter((x) => x.expected.length > 0 && !x.ddlOnly)) {
    test(`${c.name}: fixes apply twice`, async () => {
      const { db } = await loadWithFixes(c);
      await cluster.query('postgres', `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    });
  }

  test('the generic plan logs INSERT, UPDATE and DELETE, the DELETE from OLD', async () => {
    const { db, findings } = await loadWithFixes(fixture('no-audit-function'));
    expect(findings.map((f) => f.key)).toEqual([`${RULE_ID}/public`]);
    await cluster.query(db, "INSERT INTO products (id, name) VALUES (1, 'a')");
    await cluster.query(db, "UPDATE products SET name = 'b' WHERE id = 1");
    await cluster.query(db, 'DELETE FROM products WHERE id = 1');
    const rows = await cluster.query<{ operation: string; old_name: string | null; new_name: string | null }>(
      db,
      "SELECT operation, old_row->>'name' AS old_name, new_row->>'name' AS new_name FROM audit.change_log WHERE table_name = 'products' ORDER BY id",
    );
    expect(rows).toEqual([
      { operation: 'INSERT', old_name: null, new_name: 'a' },
      { operation: 'UPDATE', old_name: 'a', new_name: 'b' },
      { operation: 'DELETE', old_name: 'b', new_name: null },
    ]);
    expect(await cluster.query(db, 'SELECT count(*)::int AS n FROM products')).toEqual([{ n: 0 }]);
    await cluster.query('postgres', `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  });
});

describe('secret columns never reach a log the plan creates', () => {
  const defaults = resolveRuleOptions(missingAuditTrigger, undefined, 'test') as unknown as MissingAuditTriggerOptions;
  const table = (names: string[], name = 'staff') => ({ name, columns: names.map((column) => ({ name: column })) }) as unknown as Parameters<typeof secretColumns>[0];

  test('names that say secret, password, token, hash or salt; key only after a word that makes it a secret', () => {
    const columns = ['id', 'password', 'passwordHash', 'refresh_token', 'tokenValue', 'jwt_secret', 'salt', 'api_key', 'signingKey'];
    const notSecret = ['key', 'idempotency_key', 'uniqueKey', 'monkey', 'tokenizer_name', 'token_id', 'enableExpiringTokenAlerts', 'payload_hash', 'hash'];
    expect(secretColumns(table([...columns, ...notSecret]), defaults)).toEqual(columns.slice(1));
    // A bare hash is a secret in a table about secrets (hatchet's UserPassword.hash).
    expect(secretColumns(table(['user_id', 'hash'], 'UserPassword'), defaults)).toEqual(['hash']);
    expect(secretColumns(table(['pin_code', 'ssn']), { ...defaults, redactColumns: ['pin_*', 'ssn'] })).toEqual(['pin_code', 'ssn']);
  });

  test('the generic plan passes them to the trigger, and the log leaves them out (on a real server)', async () => {
    const sql = 'CREATE TABLE staff (id bigint PRIMARY KEY, name text, password text, api_key text);\n';
    const [finding] = await lintSql(sql);
    expect(finding.key).toBe(`${RULE_ID}/public`);
    expect(finding.fix!.sql).toContain("EXECUTE FUNCTION audit.log_change('password', 'api_key');");
    expect(finding.fix!.notes.join(' ')).toContain('public.staff (password, api_key)');
    const cluster = await sharedCluster();
    const db = `audit_secrets_${process.pid}`;
    await cluster.createDatabase(db);
    try {
      await cluster.query(db, sql);
      await cluster.query(db, scriptSql([finding]));
      await cluster.query(db, "INSERT INTO staff VALUES (1, 'ann', 's3cret', 'k-123')");
      await cluster.query(db, "UPDATE staff SET password = 'other' WHERE id = 1");
      await cluster.query(db, 'DELETE FROM staff');
      const rows = await cluster.query<{ log: string }>(db, 'SELECT concat(old_row::text, new_row::text) AS log FROM audit.change_log ORDER BY id');
      expect(rows).toHaveLength(3);
      for (const { log } of rows) {
        expect(log).toContain('ann');
        expect(log).not.toMatch(/s3cret|other|k-123|password|api_key/);
      }
    } finally {
      await cluster.query('postgres', `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
      await releaseCluster();
    }
  });
});

describe('automatic scope', () => {
  test('a schema that audits some tables is checked per table; one that audits none is one note', async () => {
    const sql = `${fixture('no-trigger-existing-function').files[0].text}
CREATE TRIGGER audited_orders AFTER INSERT OR UPDATE OR DELETE ON orders FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TABLE invoices (id bigint PRIMARY KEY);
CREATE SCHEMA reporting;
CREATE TABLE reporting.daily (id bigint);
CREATE TABLE reporting.weekly (id bigint);`;
    const findings = await lintSql(sql);
    expect(findings.map((f) => `${f.severity} ${f.key}`).sort()).toEqual([`note ${RULE_ID}/reporting`, `warning ${RULE_ID}/public.invoices`]);
    const schema = findingFor(findings, `${RULE_ID}/reporting`);
    expect(schema.object).toEqual({ kind: 'schema', schema: 'reporting', name: '' });
    expect(schema.origin).toMatchObject({ kind: 'file', line: sql.split('\n').findIndex((l) => l.startsWith('CREATE TABLE reporting.daily')) + 1 });
    // The plan covers every table of the schema, with the audit function public.orders already uses.
    expect(schema.fix!.safety).toBe('behaviour');
    expect(schema.fix!.sql.split('\n')).toEqual([
      'CREATE OR REPLACE TRIGGER daily_audit AFTER INSERT OR UPDATE OR DELETE ON reporting.daily FOR EACH ROW EXECUTE FUNCTION public.audit_row();',
      'CREATE OR REPLACE TRIGGER weekly_audit AFTER INSERT OR UPDATE OR DELETE ON reporting.weekly FOR EACH ROW EXECUTE FUNCTION public.audit_row();',
    ]);
    // Policy mode: every listed table is checked, whatever its schema does.
    expect((await lintSql(sql, { tables: ['reporting.*'] })).map((f) => f.key).sort()).toEqual([`${RULE_ID}/reporting.daily`, `${RULE_ID}/reporting.weekly`]);
  });
});
