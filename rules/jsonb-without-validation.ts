/**
 * jsonb-without-validation: a jsonb column accepts any JSON value. Without a CHECK, a string, a number, an array or
 * a JSON null lands where the application expects an object, and the mistake surfaces only when the row is read.
 */
import { skipIfDuplicate } from '../src/fix/idempotent.js';
import { fixObjectName, qualifiedIdent, quoteIdent, quoteLiteral } from '../src/fix/sql.js';
import { constraintNameTaken, descendantPartitions, qualify } from '../src/model/model.js';
import type { CheckConstraint, Constraint, Domain, Expression, SchemaModel, Table } from '../src/model/types.js';
import type { Fix, Rule, RuleFinding } from '../src/engine/types.js';
import { deparseNode } from '../src/sql/expression.js';
import { columnDisplayName, columnSubject, jsonbColumns, jsonKindOfExpression, type JsonbColumn, type JsonKind } from './jsonb/columns.js';

export type JsonbWithoutValidationOptions = Record<string, never>;

/** A CHECK that applies to the column's values, and where it lives (the table, or a domain of the column's type). */
interface Validation {
  constraint: CheckConstraint;
  owner: { kind: 'table'; table: Table } | { kind: 'domain'; domain: Domain };
}

function checkReadsColumn(constraint: CheckConstraint, column: string): boolean {
  return constraint.columns.includes(column) || (constraint.check?.columns.includes(column) ?? false);
}

/**
 * CHECKs on the table that read the column, then the CHECKs of every domain in the type chain (a domain over a
 * domain enforces both). Checks inherited through legacy INHERITS are enforced on this table too, so they count.
 */
function validationsOf(jsonb: JsonbColumn): Validation[] {
  const { table, column } = jsonb;
  const result: Validation[] = table.constraints
    .filter((constraint): constraint is CheckConstraint => constraint.kind === 'check' && checkReadsColumn(constraint, column.name))
    .map((constraint) => ({ constraint, owner: { kind: 'table', table } }));
  for (const domain of jsonb.domains) {
    for (const constraint of domain.checks) {
      if (constraint.kind === 'check') result.push({ constraint, owner: { kind: 'domain', domain } });
    }
  }
  return result;
}

function enforcedOnAllRows(constraint: Constraint): boolean {
  return constraint.validated && constraint.enforced;
}

/** Enforced for new rows but never checked against the rows already there: VALIDATE finishes the job. */
function awaitsValidation({ constraint }: Validation): boolean {
  return constraint.enforced && !constraint.validated;
}

function ownerSql(owner: Validation['owner']): string {
  return owner.kind === 'table'
    ? `ALTER TABLE ${qualifiedIdent(owner.table.schema, owner.table.name)}`
    : `ALTER DOMAIN ${qualifiedIdent(owner.domain.schema, owner.domain.name)}`;
}

function describeValidation({ constraint, owner }: Validation): string {
  const where = owner.kind === 'domain' ? ` on domain ${owner.domain.schema}.${owner.domain.name}` : '';
  const state = !constraint.enforced ? 'NOT ENFORCED, so PostgreSQL never checks it' : 'NOT VALID and never validated, so existing rows may violate it';
  return `CHECK ${constraint.name}${where} is ${state}`;
}

/** Partitions that validate the column themselves, while their parent does not (not counted: new partitions lack it). */
function partitionsWithOwnCheck(model: SchemaModel, jsonb: JsonbColumn): Table[] {
  if (jsonb.table.kind !== 'partitioned') return [];
  return descendantPartitions(model, jsonb.table).filter((partition) =>
    partition.constraints.some(
      (constraint) =>
        constraint.kind === 'check' && !constraint.inheritedFrom && enforcedOnAllRows(constraint) && checkReadsColumn(constraint, jsonb.column.name),
    ),
  );
}

