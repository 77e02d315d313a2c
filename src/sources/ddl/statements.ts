/** Statement dispatch: which statement kinds change the model, and how. Anything not listed is skipped on purpose. */
import { copyOf, newTable, qualify } from '../../model/model.js';
import type { Constraint, Table, Trigger } from '../../model/types.js';
import { decodeTriggerType, TRIGGER_ROW } from '../../model/trigger-type.js';
import { deparseNode } from '../../sql/expression.js';
import { IMPLICIT_FILE, type DdlModelBuilder } from './builder.js';
import { present, tagged, type PgNode, type PgNodeOf } from '../../sql/pg-node.js';
import { applyAlterTable } from './alter.js';
import { applyIndexStmt } from './indexes.js';
import type { ParsedStatement } from './parse-file.js';
import { applyCreateStmt, defElemValue } from './tables.js';
import { applyDoBlock } from './do-block.js';
import { applyDrop, applyRename, applySetSchema } from './drop-rename.js';
import { chooseConstraintName } from './naming.js';
import { rangeVarOf } from './range-var.js';
import { applyPartmanInsert, applyPartmanSelect } from './partman.js';

// A name list holds String nodes; an absent sval stays undefined, as the untyped code had it.
const strings = (list: PgNode[] | undefined): string[] => (list ?? []).map((n) => n.String?.sval as string);

export function applyStatement(builder: DdlModelBuilder, statement: ParsedStatement): void {
  const entry = tagged(statement.node);
  if (!entry) return;
  switch (entry.kind) {
    case 'CreateSchemaStmt':
      return applyCreateSchema(builder, entry.node);
    case 'CreateStmt':
      return applyCreateStmt(builder, entry.node);
    case 'IndexStmt':
      return applyIndexStmt(builder, entry.node);
    case 'AlterTableStmt':
      return applyAlterTable(builder, entry.node);
    case 'CreateTrigStmt':
      return applyCreateTrigger(builder, entry.node);
    case 'CreateFunctionStmt':
      return applyCreateFunction(builder, entry.node);
    case 'CreateDomainStmt':
      return applyCreateDomain(builder, entry.node);
    case 'AlterDomainStmt':
      return applyAlterDomain(builder, entry.node);
    case 'CreateEnumStmt':
    case 'CreateRangeStmt':
      return addNamedType(builder, strings(entry.node.typeName), 'type');
    case 'CompositeTypeStmt':
      return addRelationLike(builder, entry.node.typevar, 'composite type');
    case 'ViewStmt':
      return addRelationLike(builder, entry.node.view, 'view');
    case 'CreateSeqStmt':
      return addRelationLike(builder, entry.node.sequence, 'sequence');
    case 'CreateForeignTableStmt':
      return addRelationLike(builder, entry.node.base?.relation, 'foreign table');
    case 'CreateTableAsStmt':
      return applyCreateTableAs(builder, entry.node);
    case 'CreateExtensionStmt':
      return applyCreateExtension(builder, entry.node);
    case 'RenameStmt':
      return applyRename(builder, entry.node);
    case 'AlterObjectSchemaStmt':
      return applySetSchema(builder, entry.node);
    case 'DropStmt':
      return applyDrop(builder, entry.node);
    case 'CommentStmt':
      return applyComment(builder, entry.node);
    case 'VariableSetStmt':
      if (entry.node.name === 'search_path') {
        builder.searchPath = entry.node.kind === 'VAR_SET_VALUE' ? (entry.node.args ?? []).map(constantText) : [...builder.sessionSettings.searchPath];
        builder.markSearchPathSet();
      }
      return;
    case 'SelectStmt':
      applyPartmanSelect(builder, entry.node);
      return applySetConfigSearchPath(builder, entry.node);
    case 'InsertStmt':
      return applyPartmanInsert(builder, entry.node);
    case 'DoStmt':
      return applyDoBlock(builder, entry.node, applyStatement);
    default:
      return;
  }
}

function constantText(node: PgNode): string {
  return node.A_Const?.sval?.sval ?? (node.A_Const?.ival ? String(node.A_Const.ival.ival ?? 0) : deparseNode(node));
}

