/**
 * Statements no model fact reads are recognised before parsing and only checked for syntax (skip-statements.ts; off
 * by default, measured not to pay). Where used, the model, the diagnostics (syntax errors and their places included)
 * and the statement spans must be exactly those of parsing everything, and a kind the model builder reads is never
 * skipped.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { buildModelFromSql } from '../src/sources/ddl/load-ddl.js';
import { parseSqlFile, type ParsedFile } from '../src/sources/ddl/parse-file.js';
import { splitSkippable } from '../src/sources/ddl/skip-statements.js';
import { loadParser } from '../src/sql/parser.js';

beforeAll(loadParser);

const SCHEMA = [
  'CREATE TABLE public.orders (id bigint PRIMARY KEY, customer_id bigint, note text);',
  'CREATE SEQUENCE public.orders_seq;',
  'CREATE SCHEMA partman;',
  'CREATE TABLE partman.part_config (parent_table text, partition_interval text, premake int);',
  'CREATE TABLE public.events (id bigint, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at);',
].join('\n');

/** Each form the splitter skips: the builder must not read it (checked below by building with and without it). */
const SKIPPED = [
  "INSERT INTO public.orders (id, note) VALUES (1, 'a;b'), (2, $$c;d$$), (3, E'e\\';f');",
  'UPDATE public.orders SET note = NULL WHERE id = 1;',
  'DELETE FROM public.orders WHERE id = 2;',
  'GRANT SELECT, INSERT ON TABLE public.orders TO PUBLIC;',
  'REVOKE ALL ON SCHEMA public FROM PUBLIC;',
  'GRANT pg_read_all_data TO CURRENT_USER;',
  'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO PUBLIC;',
  "SELECT pg_catalog.setval('public.orders_seq', 42, true);",
  'ALTER SEQUENCE public.orders_seq OWNED BY public.orders.id;',
  'ALTER SEQUENCE public.orders_seq RESTART WITH 7;',
  'COPY public.orders (id, note) FROM stdin;\n1\tx\n\\.',
  'ANALYZE public.orders;',
  'VACUUM public.orders;',
];

/** Statements that start like a skipped one but change the model: never skipped. */
const KEPT = [
  "INSERT INTO partman.part_config (parent_table, partition_interval, premake) VALUES ('public.events', '1 month', 4);",
  "SELECT pg_catalog.set_config('search_path', 'partman, public', false);",
  "SELECT partman.create_parent('public.events', 'created_at', '1 month');",
  'ALTER SEQUENCE public.orders_seq RENAME TO orders_id_seq;',
  'ALTER SEQUENCE public.orders_id_seq OWNER TO CURRENT_USER;',
];

const spans = (file: ParsedFile) => file.statements.map((s) => [s.startByte, s.endByte]);

/** Skipping on (at any size: the default threshold would leave these small statements to the parser) or off. */
function build(text: string, skip: boolean) {
  return buildModelFromSql([{ file: 'f.sql', text }], undefined, { skipUnread: skip ? { minBytes: 0 } : false });
}