function describeFinding(model: SchemaModel, jsonb: JsonbColumn, notCounted: Validation[]): string {
  const sentences: string[] = [];
  if (notCounted.length === 0) {
    sentences.push(
      `${columnSubject(jsonb)} has no CHECK constraint.`,
      'It accepts any JSON value (a string, number, array or JSON null where an object is expected), and bad documents are found only when they are read.',
    );
  } else {
    sentences.push(`${columnSubject(jsonb)} has no CHECK constraint that PostgreSQL enforces on all rows.`);
    sentences.push(`${notCounted.map(describeValidation).join('; ')}.`);
  }
  const partitions = partitionsWithOwnCheck(model, jsonb);
  if (partitions.length) {
    sentences.push(
      `Partitions with their own CHECK on it: ${partitions.map((p) => `${p.schema}.${p.name}`).join(', ')}; ` +
        'the parent has none, so other and future partitions accept anything.',
    );
  }
  return sentences.join(' ');
}

function validateFix(pending: Validation): Fix {
  const { constraint, owner } = pending;
  const notes: string[] = [];
  if (owner.kind === 'domain') {
    notes.push(
      'ALTER DOMAIN … VALIDATE CONSTRAINT scans every column of that domain, in every table; up to PostgreSQL 18 it holds a SHARE lock on those tables meanwhile, which blocks writes.',
    );
  } else {
    notes.push('VALIDATE CONSTRAINT scans the existing rows under a SHARE UPDATE EXCLUSIVE lock, which lets reads and writes go on.');
    if (owner.table.kind === 'partitioned') notes.push('On a partitioned table it validates every partition.');
  }
  notes.push('If it fails, some existing rows violate the constraint: fix them, then run it again.');
  return { sql: `${ownerSql(owner)} VALIDATE CONSTRAINT ${quoteIdent(constraint.name)};`, safety: 'safe', concurrently: false, notes };
}

/**
 * A NOT ENFORCED CHECK cannot be switched to ENFORCED in place in PostgreSQL 18 (ALTER CONSTRAINT … ENFORCED takes
 * only foreign keys there), so the plan recreates it NOT VALID and validates it.
 */
function enforceFix(notEnforced: Validation): Fix {
  const { constraint, owner } = notEnforced;
  const name = quoteIdent(constraint.name);
  const condition = deparseNode(constraint.check?.ast);
  const alter = ownerSql(owner);
  const sql =
    owner.kind === 'table'
      ? `${alter} DROP CONSTRAINT ${name}, ADD CONSTRAINT ${name} CHECK (${condition}) NOT VALID;\n${alter} VALIDATE CONSTRAINT ${name};`
      : `${alter} DROP CONSTRAINT ${name};\n${alter} ADD CONSTRAINT ${name} CHECK (${condition}) NOT VALID;\n${alter} VALIDATE CONSTRAINT ${name};`;
  return {
    sql,
    safety: 'review',
    concurrently: false,
    notes: [
      'The constraint was declared NOT ENFORCED on purpose, perhaps because existing rows violate it: check the data and ask why first.',
      'PostgreSQL 18 cannot ALTER CONSTRAINT … ENFORCED on a CHECK; the plan recreates it NOT VALID (new rows are checked at once) and then validates the existing rows.',
    ],
  };
}

interface CheckedKind {
  kind: JsonKind;
  /** False when the type is a guess: the default or generation expression does not show it. */
  derived: boolean;
  note?: string;
}

/**
 * The JSON type another jsonb column of the same table is checked for (`CHECK (jsonb_typeof(settings) = 'object')`):
 * the schema's own convention, so evidence for this column too.
 */
function siblingConvention(jsonb: JsonbColumn): JsonKind | undefined {
  const kinds = new Set<JsonKind>();
  for (const constraint of jsonb.table.constraints) {
    if (constraint.kind !== 'check' || !constraint.check || !enforcedOnAllRows(constraint)) continue;
    if (constraint.check.columns.includes(jsonb.column.name)) continue;
    for (const kind of checkedJsonKinds(constraint.check)) kinds.add(kind);
  }
  return kinds.size === 1 ? [...kinds][0] : undefined;
}

/**
 * The JSON types a CHECK tests with `jsonb_typeof(…) = '…'`. Per expression, once: it is asked for every other jsonb
 * column of the table, and equal checks are one shared expression in a model (src/model/shared-values.ts), which is
 * never changed once built; deparsing is the expensive part.
 */
const checkedKindsOf = new WeakMap<Expression, JsonKind[]>();