/** pg_dump's `SELECT pg_catalog.set_config('search_path', '', false);`. */
function applySetConfigSearchPath(builder: DdlModelBuilder, select: PgNodeOf<'SelectStmt'>): void {
  const call = select.targetList?.[0]?.ResTarget?.val?.FuncCall;
  if (!call || strings(call.funcname).pop() !== 'set_config') return;
  const [setting, value] = (call.args ?? []).map(constantText);
  if (setting !== 'search_path') return;
  builder.searchPath = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => (part.startsWith('"') ? part.slice(1, -1).replace(/""/g, '"') : part.toLowerCase()));
  builder.markSearchPathSet();
}

function applyCreateSchema(builder: DdlModelBuilder, node: PgNodeOf<'CreateSchemaStmt'>): void {
  // CREATE SCHEMA names the schema, or AUTHORIZATION names the role it is named after.
  const name = present(node.schemaname ?? node.authrole?.rolename, 'CreateSchemaStmt name');
  const existing = builder.model.schemas.get(name);
  if (!existing || (existing.origin.kind === 'file' && existing.origin.file === IMPLICIT_FILE)) {
    builder.model.schemas.set(name, { name, origin: builder.statementOrigin() });
  }
  const saved = builder.searchPath;
  // PostgreSQL puts the new schema in front of the search path while it creates the schema's elements.
  builder.searchPath = [name, ...saved];
  for (const element of node.schemaElts ?? []) {
    const kind = Object.keys(element)[0];
    applyStatement(builder, { ...builder.statement, node: element, kind });
  }
  builder.searchPath = saved;
}

function applyCreateTrigger(builder: DdlModelBuilder, node: PgNodeOf<'CreateTrigStmt'>): void {
  const table = builder.requireTable(present(node.relation, 'CreateTrigStmt.relation'), 'CREATE TRIGGER', true);
  if (!table) return;
  const tableKey = qualify(table.schema, table.name);
  const trigger: Trigger = {
    name: present(node.trigname, 'CreateTrigStmt.trigname'),
    table: tableKey,
    ...decodeTriggerType((node.row ? TRIGGER_ROW : 0) | (node.timing ?? 0) | (node.events ?? 0)),
    enabled: 'O',
    function: builder.qualifyFunction(node.funcname ?? []),
    arguments: strings(node.args),
    inherited: false,
    constraintTrigger: false,
    origin: builder.statementOrigin(),
  };
  const existing = table.triggers.findIndex((t) => t.name === trigger.name);
  if (existing >= 0) {
    if (!node.replace) {
      builder.diagnose(`trigger ${trigger.name} on ${tableKey} already exists; the first definition is kept`);
      return;
    }
    table.triggers.splice(existing, 1);
  }
  table.triggers.push(trigger);
  if (trigger.level === 'row') cloneTriggerToPartitions(builder, table, trigger);
}

function cloneTriggerToPartitions(builder: DdlModelBuilder, table: Table, trigger: Trigger): void {
  for (const partitionKey of table.partitions) {
    const partition = builder.model.tables.get(partitionKey);
    if (!partition || partition.triggers.some((t) => t.name === trigger.name)) continue;
    const clone = copyOf(trigger, { table: partitionKey, inherited: true });
    partition.triggers.push(clone);
    cloneTriggerToPartitions(builder, partition, clone);
  }
}

