/**
 * Partitions made at run time. Some schemas never declare their partitions: pg_partman's maintenance makes them
 * (a `part_config` row names the parent), or a function of the schema does, called by the application or a cron
 * job (hatchet's `create_v1_range_partition(targetTableName, targetDate)` attaches daily `<table>_YYYYMMDD`
 * partitions). A `CREATE TABLE … PARTITION OF` from us would then collide with the next partition that maker
 * attaches, so the rule names the maker and says how to check that it runs, instead of proposing partitions.
 */
import { qualify } from '../../src/model/model.js';
import type { FunctionDef, PartmanConfig, SchemaModel, Table } from '../../src/model/types.js';
import { quoteLiteral, qualifiedIdent } from '../../src/fix/sql.js';

export type RuntimeMaker =
  | { kind: 'pg_partman'; config: PartmanConfig }
  | { kind: 'function'; fn: FunctionDef; names: 'this table' | 'the table it is given'; interval?: string };

/** Creates or attaches a range partition, in static SQL or in an EXECUTE'd string. */
const RANGE_PARTITION = /\b(attach\s+partition|partition\s+of)\b[\s\S]*?\bfor\s+values\s+from\b/i;
const DYNAMIC = /\bexecute\b/i;
const INTERVAL = /interval\s+'\s*1\s+(day|week|month|year)s?\s*'/i;

const ADJECTIVE: Record<string, string> = { day: 'daily', week: 'weekly', month: 'monthly', year: 'yearly' };

function mentions(body: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^a-z0-9_$])"?${escaped}"?([^a-z0-9_$]|$)`, 'i').test(body);
}

/**
 * Functions in the table's schema whose body creates range partitions: of this table by name, or of whatever table
 * they are given (a text/regclass parameter and dynamic SQL). Functions of other schemas count when they name it.
 */
export function partitionFunctions(model: SchemaModel, table: Table): RuntimeMaker[] {
  const makers: RuntimeMaker[] = [];
  for (const overloads of model.functions.values()) {
    for (const fn of overloads) {
      if (fn.fromExtension || fn.language === 'c' || fn.language === 'internal' || !RANGE_PARTITION.test(fn.body)) continue;
      const byName = mentions(fn.body, table.name);
      const generic =
        !byName && fn.schema === table.schema && DYNAMIC.test(fn.body) &&
        fn.argumentTypes.some((type) => /^(pg_catalog\.)?(text|varchar|name|regclass|character varying)$/i.test(type));
      if (!byName && !generic) continue;
      const unit = INTERVAL.exec(fn.body)?.[1]?.toLowerCase();
      makers.push({ kind: 'function', fn, names: byName ? 'this table' : 'the table it is given', interval: unit });
    }
  }
  return makers.sort((a, b) => (a.kind === 'function' && b.kind === 'function' ? `${a.fn.schema}.${a.fn.name}`.localeCompare(`${b.fn.schema}.${b.fn.name}`) : 0));
}

export function runtimeMakers(model: SchemaModel, table: Table): RuntimeMaker[] {
  const config = model.partman?.get(qualify(table.schema, table.name));
  if (config) return [{ kind: 'pg_partman', config }];
  return partitionFunctions(model, table);
}

/** The query that shows the newest partition's bound: what a DBA runs to see that the maker keeps up. */
function newestBoundQuery(table: Table): string {
  return (
    `SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid ` +
    `WHERE i.inhparent = ${quoteLiteral(qualifiedIdent(table.schema, table.name))}::regclass ORDER BY c.relname DESC LIMIT 3;`
  );
}

/** The sentences of the note: who makes the partitions, and how to check that they keep coming. */
export function describeMakers(table: Table, makers: RuntimeMaker[], monthsAhead: number): string {
  const name = qualify(table.schema, table.name);
  const first = makers[0];
  if (first.kind === 'pg_partman') {
    const { config } = first;
    const schema = qualifiedIdent(config.extensionSchema, 'run_maintenance');
    const settings = [config.interval ? `interval ${config.interval}` : undefined, `premake ${config.premake ?? 4}`].filter(Boolean).join(', ');
    return (
      `Partitions of ${name} are made at run time by pg_partman (${config.extensionSchema}.part_config: ${settings}); ` +
      `no CREATE TABLE is proposed, it would collide with the partitions pg_partman makes. Check that ${schema}() runs ` +
      `(pg_partman's background worker, pg_cron or an outside scheduler) and that premake covers ${monthsAhead} month${monthsAhead === 1 ? '' : 's'} ahead: ` +
      `SELECT * FROM ${qualifiedIdent(config.extensionSchema, 'show_partitions')}(${quoteLiteral(name)}, 'DESC') LIMIT 3;`
    );
  }
  const list = makers
    .map((maker) => {
      if (maker.kind !== 'function') return '';
      const { fn } = maker;
      return `${fn.schema}.${fn.name}(${fn.argumentTypes.join(', ')})${maker.interval ? ` (${ADJECTIVE[maker.interval] ?? maker.interval} partitions)` : ''}${maker.names === 'this table' ? '' : ', for the table it is given'}`;
    })
    .join('; ');
  return (
    `Partitions of ${name} are made at run time by ${makers.length === 1 ? 'the function' : 'the functions'} ${list}; ` +
    `no CREATE TABLE is proposed, it would collide with the partitions ${makers.length === 1 ? 'it attaches' : 'they attach'}. Check that the job that calls ` +
    `${makers.length === 1 ? 'it' : 'them'} runs ahead of the data (${monthsAhead} month${monthsAhead === 1 ? '' : 's'} ahead), e.g. the newest partitions: ${newestBoundQuery(table)}`
  );
}