function checkedJsonKinds(check: Expression): JsonKind[] {
  let kinds = checkedKindsOf.get(check);
  if (!kinds) {
    const text = deparseNode(check.ast);
    kinds = [...text.matchAll(/jsonb_typeof\([^()]*\)\s*=\s*'(object|array)'/g)].map((match) => match[1] as JsonKind);
    checkedKindsOf.set(check, kinds);
  }
  return kinds;
}

function checkedKind(jsonb: JsonbColumn): CheckedKind {
  const expression = jsonb.column.default;
  const kind = jsonKindOfExpression(expression);
  const what = jsonb.column.generated ? 'generation expression' : 'default';
  if (kind === 'null') {
    return { kind: 'object', derived: false, note: `The column's ${what} is JSON null, which this CHECK rejects: change the ${what} or the check.` };
  }
  if (kind) return { kind, derived: true, note: `The JSON type '${kind}' comes from the column's ${what}.` };
  const sibling = jsonb.column.generated ? undefined : siblingConvention(jsonb);
  if (sibling) return { kind: sibling, derived: true, note: `The JSON type '${sibling}' follows the CHECK on another jsonb column of the table; the data of this one may differ.` };
  if (expression) return { kind: 'object', derived: false, note: `The column's ${what} does not show which JSON type it yields; make sure it is an object.` };
  return { kind: 'object', derived: false, note: "Nothing in the schema shows which JSON type the column holds: 'object' is a guess; check the data (SELECT jsonb_typeof(col), count(*) … GROUP BY 1) first." };
}

function addCheckFix(model: SchemaModel, jsonb: JsonbColumn, reserved: Set<string>): Fix {
  const { table, column } = jsonb;
  const taken = (name: string): boolean => reserved.has(qualify(table.schema, name)) || constraintNameTaken(model, table.schema, name);
  const name = fixObjectName([table.name, column.name], 'check', taken);
  reserved.add(qualify(table.schema, name));
  const checked = checkedKind(jsonb);
  const { kind, note } = checked;
  const target = qualifiedIdent(table.schema, table.name);
  const constraintName = quoteIdent(name);
  const add = `ALTER TABLE ${target} ADD CONSTRAINT ${constraintName} CHECK (jsonb_typeof(${quoteIdent(column.name)}) = ${quoteLiteral(kind)}) NOT VALID;`;
  // A plan to review is read, not re-run by the script: the plain statement says it best. Statements the script runs
  // skip, with a notice, a constraint an earlier run already added.
  const safety = checked.derived ? 'behaviour' : 'review';
  const guarded = safety === 'review' ? add : skipIfDuplicate(add, `constraint ${name} on ${table.schema}.${table.name}`);
  const sql = `${guarded}\nALTER TABLE ${target} VALIDATE CONSTRAINT ${constraintName};`;
  const notes = [
    'ADD CONSTRAINT … NOT VALID holds an ACCESS EXCLUSIVE lock only for a moment and checks new rows from then on; ' +
      'VALIDATE CONSTRAINT then scans the existing rows under SHARE UPDATE EXCLUSIVE, which lets reads and writes go on.',
    // One sentence for every column (said once in the script), not one per column.
    "If VALIDATE fails, find the rows with SELECT … WHERE jsonb_typeof(<column>) <> '<type>', fix them, and run it again.",
    'This checks only the top-level JSON type; extend it with the keys the application relies on.',
  ];
  if (table.kind === 'partitioned') notes.push('On a partitioned table both statements apply to every partition.');
  if (note) notes.push(note);
  // A NOT VALID CHECK still rejects new rows at once: with evidence of the type it changes behaviour (writes of
  // another type start failing); without evidence it is a guess, a plan to review.
  return { sql, safety, concurrently: false, notes };
}

function chooseFix(model: SchemaModel, jsonb: JsonbColumn, notCounted: Validation[], reserved: Set<string>): Fix {
  // Validating the table's own constraint scans one table; a domain's scans every column of the domain.
  const pending = notCounted.find((v) => awaitsValidation(v) && v.owner.kind === 'table') ?? notCounted.find(awaitsValidation);
  if (pending) return validateFix(pending);
  const notEnforced = notCounted.find((v) => !v.constraint.enforced && v.constraint.check);
  if (notEnforced) return enforceFix(notEnforced);
  return addCheckFix(model, jsonb, reserved);
}

