/**
 * The reviewed plan for turning an ordinary table into one partitioned by month on a timestamp key. It is written
 * into the fix-up script as comments; un-commented, it runs as it stands on PostgreSQL 13+ (psql, autocommit), so
 * the test can apply it. Each step says why it is there.
 */
import { clipBytes, columnList, fixObjectName, qualifiedIdent, quoteIdent, quoteLiteral } from '../../src/fix/sql.js';
import { baseTypeOf, indexesOf, qualify, relationNameTaken, splitQualified } from '../../src/model/model.js';
import type { Column, ForeignKeyConstraint, Index, SchemaModel, Table } from '../../src/model/types.js';
import type { PartitionKeyChoice } from './partition-key.js';
import type { PgNode } from '../../src/sql/pg-node.js';

export interface ConversionPlan {
  sql: string;
  notes: string[];
}


const FK_ACTIONS: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

/** Splits a regclass literal (`public.s_id_seq`, `"My Seq"`) into folded name parts. */
function regclassParts(text: string): string[] | undefined {
  const parts: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([^."\s]+))\s*(\.|$)/gy;
  let match: RegExpExecArray | null;
  while (re.lastIndex < text.length && (match = re.exec(text))) {
    // `.at()` types an unmatched group as undefined, which it is at run time.
    const quoted = match.at(1);
    parts.push(quoted !== undefined ? quoted.replace(/""/g, '"') : match[2].toLowerCase());
    if (match[3] === '') break;
  }
  return parts.length >= 1 && parts.length <= 2 ? parts : undefined;
}

/** The sequence behind a `serial` default (`nextval('seq'::regclass)`), qualified. */
function serialSequence(table: Table, column: Column): string | undefined {
  let node = column.default?.ast as PgNode | undefined;
  while (node?.TypeCast) node = node.TypeCast.arg;
  const call = node?.FuncCall;
  const name = call?.funcname?.map((n) => n.String?.sval).pop();
  if (name !== 'nextval' || call?.args?.length !== 1) return undefined;
  let arg: PgNode | undefined = call.args[0];
  while (arg?.TypeCast) arg = arg.TypeCast.arg;
  const text = arg?.A_Const?.sval?.sval;
  const parts = text ? regclassParts(text) : undefined;
  if (!parts) return undefined;
  return parts.length === 2 ? qualifiedIdent(parts[0], parts[1]) : qualifiedIdent(table.schema, parts[0]);
}

function indexKeySql(index: Index): string | undefined {
  const keys: string[] = [];
  for (const key of index.keys) {
    let sql: string;
    if (key.column) sql = quoteIdent(key.column);
    else if (key.expression) sql = `(${key.expression.text})`;
    else return undefined;
    if (key.opclass) sql += ' ' + key.opclass.split('.').map(quoteIdent).join('.');
    if (key.descending) sql += ' DESC';
    keys.push(sql);
  }
  return keys.join(', ');
}

/** A column list with the key appended unless it is there already (unique keys of a partitioned table must hold it). */
function withKey(columns: string[], key: string): string[] {
  return columns.includes(key) ? columns : [...columns, key];
}

export interface PlanInput {
  model: SchemaModel;
  table: Table;
  /** The partition key: a column existing rows already carry (partition-key.ts). */
  key: PartitionKeyChoice;
  monthsAhead: number;
}

/** Values per partition for a sequence key: the plan's starting width, to adjust to the insert rate. */
export const SEQUENCE_PARTITION_WIDTH = 10_000_000;

/** How partitions are laid out and rows copied, per kind of key. `lo` is the loop variable of the plan's DO blocks. */
interface KeyLayout {
  /** Declared type of `lo`. */
  loType: string;
  /** SELECT … FROM target: the start of every partition, oldest row to the horizon. */
  series: (k: string, target: string) => string;
  from: string;
  to: string;
  /** SQL text for the partition name's suffix. */
  suffix: string;
  describe: string;
}

function keyLayout(key: PartitionKeyChoice, monthsAhead: number): KeyLayout {
  if (key.kind === 'sequence') {
    const w = SEQUENCE_PARTITION_WIDTH;
    return {
      loType: 'bigint',
      series: (k, target) => `SELECT generate_series(coalesce(min(${k}), 0) / ${w} * ${w}, coalesce(max(${k}), 0) + ${2 * w}, ${w}) FROM ${target}`,
      from: 'lo',
      to: `lo + ${w}`,
      suffix: `'p' || lo::text`,
      describe: `ranges of ${w.toLocaleString('en-US')} values of ${key.column.name} (about the newest two ranges ahead; size them to the insert rate)`,
    };
  }
  if (key.kind === 'epoch-ms' || key.kind === 'epoch-s') {
    const scale = key.kind === 'epoch-ms' ? ' * 1000' : '';
    const toTime = (x: string): string => `to_timestamp(${x}${key.kind === 'epoch-ms' ? ' / 1000.0' : ''}) AT TIME ZONE 'UTC'`;
    const toEpoch = (t: string): string => `(extract(epoch FROM ${t})${scale})::bigint`;
    return {
      loType: 'timestamp',
      series: (k, target) =>
        `SELECT generate_series(date_trunc('month', coalesce(${toTime(`min(${k})`)}, localtimestamp)), date_trunc('month', localtimestamp + interval '${monthsAhead} months'), interval '1 month') FROM ${target}`,
      from: toEpoch('lo'),
      to: toEpoch(`lo + interval '1 month'`),
      suffix: `to_char(lo, 'YYYY_MM')`,
      describe: `months of ${key.column.name} (epoch ${key.kind === 'epoch-ms' ? 'milliseconds' : 'seconds'}, UTC)`,
    };
  }
  return {
    loType: 'timestamp',
    series: (k, target) =>
      `SELECT generate_series(date_trunc('month', coalesce(min(${k})::timestamp, localtimestamp)), date_trunc('month', localtimestamp + interval '${monthsAhead} months'), interval '1 month') FROM ${target}`,
    from: `to_char(lo, 'YYYY-MM-DD')`,
    to: `to_char(lo + interval '1 month', 'YYYY-MM-DD')`,
    suffix: `to_char(lo, 'YYYY_MM')`,
    describe: `months of ${key.column.name}`,
  };
}

export function conversionPlan({ model, table, key, monthsAhead }: PlanInput): ConversionPlan {
  const reserved = new Set<string>();
  const takenIn = (schema: string) => (name: string): boolean => reserved.has(qualify(schema, name)) || relationNameTaken(model, schema, name);
  const pick = (suffix: string): string => {
    const name = fixObjectName([table.name], suffix, takenIn(table.schema));
    reserved.add(qualify(table.schema, name));
    return name;
  };
  const target = qualifiedIdent(table.schema, table.name);
  const newName = pick('partitioned');
  const oldName = pick('unpartitioned');
  const defaultName = pick('default');
  const fresh = qualifiedIdent(table.schema, newName);
  const steps: string[] = [];
  const notes: string[] = [];

  const keyName = key.column.name;
  const keyType = baseTypeOf(model, key.column.type).name;
  const layout = keyLayout(key, monthsAhead);
  const k = quoteIdent(keyName);
  const copyColumns = table.columns.filter((c) => !c.generated).map((c) => c.name);
  const copyList = columnList(copyColumns);
  const primary = table.constraints.find((c) => c.kind === 'primary');

  steps.push(
    `-- 1. The partition key joins the primary key, so it cannot be NULL: stop here if some row has none.`,
    `DO $plan$`,
    `BEGIN`,
    `  IF EXISTS (SELECT 1 FROM ${target} WHERE ${k} IS NULL) THEN`,
    `    RAISE EXCEPTION USING MESSAGE = ${quoteLiteral(`${qualify(table.schema, table.name)} has rows with NULL ${keyName}: fill them before converting`)};`,
    `  END IF;`,
    `END`,
    `$plan$;`,
    '',
    `-- 2. The new table: same columns, defaults, CHECK constraints and identity, partitioned by ${layout.describe}.`,
    `--    Unique keys of a partitioned table must include the partition key, so each one is extended by it.`,
    `CREATE TABLE ${fresh} (LIKE ${target} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE (${k});`,
  );
  const uniqueKeys: string[][] = [];
  if (primary) {
    const columns = withKey(primary.columns, keyName);
    uniqueKeys.push(columns);
    steps.push(`ALTER TABLE ${fresh} ADD PRIMARY KEY (${columnList(columns)});`);
  } else {
    notes.push(`${qualify(table.schema, table.name)} has no primary key: the plan adds none, and rows inserted during the copy are not caught up (pause writes while it runs).`);
  }
  for (const unique of table.constraints.filter((c) => c.kind === 'unique')) {
    const columns = withKey(unique.columns, keyName);
    uniqueKeys.push(columns);
    steps.push(`ALTER TABLE ${fresh} ADD UNIQUE (${columnList(columns)});`);
  }
  const manual: string[] = [];
  for (const index of indexesOf(model, table)) {
    if (index.constraint) continue;
    const keySql = indexKeySql(index);
    const columns = index.keys.map((key) => key.column).filter((column): column is string => Boolean(column));
    const plainColumns = columns.length === index.keys.length ? columns : undefined;
    if (!keySql || (index.unique && !plainColumns)) {
      manual.push(`index ${index.name}`);
      continue;
    }
    const using = index.method === 'btree' ? '' : ` USING ${index.method}`;
    // A unique index got here only with plain columns (checked above).
    const keys = index.unique && plainColumns ? columnList(withKey(plainColumns, keyName)) : keySql;
    if (index.unique && plainColumns) uniqueKeys.push(withKey(plainColumns, keyName));
    const include = index.include.length ? ` INCLUDE (${columnList(index.include)})` : '';
    const where = index.predicate ? ` WHERE ${index.predicate.text}` : '';
    steps.push(`CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ON ${fresh}${using} (${keys})${include}${where};`);
  }
  for (const fk of table.constraints.filter((c): c is ForeignKeyConstraint => c.kind === 'foreign' && !c.inheritedFrom)) {
    const ref = fk.foreignKey;
    if (ref.table === qualify(table.schema, table.name) || !ref.columns.length) {
      manual.push(`foreign key ${fk.name}`);
      continue;
    }
    const refTable = splitQualified(ref.table);
    steps.push(
      `ALTER TABLE ${fresh} ADD FOREIGN KEY (${columnList(fk.columns)}) REFERENCES ${qualifiedIdent(refTable.schema, refTable.name)} (${columnList(ref.columns)})` +
        ` ON DELETE ${FK_ACTIONS[ref.onDelete] ?? 'NO ACTION'} ON UPDATE ${FK_ACTIONS[ref.onUpdate] ?? 'NO ACTION'};`,
    );
  }

  const prefix = clipBytes(table.name, 63 - '_p0000000000000000000'.length) + '_';
  steps.push(
    '',
    `-- 3. Partitions (${layout.describe}) from the oldest row to the horizon, and a DEFAULT partition for anything`,
    `--    outside them. Keep creating partitions ahead (pg_partman or a cron job).`,
    `DO $plan$`,
    `DECLARE`,
    `  lo ${layout.loType};`,
    `BEGIN`,
    `  FOR lo IN`,
    `    ${layout.series(k, target)}`,
    `  LOOP`,
    `    EXECUTE format('CREATE TABLE IF NOT EXISTS %I.%I PARTITION OF %I.%I FOR VALUES FROM (%L) TO (%L)',`,
    `      ${quoteLiteral(table.schema)}, ${quoteLiteral(prefix)} || ${layout.suffix}, ${quoteLiteral(table.schema)}, ${quoteLiteral(newName)},`,
    `      ${layout.from}, ${layout.to});`,
    `  END LOOP;`,
    `END`,
    `$plan$;`,
    `CREATE TABLE ${qualifiedIdent(table.schema, defaultName)} PARTITION OF ${fresh} DEFAULT;`,
    '',
    `-- 4. Copy the rows a partition at a time, committing after each batch so no transaction runs long.`,
    `--    Rows updated or deleted after their partition was copied are not caught up: pause such writes, or capture them.`,
    `DO $plan$`,
    `DECLARE`,
    `  lo ${layout.loType};`,
    `BEGIN`,
    `  FOR lo IN`,
    `    ${layout.series(k, target)}`,
    `  LOOP`,
    `    INSERT INTO ${fresh} (${copyList}) OVERRIDING SYSTEM VALUE`,
    `      SELECT ${copyList} FROM ${target} WHERE ${k} >= ${layout.from.replace(/to_char\((.*), 'YYYY-MM-DD'\)$/, '$1')} AND ${k} < ${layout.to.replace(/to_char\((.*), 'YYYY-MM-DD'\)$/, '$1')};`,
    `    COMMIT;`,
    `  END LOOP;`,
    `END`,
    `$plan$;`,
    '',
    `-- 5. Swap the names in one transaction, under a lock that stops writes to the old table for its duration.`,
    `BEGIN;`,
    `LOCK TABLE ${target} IN ACCESS EXCLUSIVE MODE;`,
  );
  if (primary) {
    const match = withKey(primary.columns, keyName).map((c) => `n.${quoteIdent(c)} = o.${quoteIdent(c)}`).join(' AND ');
    steps.push(
      `-- Rows inserted since their month was copied.`,
      `INSERT INTO ${fresh} (${copyList}) OVERRIDING SYSTEM VALUE`,
      `  SELECT ${copyColumns.map((c) => `o.${quoteIdent(c)}`).join(', ')} FROM ${target} o WHERE NOT EXISTS (SELECT 1 FROM ${fresh} n WHERE ${match});`,
    );
  }
  const referencing = referencingForeignKeys(model, table);
  for (const { table: child, fk } of referencing) {
    steps.push(`ALTER TABLE ${qualifiedIdent(child.schema, child.name)} DROP CONSTRAINT ${quoteIdent(fk.name)};`);
  }
  steps.push(`ALTER TABLE ${target} RENAME TO ${quoteIdent(oldName)};`, `ALTER TABLE ${fresh} RENAME TO ${quoteIdent(table.name)};`);
  for (const column of table.columns) {
    if (column.identity) {
      steps.push(
        `-- The identity column ${column.name} has a new sequence: continue after the copied values.`,
        `SELECT setval(pg_get_serial_sequence(${quoteLiteral(target)}, ${quoteLiteral(column.name)}), coalesce(max(${quoteIdent(column.name)}), 0) + 1, false) FROM ${target};`,
      );
    }
    const sequence = serialSequence(table, column);
    if (sequence) {
      steps.push(
        `-- The sequence behind ${column.name} belongs to the old table: move it, or dropping the old table drops it.`,
        `ALTER SEQUENCE ${sequence} OWNED BY ${target}.${quoteIdent(column.name)};`,
      );
    }
  }
  steps.push(`COMMIT;`);

  if (referencing.length) {
    steps.push(
      '',
      `-- 6. Re-point the foreign keys that referenced the old table. A foreign key to a partitioned table must reference`,
      `--    a unique key that includes the partition key, so each referencing table gets a copy of ${keyName}, filled from`,
      `--    the parent (batch the UPDATE on big tables); the application must set it on new rows (or a trigger must).`,
    );
  }
  for (const { table: child, fk } of referencing) {
    const childName = qualifiedIdent(child.schema, child.name);
    const refColumns = fk.foreignKey.columns;
    const keyInRef = refColumns.includes(keyName);
    let childColumns = fk.columns;
    if (!keyInRef) {
      const copy = fixObjectName([table.name], keyName, (n) => child.columns.some((c) => c.name === n));
      const join = refColumns.map((c, i) => `p.${quoteIdent(c)} = c.${quoteIdent(fk.columns[i])}`).join(' AND ');
      steps.push(
        `ALTER TABLE ${childName} ADD COLUMN ${quoteIdent(copy)} ${keyType};`,
        `UPDATE ${childName} c SET ${quoteIdent(copy)} = p.${k} FROM ${target} p WHERE ${join};`,
      );
      childColumns = [...fk.columns, copy];
    }
    const parentColumns = withKey(refColumns, keyName);
    if (!uniqueKeys.some((u) => u.length === parentColumns.length && u.every((c) => parentColumns.includes(c)))) {
      uniqueKeys.push(parentColumns);
      steps.push(`ALTER TABLE ${target} ADD UNIQUE (${columnList(parentColumns)});`);
    }
    const ref = fk.foreignKey;
    steps.push(
      `ALTER TABLE ${childName} ADD CONSTRAINT ${quoteIdent(fk.name)} FOREIGN KEY (${columnList(childColumns)}) REFERENCES ${target} (${columnList(parentColumns)})` +
        ` ON DELETE ${FK_ACTIONS[ref.onDelete] ?? 'NO ACTION'} ON UPDATE ${FK_ACTIONS[ref.onUpdate] ?? 'NO ACTION'} NOT VALID;`,
      `ALTER TABLE ${childName} VALIDATE CONSTRAINT ${quoteIdent(fk.name)};`,
    );
  }
  steps.push(
    '',
    `-- 7. When the application runs well on the new table, drop the old one:`,
    `-- DROP TABLE ${qualifiedIdent(table.schema, oldName)};`,
  );

  if (manual.length) notes.push(`Re-create by hand on the new table (not carried over): ${manual.join(', ')}.`);
  const triggers = table.triggers.filter((t) => !t.constraintTrigger);
  if (triggers.length) notes.push(`Triggers are not copied by LIKE: re-create ${triggers.map((t) => t.name).join(', ')} on the new table.`);
  notes.push('Views, grants, row-level security policies and publications keep pointing at the old table: re-create or re-grant them after the swap.');
  if (referencing.length) {
    notes.push(`Foreign keys referencing it: ${referencing.map(({ table: t, fk }) => `${qualify(t.schema, t.name)}.${fk.name}`).join(', ')}; each referencing table gets a copy of ${keyName}.`);
  }
  return { sql: steps.join('\n'), notes };
}

/** Foreign keys in other tables (and partitions' parents) that reference this table, counted once. */
export function referencingForeignKeys(model: SchemaModel, table: Table): Array<{ table: Table; fk: ForeignKeyConstraint }> {
  const self = qualify(table.schema, table.name);
  const result: Array<{ table: Table; fk: ForeignKeyConstraint }> = [];
  for (const other of model.tables.values()) {
    if (other.partitionOf || other === table) continue;
    for (const fk of other.constraints) {
      if (fk.kind === 'foreign' && !fk.inheritedFrom && fk.foreignKey.table === self && fk.foreignKey.columns.length) result.push({ table: other, fk });
    }
  }
  return result;
}
