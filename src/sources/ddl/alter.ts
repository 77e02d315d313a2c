/** ALTER TABLE (and ALTER INDEX … ATTACH PARTITION). Subcommands not listed change nothing the rules read. */
import { copyOf, qualify } from '../../model/model.js';
import type { Table } from '../../model/types.js';
import type { DdlModelBuilder } from './builder.js';
import { present, type PgNode, type PgNodeOf } from '../../sql/pg-node.js';
import { dropColumn, dropConstraint } from './drop-rename.js';
import { attachIndexPartition } from './indexes.js';
import { alterTableRejection, reportRejection } from './rejections.js';
import { addConstraint, attachPartition, defElemValue, isNullConstant, relOptions } from './tables.js';

const TRIGGER_STATE: Record<string, 'O' | 'D' | 'R' | 'A'> = {
  AT_EnableTrig: 'O',
  AT_DisableTrig: 'D',
  AT_EnableReplicaTrig: 'R',
  AT_EnableAlwaysTrig: 'A',
  AT_EnableTrigAll: 'O',
  AT_DisableTrigAll: 'D',
  AT_EnableTrigUser: 'O',
  AT_DisableTrigUser: 'D',
};

type AlterTableCmd = PgNodeOf<'AlterTableCmd'>;

/** The PartitionCmd of ATTACH / DETACH PARTITION, which always names the partition. */
function partitionCmd(command: AlterTableCmd): { name: PgNodeOf<'RangeVar'>; bound?: PgNodeOf<'PartitionBoundSpec'> } {
  const cmd = present(command.def?.PartitionCmd, 'PartitionCmd');
  return { name: present(cmd.name, 'PartitionCmd.name'), bound: cmd.bound };
}

export function applyAlterTable(builder: DdlModelBuilder, stmt: PgNodeOf<'AlterTableStmt'>): void {
  const commands = (stmt.cmds ?? []).map((c) => present(c.AlterTableCmd, 'AlterTableCmd'));
  const relation = present(stmt.relation, 'AlterTableStmt.relation');
  if (stmt.objtype === 'OBJECT_INDEX') {
    for (const command of commands) {
      if (command.subtype === 'AT_AttachPartition') attachIndexPartition(builder, relation, partitionCmd(command).name);
    }
    return;
  }
  if (stmt.objtype !== 'OBJECT_TABLE' && stmt.objtype !== 'OBJECT_FOREIGN_TABLE') return;
  const table = builder.findTable(relation);
  if (!table) {
    // ALTER TABLE also takes views and sequences (OWNER TO, …); the model has nothing to change for those.
    const other = builder.lookupRelation(relation, (key) => builder.model.otherRelations.has(key) || builder.model.materializedViews.has(key));
    const known = builder.model.otherRelations.has(other.key) || builder.model.materializedViews.has(other.key);
    if (!stmt.missing_ok && !known) builder.requireTable(relation, 'ALTER TABLE', true);
    return;
  }
  const tableKey = qualify(table.schema, table.name);
  const rejection = alterTableRejection(builder, tableKey, table.columns.map((c) => c.name), commands);
  if (rejection) return reportRejection(builder, `ALTER TABLE ${tableKey}`, rejection);
  const only = relation.inh === false || relation.inh === undefined;
  const batchNames = new Set<string>();
  for (const command of commands) applyCommand(builder, table, command, only, batchNames);
}

function column(builder: DdlModelBuilder, table: Table, name: string, what: string) {
  const found = table.columns.find((c) => c.name === name);
  if (!found) builder.diagnose(`${what}: column ${name} does not exist in ${table.schema}.${table.name}`);
  return found;
}

/** Column changes on a partitioned table apply to its partitions too (they share the column list). */
function withPartitions(builder: DdlModelBuilder, table: Table, change: (t: Table) => void): void {
  change(table);
  for (const key of table.partitions) {
    const partition = builder.model.tables.get(key);
    if (partition) withPartitions(builder, partition, change);
  }
}