function applyCreateFunction(builder: DdlModelBuilder, node: PgNodeOf<'CreateFunctionStmt'>): void {
  const nameParts = strings(node.funcname);
  const schema = builder.creationSchema(nameParts.length > 1 ? nameParts[nameParts.length - 2] : undefined);
  const name = nameParts[nameParts.length - 1];
  const options = new Map<string | undefined, PgNode | undefined>();
  for (const option of node.options ?? []) options.set(option.DefElem?.defname, option.DefElem?.arg);
  const asArg = options.get('as');
  const body = asArg?.List ? strings(asArg.List.items)[0] : node.sql_body ? deparseNode(node.sql_body) : '';
  const parameters = (node.parameters ?? []).map((p) => present(p.FunctionParameter, 'FunctionParameter'));
  const argumentTypes = parameters
    .filter((p) => p.mode !== 'FUNC_PARAM_OUT' && p.mode !== 'FUNC_PARAM_TABLE')
    .map((p) => strings(p.argType?.names).join('.'));
  const key = qualify(schema, name);
  const overloads = builder.model.functions.get(key) ?? [];
  const same = overloads.findIndex((f) => f.argumentTypes.join(',') === argumentTypes.join(','));
  const definition = {
    schema,
    name,
    argumentTypes,
    returnType: node.returnType ? strings(node.returnType.names).join('.') : 'void',
    language: options.has('language') ? defElemValue(options.get('language')) : 'sql',
    body,
    origin: builder.origin(builder.statement.startByte),
  };
  if (same >= 0) {
    if (node.replace) overloads[same] = definition;
    else builder.diagnose(`function ${key} already exists with the same argument types; the first definition is kept`);
  } else overloads.push(definition);
  builder.model.functions.set(key, overloads);
}

function applyCreateDomain(builder: DdlModelBuilder, node: PgNodeOf<'CreateDomainStmt'>): void {
  const parts = strings(node.domainname);
  const schema = builder.creationSchema(parts.length > 1 ? parts[parts.length - 2] : undefined);
  const name = parts[parts.length - 1];
  const key = qualify(schema, name);
  const domain = { schema, name, baseType: builder.typeRef(present(node.typeName, 'CreateDomainStmt.typeName')), notNull: false, checks: [] as Constraint[], origin: builder.statementOrigin() };
  const batch = new Set<string>();
  for (const item of node.constraints ?? []) {
    const constraint = present(item.Constraint, 'domain Constraint');
    if (constraint.contype === 'CONSTR_NOTNULL') domain.notNull = true;
    if (constraint.contype !== 'CONSTR_CHECK') continue;
    domain.checks.push(domainCheck(builder, schema, name, constraint, batch));
  }
  builder.model.domains.set(key, domain);
}

function domainCheck(builder: DdlModelBuilder, schema: string, domainName: string, constraint: PgNodeOf<'Constraint'>, batch: Set<string>): Constraint {
  const check = builder.expression(constraint.raw_expr);
  const checkName = constraint.conname ?? chooseConstraintName(builder, schema, domainName, [], 'check', batch);
  batch.add(checkName);
  builder.countConstraintName(schema, checkName, 1);
  const enforced = constraint.is_enforced === true;
  return {
    name: checkName,
    kind: 'check',
    columns: check.columns,
    check,
    validated: enforced && !constraint.skip_validation,
    enforced,
    deferrable: false,
    origin: builder.clauseOrigin(constraint.location),
  };
}

/** ALTER DOMAIN … ADD / VALIDATE / DROP CONSTRAINT, SET / DROP NOT NULL. */
function applyAlterDomain(builder: DdlModelBuilder, node: PgNodeOf<'AlterDomainStmt'>): void {
  const parts = strings(node.typeName);
  const { key, schema, name } = builder.qualifyList(parts.map((sval) => ({ String: { sval } })), (k) => builder.model.domains.has(k));
  const domain = builder.model.domains.get(key);
  if (!domain) return builder.diagnose(`ALTER DOMAIN: domain ${parts.join('.')} is not defined (yet); statement skipped`);
  switch (node.subtype) {
    case 'C':
      if (node.def?.Constraint?.contype === 'CONSTR_CHECK') {
        domain.checks.push(domainCheck(builder, schema, name, node.def.Constraint, new Set(domain.checks.map((c) => c.name))));
      }
      return;
    case 'V':
      for (const check of domain.checks) if (check.name === node.name) check.validated = true;
      return;
    case 'X':
      domain.checks = domain.checks.filter((check) => check.name !== node.name);
      return;
    case 'O':
      domain.notNull = true;
      return;
    case 'N':
      domain.notNull = false;
      return;
    default:
      return;
  }
}