function checkColumn(model: SchemaModel, jsonb: JsonbColumn, reserved: Set<string>): RuleFinding | undefined {
  const validations = validationsOf(jsonb);
  if (validations.some((v) => enforcedOnAllRows(v.constraint))) return undefined;
  const { table, column } = jsonb;
  const pending = validations.length > 0;
  return {
    title: `${columnDisplayName(jsonb)}: no ${pending ? 'validated, enforced ' : ''}CHECK`,
    message: describeFinding(model, jsonb, validations),
    object: { kind: 'column', schema: table.schema, name: table.name, column: column.name },
    origin: column.origin,
    fix: chooseFix(model, jsonb, validations, reserved),
  };
}

export const jsonbWithoutValidation: Rule<JsonbWithoutValidationOptions> = {
  id: 'jsonb-without-validation',
  name: 'JsonbWithoutValidation',
  defaultSeverity: 'warning',
  fixSafety: ['safe', 'behaviour', 'review'],
  precision: 'medium',
  tags: ['correctness', 'jsonb', 'constraint'],
  docs: {
    summary: 'A jsonb column has no CHECK constraint.',
    description:
      'A jsonb column accepts any JSON value. Without a CHECK, a string, a number, an array or a JSON null can land ' +
      'where the application expects an object, and the mistake shows up only when the row is read. A column is ' +
      'covered by a CHECK constraint on the table that reads it, or by a CHECK on its domain (for a domain over ' +
      'jsonb). A constraint that is NOT VALID and was never validated, or NOT ENFORCED (PostgreSQL 18), does not ' +
      'count: existing rows, or all rows, may violate it.',
    bad: [
      {
        title: 'No CHECK on events.payload',
        sql: "CREATE TABLE events (id bigint PRIMARY KEY, payload jsonb NOT NULL DEFAULT '{}');",
      },
      {
        title: 'A CHECK added NOT VALID and never validated',
        sql:
          "CREATE TABLE events (id bigint PRIMARY KEY, payload jsonb NOT NULL DEFAULT '{}');\n" +
          "ALTER TABLE events ADD CONSTRAINT events_payload_object CHECK (jsonb_typeof(payload) = 'object') NOT VALID;",
      },
    ],
    good: [
      {
        title: 'A CHECK on the column',
        sql:
          'CREATE TABLE events (\n  id bigint PRIMARY KEY,\n' +
          "  payload jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(payload) = 'object')\n);",
      },
      {
        title: 'A CHECK on a domain over jsonb',
        sql:
          "CREATE DOMAIN json_doc AS jsonb CHECK (jsonb_typeof(VALUE) = 'object');\n" +
          "CREATE TABLE events (id bigint PRIMARY KEY, payload json_doc NOT NULL DEFAULT '{}');",
      },
    ],
    fix:
      "`ALTER TABLE <table> ADD CONSTRAINT <table>_<column>_check CHECK (jsonb_typeof(<column>) = 'object') NOT VALID;` " +
      'then `ALTER TABLE <table> VALIDATE CONSTRAINT <table>_<column>_check;` — the first checks new rows at once under a ' +
      'brief lock, the second scans existing rows without blocking writes. A NOT VALID CHECK still rejects new rows of ' +
      "another type at once, so the fix changes behaviour: it is `behaviour` when the schema shows the type (the " +
      "column's default: `'{}'` gives object, `'[]'` array; or a CHECK of `jsonb_typeof` on another jsonb column of the " +
      "table), and a plan to `review` when 'object' is only a guess. A NOT VALID constraint is validated instead " +
      '(`safe`: VALIDATE changes nothing a write sees). A NOT ENFORCED one gets a plan to review (recreate it NOT VALID, ' +
      'then validate), since PostgreSQL 18 cannot switch a CHECK to ENFORCED.',
  },
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  defaultOptions: {},
  check(model) {
    const reserved = new Set<string>();
    const findings: RuleFinding[] = [];
    for (const jsonb of jsonbColumns(model)) {
      const finding = checkColumn(model, jsonb, reserved);
      if (finding) findings.push(finding);
    }
    return findings;
  },
};
