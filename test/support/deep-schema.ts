/**
 * A schema whose expressions are as deep as PostgreSQL accepts with its default max_stack_depth (about 4,000 terms
 * of `1 + 1 + …` on PostgreSQL 15), in every place a DDL statement holds an expression: column defaults, generated
 * columns, CHECK constraints (table and domain), index expressions and predicates, partition keys, view bodies
 * (operator chains and UNION chains). It has ordinary lintable objects too, so a test can tell "linted" from
 * "skipped". Index expressions and partition keys are stored in catalogs without TOAST (pg_index,
 * pg_partitioned_table), where PostgreSQL's 8 kB row limit allows about 60 terms, so those get 40.
 */
export function sumOfOnes(terms: number): string {
  return Array(terms).fill('1').join(' + ');
}

export function concatOfColumn(column: string, terms: number): string {
  return Array(terms).fill(column).join(' || ');
}

export function deepSchema(terms: number): string {
  const sum = sumOfOnes(terms);
  const short = sumOfOnes(Math.min(terms, 40));
  const unions = Array.from({ length: Math.floor(terms / 3) }, (_, i) => `SELECT ${i}`).join(' UNION ALL ');
  return `CREATE SCHEMA deep;
CREATE DOMAIN deep.small AS int4 CHECK (VALUE < ${sum});
CREATE TABLE deep.parent (id int8 PRIMARY KEY);
CREATE TABLE deep.child (
  id int8 PRIMARY KEY,
  parent_id int8 REFERENCES deep.parent (id),
  label text,
  payload jsonb CHECK (jsonb_typeof(payload) = 'object' AND octet_length(payload::text) < ${sum}),
  counter int4 DEFAULT ${sum},
  doubled int4 GENERATED ALWAYS AS (counter * 2 + ${sum}) STORED,
  size deep.small,
  CONSTRAINT child_label_long CHECK (length(${concatOfColumn('label', terms)}) > 0)
);
CREATE INDEX child_expr_idx ON deep.child ((counter + ${short}));
CREATE INDEX child_partial_idx ON deep.child (label) WHERE counter < ${short};
CREATE TABLE deep.measurements (id int8, at date NOT NULL, reading int4) PARTITION BY RANGE ((reading + ${short}));
CREATE TABLE deep.measurements_low PARTITION OF deep.measurements FOR VALUES FROM (MINVALUE) TO (100);
CREATE VIEW deep.sum_view AS SELECT ${sum} AS total;
CREATE VIEW deep.union_view AS ${unions};
`;
}
