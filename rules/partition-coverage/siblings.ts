/**
 * What new partitions need beyond what the parent gives them. A partitioned parent hands every new partition its
 * partitioned indexes, its foreign keys, CHECKs and row triggers; pg_dump output of tables partitioned by hand often
 * declares them per partition instead (pagila's payment partitions: 3 foreign keys and 4 indexes each, none on the
 * parent). A new partition without them silently accepts rows its siblings would refuse, and is scanned where its
 * siblings are indexed. So each new partition gets what most (more than half) of its siblings declare themselves:
 * foreign keys and CHECKs inline in its CREATE TABLE (guarded by IF NOT EXISTS with it), indexes with
 * CREATE INDEX IF NOT EXISTS (the table is new and empty, so no CONCURRENTLY is needed), triggers through a guard
 * that looks for the trigger's name first (CREATE OR REPLACE TRIGGER needs PostgreSQL 14).
 */
import { indexCoversForeignKey } from '../foreign-key-without-index.js';
import { constraintNameTaken, indexesOf, relationNameTaken } from '../../src/model/model.js';
import type { CheckConstraint, Expression, ForeignKeyConstraint, Index, SchemaModel, Table, Trigger } from '../../src/model/types.js';
import { columnList, fixObjectName, MAX_IDENTIFIER_BYTES, qualifiedIdent, quoteIdent, quoteLiteral } from '../../src/fix/sql.js';

interface Template<T> {
  signature: string;
  /** The newest sibling's copy, whose name is adapted. */
  sample: T;
  sibling: Table;
  count: number;
}

export interface SiblingExtras {
  /** Table constraints for the new partition's CREATE TABLE column list. */
  inline(partition: string): string[];
  /** Statements after the CREATE TABLE (indexes, triggers). */
  after(partition: string): string[];
  /** What is copied, for the fix's notes; empty when nothing is. */
  summary: string;
}