function applyCommand(builder: DdlModelBuilder, table: Table, command: AlterTableCmd, only: boolean, batchNames: Set<string>): void {
  // The column, constraint or trigger a command names; every subtype below that reads it has one (the grammar's).
  const commandName = command.name ?? '';
  const subtype = command.subtype;
  switch (subtype) {
    case 'AT_AddColumn': {
      const def = present(command.def?.ColumnDef, 'ADD COLUMN ColumnDef');
      if (table.columns.some((c) => c.name === def.colname)) {
        if (!command.missing_ok) builder.diagnose(`column ${def.colname} of ${table.schema}.${table.name} already exists`);
        return;
      }
      const added = builder.newColumn(def);
      withPartitions(builder, table, (t) => t.columns.push(t === table ? added : copyOf(added)));
      for (const item of def.constraints ?? []) {
        const constraint = present(item.Constraint, 'column Constraint');
        switch (constraint.contype) {
          case 'CONSTR_NOTNULL':
            added.notNull = true;
            break;
          case 'CONSTR_DEFAULT':
            added.default = isNullConstant(constraint.raw_expr) ? undefined : builder.expression(constraint.raw_expr);
            break;
          case 'CONSTR_IDENTITY':
            added.identity = constraint.generated_when === 'a' ? 'always' : 'by default';
            added.notNull = true;
            break;
          case 'CONSTR_GENERATED':
            added.generated = constraint.generated_kind === 'v' ? 'virtual' : 'stored';
            added.default = builder.expression(constraint.raw_expr);
            break;
          case 'CONSTR_PRIMARY':
          case 'CONSTR_UNIQUE':
            addConstraint(builder, table, { ...constraint, keys: [{ String: { sval: added.name } }] }, { only, creating: false, batchNames });
            break;
          case 'CONSTR_FOREIGN':
            addConstraint(builder, table, { ...constraint, fk_attrs: [{ String: { sval: added.name } }] }, { only, creating: false, batchNames });
            break;
          case 'CONSTR_CHECK':
            addConstraint(builder, table, constraint, { only, creating: false, batchNames });
            break;
        }
      }
      return;
    }
    case 'AT_DropColumn':
      if (table.columns.some((c) => c.name === commandName)) dropColumn(builder, table, commandName);
      else if (!command.missing_ok) builder.diagnose(`column ${commandName} does not exist in ${table.schema}.${table.name}`);
      return;
    case 'AT_ColumnDefault': {
      const target = column(builder, table, commandName, 'ALTER COLUMN SET DEFAULT');
      if (target) target.default = command.def && !isNullConstant(command.def) ? builder.expression(command.def) : undefined;
      return;
    }
    case 'AT_SetNotNull':
    case 'AT_DropNotNull': {
      const name = commandName;
      if (column(builder, table, name, 'ALTER COLUMN NOT NULL')) {
        withPartitions(builder, table, (t) => {
          const c = t.columns.find((x) => x.name === name);
          if (c) c.notNull = command.subtype === 'AT_SetNotNull';
        });
      }
      return;
    }
    case 'AT_SetStorage': {
      const name = commandName;
      const storage = defElemValue(command.def).toLowerCase();
      // PostgreSQL recurses SET STORAGE to partitions (and inheritance children) unless ONLY is given.
      if (column(builder, table, name, 'ALTER COLUMN SET STORAGE')) {
        const apply = (t: Table): void => {
          const c = t.columns.find((x) => x.name === name);
          if (c) c.storage = storage;
        };
        if (only) apply(table);
        else withPartitions(builder, table, apply);
      }
      return;
    }
    case 'AT_SetCompression': {
      const target = column(builder, table, commandName, 'ALTER COLUMN SET COMPRESSION');
      if (target) target.compression = defElemValue(command.def);
      return;
    }
    case 'AT_AlterColumnType': {
      const name = commandName;
      if (!column(builder, table, name, 'ALTER COLUMN TYPE')) return;
      const type = builder.typeRef(present(command.def?.ColumnDef?.typeName, 'ALTER COLUMN TYPE typeName'));
      withPartitions(builder, table, (t) => {
        const c = t.columns.find((x) => x.name === name);
        if (c) c.type = type;
      });
      return;
    }
    case 'AT_AddIdentity': {
      const target = column(builder, table, commandName, 'ADD GENERATED AS IDENTITY');
      if (target) {
        target.identity = command.def?.Constraint?.generated_when === 'a' ? 'always' : 'by default';
        target.notNull = true;
      }
      return;
    }
    case 'AT_DropIdentity': {
      const target = column(builder, table, commandName, 'DROP IDENTITY');
      if (target) target.identity = undefined;
      return;
    }
    case 'AT_AddConstraint':
      addConstraint(builder, table, present(command.def?.Constraint, 'ADD CONSTRAINT Constraint'), { only, creating: false, batchNames });
      return;
    case 'AT_DropConstraint':
      if (table.constraints.some((c) => c.name === commandName)) dropConstraint(builder, table, commandName);
      else if (!command.missing_ok) builder.diagnose(`constraint ${commandName} of ${table.schema}.${table.name} does not exist`);
      return;
    case 'AT_AlterConstraint': {
      const change = present(command.def?.ATAlterConstraint, 'ATAlterConstraint');
      const constraint = table.constraints.find((c) => c.name === change.conname);
      if (!constraint) builder.diagnose(`ALTER CONSTRAINT: constraint ${change.conname} of ${table.schema}.${table.name} does not exist`);
      else if (change.alterDeferrability) constraint.deferrable = Boolean(change.deferrable || change.initdeferred);
      return;
    }
    case 'AT_ValidateConstraint': {
      const constraint = table.constraints.find((c) => c.name === commandName);
      if (!constraint) builder.diagnose(`constraint ${commandName} of ${table.schema}.${table.name} does not exist`);
      else {
        withPartitions(builder, table, (t) => {
          for (const c of t.constraints) if (c.name === commandName || c.inheritedFrom === commandName) c.validated = true;
        });
      }
      return;
    }
    case 'AT_EnableTrig':
    case 'AT_DisableTrig':
    case 'AT_EnableReplicaTrig':
    case 'AT_EnableAlwaysTrig': {
      if (!table.triggers.some((t) => t.name === commandName)) {
        builder.diagnose(`trigger ${commandName} on ${table.schema}.${table.name} does not exist`);
        return;
      }
      // The clones on partitions follow the parent's trigger.
      withPartitions(builder, table, (t) => {
        for (const trigger of t.triggers) if (trigger.name === commandName) trigger.enabled = TRIGGER_STATE[subtype];
      });
      return;
    }
    case 'AT_EnableTrigAll':
    case 'AT_DisableTrigAll':
    case 'AT_EnableTrigUser':
    case 'AT_DisableTrigUser':
      withPartitions(builder, table, (t) => {
        for (const trigger of t.triggers) trigger.enabled = TRIGGER_STATE[subtype];
      });
      return;
    case 'AT_AttachPartition': {
      const { name, bound } = partitionCmd(command);
      const partition = builder.requireTable(name, 'ATTACH PARTITION');
      if (partition) attachPartition(builder, table, partition, present(bound, 'ATTACH PARTITION bound'));
      return;
    }
    case 'AT_DetachPartition': {
      const { name } = partitionCmd(command);
      const partition = builder.findTable(name);
      if (!partition || partition.partitionOf?.parent !== qualify(table.schema, table.name)) {
        builder.diagnose(`DETACH PARTITION: ${name.relname ?? ''} is not a partition of ${table.schema}.${table.name}`);
        return;
      }
      detachPartition(builder, table, partition);
      return;
    }
    case 'AT_SetRelOptions':
      // The options come as a List; the bare fallback is kept from the untyped code.
      Object.assign(table.options, relOptions(command.def?.List?.items ?? (command.def as unknown as PgNode[] | undefined)));
      return;
    case 'AT_ResetRelOptions':
      for (const item of command.def?.List?.items ?? []) {
        const def = present(item.DefElem, 'RESET option DefElem');
        const defname = def.defname ?? '';
        // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- options is a plain record of reloptions by name
        delete table.options[def.defnamespace ? `${def.defnamespace}.${defname}` : defname];
      }
      return;
    default:
      return;
  }
}

function detachPartition(builder: DdlModelBuilder, parent: Table, partition: Table): void {
  const partitionKey = qualify(partition.schema, partition.name);
  parent.partitions = parent.partitions.filter((key) => key !== partitionKey);
  partition.partitionOf = undefined;
  partition.triggers = partition.triggers.filter((t) => !t.inherited);
  for (const constraint of partition.constraints) constraint.inheritedFrom = undefined;
  for (const indexKey of partition.indexes) {
    const index = builder.model.indexes.get(indexKey);
    if (index) index.parent = undefined;
  }
}