function addNamedType(builder: DdlModelBuilder, parts: string[], kind: 'type'): void {
  const schema = builder.creationSchema(parts.length > 1 ? parts[parts.length - 2] : undefined);
  const name = parts[parts.length - 1];
  builder.model.otherRelations.set(qualify(schema, name), { schema, name, kind, origin: builder.statementOrigin() });
}

function addRelationLike(builder: DdlModelBuilder, rangeVar: PgNodeOf<'RangeVar'> | undefined, kind: 'view' | 'sequence' | 'composite type' | 'foreign table'): void {
  if (!rangeVar) return;
  const schema = builder.creationSchema(rangeVar.schemaname);
  const relname = present(rangeVar.relname, 'RangeVar.relname');
  const key = qualify(schema, relname);
  builder.model.otherRelations.set(key, { schema, name: relname, kind, origin: builder.origin(rangeVar.location) });
}

function applyCreateTableAs(builder: DdlModelBuilder, node: PgNodeOf<'CreateTableAsStmt'>): void {
  const rangeVar = node.into?.rel;
  if (!rangeVar || rangeVar.relpersistence === 't') return;
  const schema = builder.creationSchema(rangeVar.schemaname);
  const relname = present(rangeVar.relname, 'RangeVar.relname');
  const key = qualify(schema, relname);
  if (node.objtype === 'OBJECT_MATVIEW') {
    const existing = builder.model.materializedViews.get(key);
    if (existing) {
      if (node.if_not_exists) return;
      // PostgreSQL would only accept this after the view was dropped, often by a DROP … CASCADE of a view it read
      // from, which the model does not track: the new definition replaces the old one.
      for (const indexKey of existing.indexes) builder.model.indexes.delete(indexKey);
    }
    builder.model.materializedViews.set(key, { schema, name: relname, indexes: [], origin: builder.origin(rangeVar.location) });
    return;
  }
  // CREATE TABLE … AS: the columns come from a query the model cannot evaluate; the table still exists.
  if (builder.model.tables.has(key)) return;
  builder.model.tables.set(key, newTable(schema, relname, builder.origin(rangeVar.location)));
  builder.diagnose(`CREATE TABLE ${key} AS: columns come from a query and are not known in DDL mode`, rangeVar.location, 'unsupported');
}

function applyCreateExtension(builder: DdlModelBuilder, node: PgNodeOf<'CreateExtensionStmt'>): void {
  const options = new Map<string | undefined, PgNode | undefined>();
  for (const option of node.options ?? []) options.set(option.DefElem?.defname, option.DefElem?.arg);
  const schema = options.has('schema') ? defElemValue(options.get('schema')) : builder.creationSchema(undefined);
  const extname = present(node.extname, 'CreateExtensionStmt.extname');
  if (builder.model.extensions.has(extname)) return;
  builder.model.extensions.set(extname, { name: extname, schema, origin: builder.statementOrigin() });
}

function applyComment(builder: DdlModelBuilder, node: PgNodeOf<'CommentStmt'>): void {
  const comment = node.comment;
  const items = node.object?.List ? strings(node.object.List.items) : [];
  switch (node.objtype) {
    case 'OBJECT_TABLE': {
      const table = builder.findTable(rangeVarOf(items));
      if (table) table.comment = comment;
      return;
    }
    case 'OBJECT_COLUMN': {
      const column = items[items.length - 1];
      const table = builder.findTable(rangeVarOf(items.slice(0, -1)));
      const target = table?.columns.find((c) => c.name === column);
      if (target) target.comment = comment;
      return;
    }
    case 'OBJECT_INDEX': {
      const index = builder.findIndex(rangeVarOf(items));
      if (index) index.comment = comment;
      return;
    }
    case 'OBJECT_TABCONSTRAINT': {
      const constraintName = items[items.length - 1];
      const table = builder.findTable(rangeVarOf(items.slice(0, -1)));
      const constraint = table?.constraints.find((c) => c.name === constraintName);
      if (constraint) constraint.comment = comment;
      return;
    }
    default:
      return;
  }
}
