/**
 * pg_partman in DDL: a table handed to pg_partman gets its partitions at run time, from `run_maintenance()`. Two
 * forms register one: `SELECT partman.create_parent('public.events', 'created_at', …)` (pg_partman 4 takes
 * `p_type` third and the interval fourth; pg_partman 5 takes the interval third), and a direct
 * `INSERT INTO partman.part_config (parent_table, …) VALUES (…)`. The model keeps what the rules need: the parent,
 * the interval, and `premake`.
 */
import { qualify } from '../../model/model.js';
import type { PartmanConfig } from '../../model/types.js';
import { deparseNode } from '../../sql/expression.js';
import type { DdlModelBuilder } from './builder.js';
import type { PgNode, PgNodeOf } from '../../sql/pg-node.js';

// A name list holds String nodes only; an absent sval is kept as undefined, as the untyped code had it.
const strings = (list: PgNode[] | undefined): string[] => (list ?? []).map((n) => n.String?.sval as string);

/** A constant argument as text (`'1 day'`, `4`, `'1 day'::interval`), undefined for anything computed. */
function constant(node: PgNode | undefined): string | undefined {
  if (!node) return undefined;
  if (node.TypeCast) return constant(node.TypeCast.arg);
  if (node.A_Const?.sval) return node.A_Const.sval.sval;
  if (node.A_Const?.ival) return String(node.A_Const.ival.ival ?? 0);
  return undefined;
}

function extensionSchema(builder: DdlModelBuilder, written?: string): string {
  return written ?? builder.model.extensions.get('pg_partman')?.schema ?? 'partman';
}

function register(builder: DdlModelBuilder, config: Omit<PartmanConfig, 'origin'>): void {
  const model = builder.model;
  if (!model.partman) model.partman = new Map();
  model.partman.set(config.parent, { ...config, origin: builder.statementOrigin() });
}

/** part_config names the parent `schema.table`; pg_partman requires the schema, but be lenient. */
function parentKey(builder: DdlModelBuilder, text: string): string {
  const dot = text.indexOf('.');
  return dot > 0 ? text : qualify(builder.creationSchema(undefined), text);
}

/** `SELECT [schema.]create_parent(…)` anywhere in a SELECT's target list. */
export function applyPartmanSelect(builder: DdlModelBuilder, select: PgNodeOf<'SelectStmt'>): void {
  for (const target of select.targetList ?? []) {
    const call = target.ResTarget?.val?.FuncCall;
    const name = strings(call?.funcname);
    if (!call || name[name.length - 1] !== 'create_parent') continue;
    const positional: PgNode[] = [];
    const named = new Map<string | undefined, PgNode | undefined>();
    for (const arg of call.args ?? []) {
      if (arg.NamedArgExpr) named.set(arg.NamedArgExpr.name, arg.NamedArgExpr.arg);
      else positional.push(arg);
    }
    const parent = constant(named.get('p_parent_table') ?? positional[0]);
    if (!parent) {
      builder.diagnose(`create_parent: the parent table is computed (${deparseNode(positional[0] ?? {})}); DDL mode cannot tell which table pg_partman manages`, call.location, 'unsupported');
      continue;
    }
    const third = constant(positional[2]);
    // pg_partman 4: create_parent(parent, control, p_type 'native'|'partman', interval, …); 5: (parent, control, interval, …).
    const v4 = third === 'native' || third === 'partman';
    const interval = constant(named.get('p_interval') ?? (v4 ? positional[3] : positional[2]));
    const premakeText = constant(named.get('p_premake') ?? (v4 ? positional[6] : undefined));
    register(builder, {
      parent: parentKey(builder, parent),
      extensionSchema: extensionSchema(builder, name.length > 1 ? name[name.length - 2] : undefined),
      interval,
      premake: premakeText !== undefined && /^\d+$/.test(premakeText) ? Number(premakeText) : undefined,
    });
  }
}

/** `INSERT INTO [schema.]part_config (parent_table, partition_interval, premake, …) VALUES (…), …`. */
export function applyPartmanInsert(builder: DdlModelBuilder, insert: PgNodeOf<'InsertStmt'>): void {
  const relation = insert.relation;
  if (relation?.relname !== 'part_config') return;
  const columns = (insert.cols ?? []).map((c) => c.ResTarget?.name);
  const rows = insert.selectStmt?.SelectStmt?.valuesLists ?? [];
  for (const row of rows) {
    const values = row.List?.items ?? [];
    const value = (column: string): string | undefined => {
      const at = columns.indexOf(column);
      return at >= 0 ? constant(values[at]) : undefined;
    };
    const parent = value('parent_table');
    if (!parent) continue;
    const premake = value('premake');
    register(builder, {
      parent: parentKey(builder, parent),
      extensionSchema: extensionSchema(builder, relation.schemaname),
      interval: value('partition_interval'),
      premake: premake !== undefined && /^\d+$/.test(premake) ? Number(premake) : undefined,
    });
  }
}
