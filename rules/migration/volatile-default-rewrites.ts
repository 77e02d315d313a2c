/** ADD COLUMN with a volatile default (or serial, identity, stored generated) rewrites the whole existing table. */
import { quoteIdent, quoteLiteral } from '../../src/fix/sql.js';
import { deparseNode } from '../../src/sql/expression.js';
import { alterCommandsOnExistingTable, rewriteFix, sizeSignal, tableName, tableObject } from './common.js';
import { migrationRule, type MigrationFinding } from './types.js';
import { present, stringValue, type PgNode } from '../../src/sql/pg-node.js';

const LOCK = 'ACCESS EXCLUSIVE';

/** Built-in functions marked VOLATILE that people put in defaults. */
const VOLATILE_FUNCTIONS = new Set([
  'random', 'gen_random_uuid', 'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4', 'uuidv4', 'uuidv7',
  'clock_timestamp', 'timeofday', 'nextval', 'txid_current', 'random_normal', 'gen_random_bytes', 'setval',
]);
const SERIAL_TYPES = new Set(['serial', 'serial4', 'bigserial', 'serial8', 'smallserial', 'serial2']);
const SERIAL_BASE: Record<string, string> = { serial: 'integer', serial4: 'integer', bigserial: 'bigint', serial8: 'bigint', smallserial: 'smallint', serial2: 'smallint' };

export function volatileCall(node: unknown): string | undefined {
  let found: string | undefined;
  const visit = (value: unknown): void => {
    if (found || !value || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach(visit);
    const call = (value as PgNode).FuncCall;
    const name = call?.funcname?.map((n) => n.String?.sval).pop();
    if (name && VOLATILE_FUNCTIONS.has(name)) found = `${name}()`;
    Object.values(value).forEach(visit);
  };
  visit(node);
  return found;
}

export const volatileDefaultRewrites = migrationRule({
  id: 'volatile-default-rewrites',
  name: 'VolatileDefaultRewrites',
  defaultSeverity: 'warning',
  precision: 'high',
  tags: ['migration', 'locking', 'rewrite'],
  lock: LOCK,
  docs: {
    summary: 'ADD COLUMN with a volatile default (random(), gen_random_uuid(), clock_timestamp(), a serial, an identity or a stored generated column) rewrites the existing table',
    description:
      'Since PostgreSQL 11, `ADD COLUMN … DEFAULT <constant or stable expression>` (`now()` included) only records the ' +
      'default. A volatile default has to be computed for every existing row: the table is rewritten, with its indexes, ' +
      `under an **${LOCK}** lock. Serial, identity and stored generated columns are filled the same way.`,
    bad: [{ title: 'a uuid per row', sql: 'ALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();' }],
    good: [
      { title: 'a stable default is only recorded', sql: 'ALTER TABLE orders ADD COLUMN created_at timestamptz DEFAULT now();' },
      { title: 'column first, default for new rows, backfill in batches', sql: 'ALTER TABLE orders ADD COLUMN public_id uuid;\nALTER TABLE orders ALTER COLUMN public_id SET DEFAULT gen_random_uuid();' },
    ],
    fix: 'Add the column without the default, `SET DEFAULT` for new rows, then backfill the existing rows in batches.',
  },
  checkStatement(statement, _before, ctx) {
    const target = alterCommandsOnExistingTable(statement, ctx, 'AT_AddColumn');
    if (!target) return [];
    const { table, commands } = target;
    const findings: MigrationFinding[] = [];
    for (const command of commands) {
      const def = present(command.def?.ColumnDef, 'ADD COLUMN ColumnDef');
      const typeLast = (def.typeName?.names ?? []).map(stringValue).pop() ?? '';
      const constraints = (def.constraints ?? []).map((c) => present(c.Constraint, 'column Constraint'));
      const defaultExpr = constraints.find((c) => c.contype === 'CONSTR_DEFAULT')?.raw_expr;
      const volatile = defaultExpr ? volatileCall(defaultExpr) : undefined;
      const serial = SERIAL_TYPES.has(typeLast) ? typeLast : undefined;
      const identity = constraints.some((c) => c.contype === 'CONSTR_IDENTITY');
      const generated = constraints.some((c) => c.contype === 'CONSTR_GENERATED' && c.generated_kind === 's');
      const why = volatile ? `the volatile default ${volatile}` : serial ? `the ${serial} type` : identity ? 'an identity' : generated ? 'a stored generated expression' : undefined;
      if (!why || def.colname === undefined) continue;
      const t = tableName(table);
      const c = quoteIdent(def.colname);
      const typeSql = serial ? SERIAL_BASE[serial] : deparseNode({ TypeName: def.typeName });
      let sql: string[];
      if (volatile) {
        const expr = deparseNode(defaultExpr);
        sql = [
          `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${c} ${typeSql};`,
          `ALTER TABLE ${t} ALTER COLUMN ${c} SET DEFAULT ${expr};`,
          `-- backfill the existing rows in batches, one short transaction each:`,
          `--   UPDATE ${t} SET ${c} = ${expr} WHERE <primary key range> AND ${c} IS NULL;`,
        ];
      } else if (serial) {
        const sequence = quoteIdent(`${table.name}_${def.colname}_seq`);
        const qualifiedSequence = `${quoteIdent(table.schema)}.${sequence}`;
        sql = [
          `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${c} ${typeSql};`,
          `CREATE SEQUENCE IF NOT EXISTS ${qualifiedSequence} AS ${typeSql} OWNED BY ${t}.${c};`,
          `ALTER TABLE ${t} ALTER COLUMN ${c} SET DEFAULT nextval(${quoteLiteral(qualifiedSequence)}::regclass);`,
          `-- backfill the existing rows in batches: UPDATE ${t} SET ${c} = nextval(${quoteLiteral(qualifiedSequence)}::regclass) WHERE <primary key range> AND ${c} IS NULL;`,
        ];
      } else {
        sql = [
          `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${c} ${typeSql};`,
          `-- backfill in batches, prove NOT NULL with a validated CHECK, then add the ${identity ? 'identity (ALTER COLUMN … ADD GENERATED BY DEFAULT AS IDENTITY)' : 'generation expression (PostgreSQL 17+: ALTER COLUMN … SET EXPRESSION rewrites too; keep a trigger instead)'}`,
        ];
      }
      const { escalate, size } = sizeSignal(table, ctx);
      findings.push({
        message: `ADD COLUMN ${def.colname} with ${why} rewrites ${table.schema}.${table.name}${size} under an ${LOCK} lock`,
        object: tableObject(table, { column: def.colname }),
        origin: ctx.origin(def.location),
        escalate,
        fix: rewriteFix(sql, ['Existing rows get the value from the backfill, not at once: check that readers tolerate NULL until it is done.']),
      });
    }
    return findings;
  },
});