const ACTIONS: Record<string, string> = { r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

function majority<T>(siblings: Table[], items: (table: Table) => T[], signature: (item: T) => string): Array<Template<T>> {
  const found = new Map<string, Template<T>>();
  for (const sibling of siblings) {
    const seen = new Set<string>();
    for (const item of items(sibling)) {
      const key = signature(item);
      if (seen.has(key)) continue;
      seen.add(key);
      const entry = found.get(key) ?? { signature: key, sample: item, sibling, count: 0 };
      entry.count++;
      entry.sample = item;
      entry.sibling = sibling;
      found.set(key, entry);
    }
  }
  return [...found.values()].filter((entry) => entry.count * 2 > siblings.length);
}

function fkSignature(c: ForeignKeyConstraint): string {
  const fk = c.foreignKey;
  return JSON.stringify(['fk', c.columns, fk.table, fk.columns, fk.onDelete, fk.onUpdate, fk.match, c.deferrable]);
}

function indexSignature(index: Index): string {
  return JSON.stringify([index.method, index.unique, index.keys.map((k) => [k.column, k.expression?.text, k.opclass, k.descending]), index.include, index.predicate?.text]);
}

function triggerSignature(trigger: Trigger): string {
  return JSON.stringify([trigger.timing, trigger.events, trigger.level, trigger.function, trigger.arguments, trigger.enabled]);
}

function qualifiedText(key: string): string {
  const dot = key.indexOf('.');
  return qualifiedIdent(key.slice(0, dot), key.slice(dot + 1));
}

export function siblingExtras(model: SchemaModel, parent: Table, siblings: Table[]): SiblingExtras {
  const fks = majority(siblings, (t) => t.constraints.filter((c): c is ForeignKeyConstraint => c.kind === 'foreign' && !c.inheritedFrom), fkSignature);
  const checks = majority(
    siblings,
    (t) => t.constraints.filter((c): c is CheckConstraint & { check: Expression } => c.kind === 'check' && !c.inheritedFrom && c.check !== undefined),
    (c) => `check ${c.check.text}`,
  );
  const indexes = majority(siblings, (t) => indexesOf(model, t).filter((i) => !i.parent && !i.constraint && i.valid), indexSignature);
  const triggers = majority(siblings, (t) => t.triggers.filter((tr) => !tr.inherited && !tr.constraintTrigger), triggerSignature);

  // A copied foreign key no copied or parent index covers gets its own index, named as foreign-key-without-index
  // names it: otherwise the script would trade a missing partition for a new unindexed foreign key per partition.
  const parentIndexes = indexesOf(model, parent).filter((i) => i.partitioned);
  const uncovered = fks.filter(
    ({ sample }) => ![...parentIndexes, ...indexes.map((t) => t.sample)].some((i) => indexCoversForeignKey({ ...i, valid: true }, sample.columns, 'any')),
  );

  const reservedRelations = new Set<string>();
  const reservedConstraints = new Set<string>();
  /** The sibling's name with its partition's name replaced by the new one (pagila: `payment_p2022_01_customer_id_fkey`). */
  const adapt = (name: string, sibling: Table, partition: string, suffix: string, taken: (n: string) => boolean): string => {
    const replaced = name.includes(sibling.name) ? name.split(sibling.name).join(partition) : `${partition}_${name}`;
    if (Buffer.byteLength(replaced, 'utf8') <= MAX_IDENTIFIER_BYTES && !taken(replaced)) return replaced;
    return fixObjectName([partition], suffix, taken);
  };
  const constraintTaken = (n: string): boolean => reservedConstraints.has(n) || constraintNameTaken(model, parent.schema, n);
  const relationTaken = (n: string): boolean => reservedRelations.has(n) || relationNameTaken(model, parent.schema, n);

  const summaryParts = [
    fks.length ? `${fks.length} foreign key${fks.length === 1 ? '' : 's'}` : '',
    checks.length ? `${checks.length} CHECK${checks.length === 1 ? '' : 's'}` : '',
    indexes.length ? `${indexes.length} index${indexes.length === 1 ? '' : 'es'}` : '',
    uncovered.length ? `and an index for each foreign key no index covers (${uncovered.length})` : '',
    triggers.length ? `${triggers.length} trigger${triggers.length === 1 ? '' : 's'}` : '',
  ].filter(Boolean);

  return {
    summary: summaryParts.length
      ? `New partitions get what most of the ${siblings.length} existing partitions declare themselves and the parent does not give them: ${summaryParts.join(', ')}.`
      : '',
    inline(partition) {
      const result: string[] = [];
      for (const { sample, sibling } of fks) {
        const name = adapt(sample.name, sibling, partition, 'fkey', constraintTaken);
        reservedConstraints.add(name);
        const fk = sample.foreignKey;
        let sql = `CONSTRAINT ${quoteIdent(name)} FOREIGN KEY (${columnList(sample.columns)}) REFERENCES ${qualifiedText(fk.table)}`;
        if (fk.columns.length) sql += ` (${columnList(fk.columns)})`;
        if (fk.match === 'f') sql += ' MATCH FULL';
        if (ACTIONS[fk.onDelete]) sql += ` ON DELETE ${ACTIONS[fk.onDelete]}`;
        if (ACTIONS[fk.onUpdate]) sql += ` ON UPDATE ${ACTIONS[fk.onUpdate]}`;
        if (sample.deferrable) sql += ' DEFERRABLE';
        result.push(sql);
      }
      for (const { sample, sibling } of checks) {
        const name = adapt(sample.name, sibling, partition, 'check', constraintTaken);
        reservedConstraints.add(name);
        result.push(`CONSTRAINT ${quoteIdent(name)} CHECK (${sample.check.text})`);
      }
      return result;
    },
    after(partition) {
      const target = qualifiedIdent(parent.schema, partition);
      const result: string[] = [];
      for (const { sample, sibling } of indexes) {
        const name = adapt(sample.name, sibling, partition, 'idx', relationTaken);
        reservedRelations.add(name);
        const keys = sample.keys
          .map((k) => `${k.column !== undefined ? quoteIdent(k.column) : `(${k.expression?.text ?? ''})`}${k.opclass ? ` ${k.opclass}` : ''}${k.descending ? ' DESC' : ''}`)
          .join(', ');
        result.push(
          `CREATE ${sample.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${quoteIdent(name)} ON ${target}${sample.method === 'btree' ? '' : ` USING ${sample.method}`} (${keys})` +
            `${sample.include.length ? ` INCLUDE (${columnList(sample.include)})` : ''}${sample.predicate ? ` WHERE ${sample.predicate.text}` : ''};`,
        );
      }
      for (const { sample } of uncovered) {
        const name = fixObjectName([partition, ...sample.columns], 'fk_idx', relationTaken);
        reservedRelations.add(name);
        result.push(`CREATE INDEX IF NOT EXISTS ${quoteIdent(name)} ON ${target} (${columnList(sample.columns)});`);
      }
      for (const { sample, sibling } of triggers) {
        const name = adapt(sample.name, sibling, partition, 'trigger', () => false);
        const events = sample.events.map((e) => e.toUpperCase()).join(' OR ');
        const args = sample.arguments.map(quoteLiteral).join(', ');
        const create =
          `CREATE TRIGGER ${quoteIdent(name)} ${sample.timing.toUpperCase()} ${events} ON ${target} ` +
          `FOR EACH ${sample.level.toUpperCase()} EXECUTE FUNCTION ${qualifiedText(sample.function)}(${args})`;
        const body =
          ` BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_trigger WHERE tgrelid = pg_catalog.to_regclass(${quoteLiteral(target)}) AND tgname = ${quoteLiteral(name)}) THEN ` +
          `EXECUTE ${quoteLiteral(create)}; END IF; END `;
        let tag = 'trigger';
        for (let n = 1; body.includes(`$${tag}$`); n++) tag = `trigger${n}`;
        result.push(`DO $${tag}$${body}$${tag}$;`);
        if (sample.enabled === 'D') result.push(`ALTER TABLE ${target} DISABLE TRIGGER ${quoteIdent(name)};`);
      }
      return result;
    },
  };
}