describe('skipping statements no model fact reads', () => {
  test('each skipped form is recognised, and the builder reads nothing from it', () => {
    for (const statement of SKIPPED) {
      const text = `${SCHEMA}\n${statement}\n`;
      const skipped = build(text, true);
      // Recognised: the span is kept, its tree never built.
      expect(skipped.files[0].statements.filter((s) => s.kind.startsWith('unparsed ')).length).toBe(1);
      // Not read: the model and diagnostics are those of the schema without the statement, and of a full parse.
      const full = build(text, false);
      expect(full.model).toEqual(build(`${SCHEMA}\n`, false).model);
      expect(skipped.model).toEqual(full.model);
      expect(skipped.diagnostics).toEqual(full.diagnostics);
      expect(spans(skipped.files[0])).toEqual(spans(full.files[0]));
    }
  });

  test('statements the model builder reads are parsed, even when they start like a skipped kind', () => {
    const text = `${SCHEMA}\n${KEPT.join('\n')}\n`;
    const result = build(text, true);
    expect(result.files[0].statements.some((s) => s.kind.startsWith('unparsed '))).toBe(false);
    expect(result.model).toEqual(build(text, false).model);
    // pg_partman's registration is in the model: the INSERT into part_config and the create_parent call were read.
    expect([...(result.model.partman?.keys() ?? [])]).toEqual(['public.events']);
  });

  test('INSERT inside a function body, a string, a comment or a BEGIN ATOMIC body is not a statement of its own', () => {
    const text = [
      'CREATE TABLE t (id int);',
      "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $body$ BEGIN INSERT INTO t VALUES (1); END $body$;",
      "CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); END;",
      "COMMENT ON TABLE t IS 'x; INSERT INTO t VALUES (3);';",
      '/* INSERT INTO t VALUES (4); */ CREATE INDEX t_id ON t (id);',
      'INSERT INTO t VALUES (5);',
    ].join('\n');
    const split = splitSkippable(text, 0)!;
    expect(split.spans.map((s) => s.keyword)).toEqual(['INSERT']);
    expect(text.slice(split.spans[0].startByte, split.spans[0].endByte + 1)).toBe('INSERT INTO t VALUES (5);');
    expect(build(text, true).model).toEqual(build(text, false).model);
  });

  test('byte offsets stay right after multi-byte text, and blanked text keeps its length in bytes', () => {
    const text = "CREATE TABLE \"Bücher\" (id int); -- ünïcödé 😀\nINSERT INTO \"Bücher\" VALUES (1); CREATE TABLE \"Tïtel\" (id int);\n";
    const split = splitSkippable(text, 0)!;
    expect(Buffer.byteLength(split.kept)).toBe(Buffer.byteLength(text));
    expect(Buffer.byteLength(split.skippedText)).toBe(Buffer.byteLength(text));
    const bytes = Buffer.from(text);
    expect(bytes.subarray(split.spans[0].startByte, split.spans[0].endByte).toString()).toBe('INSERT INTO "Bücher" VALUES (1)');
    const skipped = build(text, true);
    const full = build(text, false);
    expect(skipped.model).toEqual(full.model);
    expect(spans(skipped.files[0])).toEqual(spans(full.files[0]));
  });

  test('a syntax error inside a skippable statement is found and located exactly as without skipping', () => {
    const text = [
      'CREATE TABLE "Straße" (id int PRIMARY KEY);',
      "INSERT INTO \"Straße\" VALUES (1, 'ä'),, (2);",
      'GRANT SELECT ON "Straße" TO;',
      'CREATE TABLE b (id int);',
      'INSERT INTO b VALUES (:psql_var);',
    ].join('\n');
    const skipped = build(text, true);
    const full = build(text, false);
    expect(skipped.diagnostics.map((d) => [d.kind, d.line, d.column])).toEqual([
      ['syntax', 2, 38],
      ['syntax', 3, 28],
      ['psql', 5, 23],
    ]);
    expect(skipped.diagnostics).toEqual(full.diagnostics);
    expect(skipped.model).toEqual(full.model);
    // The parse on its own agrees too (what changed-since and the grouping tests use).
    expect(skipped.diagnostics.filter((d) => d.kind !== 'reference')).toEqual(parseSqlFile('f.sql', text).diagnostics);
  });

  test('a data-heavy file: the trees of its rows are never built, and the model is the same', () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `(${i}, 'row ${i}; not a statement end')`).join(',\n');
    const text = `CREATE TABLE t (id int PRIMARY KEY, v text);\nINSERT INTO t (id, v) VALUES\n${rows};\nGRANT SELECT ON t TO PUBLIC;\nCREATE INDEX t_v ON t (v);\n`;
    const handed: string[] = [];
    // The default threshold: the rows (~100 KB, a group of their own) are skipped; the GRANT after them, alone in the
    // next group, is parsed.
    const parsed = parseSqlFile('f.sql', text, (group) => handed.push(...group.statements.map((s) => s.kind)), undefined, true);
    expect(handed).toEqual(['CreateStmt', 'GrantStmt', 'IndexStmt']);
    expect(parsed.statements.map((s) => s.kind)).toEqual(['CreateStmt', 'unparsed INSERT', 'GrantStmt', 'IndexStmt']);
    const skipped = buildModelFromSql([{ file: 'f.sql', text }], undefined, { skipUnread: true });
    expect(skipped.model).toEqual(build(text, false).model);
    expect(skipped.diagnostics).toEqual(build(text, false).diagnostics);
  });

  test('below the threshold (a few small statements in a group) nothing is skipped: parsing them is cheaper', () => {
    const text = `CREATE TABLE t (id int PRIMARY KEY);\nINSERT INTO t VALUES (1), (2);\nGRANT SELECT ON t TO PUBLIC;\n`;
    expect(splitSkippable(text)).toBeUndefined();
    expect(splitSkippable(text, 0)?.spans.map((s) => s.keyword)).toEqual(['INSERT', 'GRANT']);
    expect(buildModelFromSql([{ file: 'f.sql', text }], undefined, { skipUnread: true }).files[0].statements.map((s) => s.kind)).toEqual(['CreateStmt', 'InsertStmt', 'GrantStmt']);
    // On by default: a group with enough data (here a 20 KB INSERT) is split, and all its skippable statements go.
    expect(buildModelFromSql([{ file: 'f.sql', text: `${text}INSERT INTO t VALUES ${'(1), '.repeat(5000)}(2);\n` }]).files[0].statements.map((s) => s.kind)).toEqual([
      'CreateStmt', 'unparsed INSERT', 'unparsed GRANT', 'unparsed INSERT',
    ]);
    expect(buildModelFromSql([{ file: 'f.sql', text: `${text}INSERT INTO t VALUES ${'(1), '.repeat(5000)}(2);\n` }], undefined, { skipUnread: false }).files[0].statements.map((s) => s.kind)).toEqual([
      'CreateStmt', 'InsertStmt', 'GrantStmt', 'InsertStmt',
    ]);
  });
});
