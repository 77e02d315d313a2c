/**
 * Applies parsed statements, in order, to a SchemaModel — leniently: a statement that references an unknown object
 * is applied as far as it can be and gets a located diagnostic; one that cannot apply at all is skipped.
 */
import { emptyModel, qualify } from '../../model/model.js';
import type { Column, Constraint, ForeignKeyConstraint, Index, SchemaModel, SourceOrigin, Table, TypeRef } from '../../model/types.js';
import { SharedValues } from '../../model/shared-values.js';
import { expressionFromNode } from '../../sql/expression.js';
import { stringValue, type PgNode, type PgNodeOf } from '../../sql/pg-node.js';
import type { Diagnostic, ParsedFile, ParsedStatement } from './parse-file.js';

type RangeVar = PgNodeOf<'RangeVar'>;

/** Built-in type names PostgreSQL resolves in pg_catalog, as the parser leaves them when written unqualified. */
const BUILTIN_TYPES = new Set([
  'bool', 'bytea', 'char', 'name', 'int8', 'int2', 'int4', 'text', 'oid', 'json', 'xml', 'point', 'lseg', 'path', 'box',
  'polygon', 'line', 'float4', 'float8', 'money', 'macaddr', 'macaddr8', 'inet', 'cidr', 'bpchar', 'varchar', 'date',
  'time', 'timestamp', 'timestamptz', 'interval', 'timetz', 'bit', 'varbit', 'numeric', 'regclass', 'regproc', 'regtype',
  'uuid', 'tsvector', 'tsquery', 'jsonb', 'jsonpath', 'int4range', 'int8range', 'numrange', 'tsrange', 'tstzrange',
  'daterange', 'int4multirange', 'int8multirange', 'nummultirange', 'tsmultirange', 'tstzmultirange', 'datemultirange',
  'record', 'void', 'trigger', 'anyelement', 'anyarray', 'cstring', 'pg_lsn', 'txid_snapshot', 'pg_snapshot', 'xid',
  'xid8', 'cid', 'tid', 'circle', 'regnamespace', 'regrole', 'regconfig', 'regdictionary', 'regoper', 'regprocedure',
  'event_trigger', 'language_handler', 'internal', 'unknown', 'aclitem', 'refcursor',
]);

const TYPE_ALIASES: Record<string, string> = {
  integer: 'int4', int: 'int4', bigint: 'int8', smallint: 'int2', boolean: 'bool', real: 'float4', decimal: 'numeric',
  serial: 'int4', serial4: 'int4', bigserial: 'int8', serial8: 'int8', smallserial: 'int2', serial2: 'int2',
};

/** Origin file of objects that exist without a statement (the `public` schema). */
export const IMPLICIT_FILE = '<implicit>';

export const SERIAL_TYPES = new Set(['serial', 'serial4', 'bigserial', 'serial8', 'smallserial', 'serial2']);

/**
 * Modifiers the model keeps, as the catalog reports them: lengths of varchar and char (`char` alone is char(1)), and
 * numeric's precision and scale (scale 0 when left out). Others (timestamp precision, …) change no rule's answer.
 */
function typeModifiers(name: string, written: number[]): number[] {
  if (name === 'varchar') return written.slice(0, 1);
  if (name === 'bpchar') return written.length ? written.slice(0, 1) : [1];
  if (name === 'numeric') return written.length ? [written[0], written[1] ?? 0] : [];
  return [];
}

/**
 * How the files were run. `shared`: one session for all files, so a `SET search_path` in one file holds in the next
 * (pg_dump output, a Rails structure.sql, `cat *.sql | psql`). `per-file`: each file in a new session that starts
 * with `searchPath` (`psql -f` once per file, installers that pass the path through PGOPTIONS).
 */
export interface SessionSettings {
  session: 'shared' | 'per-file';
  /** Each session's starting search_path (PostgreSQL's default `"$user", public` → `public` here). */
  searchPath: string[];
}

export const DEFAULT_SESSION: SessionSettings = { session: 'shared', searchPath: ['public'] };

export class DdlModelBuilder {
  readonly model: SchemaModel;
  readonly diagnostics: Diagnostic[] = [];
  searchPath: string[] = ['public'];
  readonly sessionSettings: SessionSettings;
  /** The search path a shared session would have at this point (equal to searchPath in shared mode). */
  private sharedSearchPath: string[] = ['public'];
  /** Set once the current file sets search_path itself (then the session setting no longer matters for it). */
  private searchPathSetInFile = false;
  private sessionNoted = false;
  file!: ParsedFile;
  statement!: ParsedStatement;
  /** Unresolved foreign keys, checked once every file is applied (DDL often references tables defined later). */
  readonly reportedMissingSchemas = new Set<string>();
  /** Constraint names per schema (PostgreSQL picks unnamed constraint names unique in the schema), with counts. */
  private readonly constraintNames = new Map<string, Map<string, number>>();
  /** Equal types and expressions are one object each (src/model/shared-values.ts). */
  private readonly shared = new SharedValues();
  private readonly deferredStatements: Array<{ file: ParsedFile; statement: ParsedStatement; searchPath: string[] }> = [];
  private retrying = false;
  readonly pendingForeignKeys: Array<{ table: Table; constraint: ForeignKeyConstraint; origin: SourceOrigin }> = [];

  constructor(files: string[], session: SessionSettings = DEFAULT_SESSION) {
    this.sessionSettings = session;
    this.searchPath = [...session.searchPath];
    this.sharedSearchPath = [...session.searchPath];
    this.model = emptyModel({ kind: 'ddl', files });
    this.model.schemas.set('public', {
      name: 'public',
      origin: { kind: 'file', file: IMPLICIT_FILE, line: 1, column: 1, endLine: 1, endColumn: 1 },
    });
  }

  // ---- diagnostics and origins -------------------------------------------------------------------------------

  diagnose(message: string, byteOffset = this.statement.startByte, kind: Diagnostic['kind'] = 'reference'): void {
    const position = this.file.source.positionOfByte(byteOffset);
    this.diagnostics.push({ file: this.file.file, ...position, message, kind });
  }

  /** Origin from `start` to `end` (bytes); `end` defaults to the end of the (possibly qualified) name at `start`. */
  origin(start: number | undefined, end?: number): SourceOrigin {
    const source = this.file.source;
    const from = start ?? this.statement.startByte;
    const to = end ?? this.nameEnd(from);
    const a = source.positionOfByte(from);
    const b = source.positionOfByte(to);
    return { kind: 'file', file: this.file.file, line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  }

  statementOrigin(): SourceOrigin {
    return this.origin(this.statement.startByte, this.statement.endByte);
  }

  /** Origin of a clause that starts at `start` and runs to the next top-level `,` or `)` (a column or constraint). */
  clauseOrigin(start: number | undefined): SourceOrigin {
    if (start === undefined) return this.statementOrigin();
    return this.origin(start, this.clauseEnd(start));
  }

  private nameEnd(start: number): number {
    const source = this.file.source;
    let end = source.tokenEnd(start);
    while (source.bytes[end] === 0x2e /* . */ && end + 1 < source.bytes.length) end = source.tokenEnd(end + 1);
    return end;
  }

  private clauseEnd(start: number): number {
    const bytes = this.file.source.bytes;
    const limit = Math.min(this.statement.endByte, bytes.length);
    let depth = 0;
    let lastNonSpace = start;
    for (let i = start; i < limit; i++) {
      const b = bytes[i];
      if (b === 0x27 || b === 0x22) {
        i = this.file.source.tokenEnd(i) - 1;
        lastNonSpace = i + 1;
        continue;
      }
      if (b === 0x28) depth++;
      else if (b === 0x29) {
        if (depth === 0) break;
        depth--;
      } else if (b === 0x2c && depth === 0) break;
      if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) lastNonSpace = i + 1;
    }
    return lastNonSpace;
  }

  // ---- names ---------------------------------------------------------------------------------------------------

  /** The schema a new object goes to: the one named, else the first schema of the search path. */
  /**
   * The schema a new object goes to: the one named, else — as PostgreSQL does — the first schema of the search path
   * that exists. When none exists PostgreSQL refuses; DDL mode is lenient and takes the first one named.
   */
  creationSchema(schemaName: string | undefined, creating = true): string {
    if (schemaName) return schemaName;
    const schema = this.firstSchemaOf(this.searchPath);
    if (creating) this.noteSessionPlacement(schema);
    return schema;
  }

  private firstSchemaOf(path: string[]): string {
    const candidates = path.filter((schema) => schema !== 'pg_catalog' && schema !== '$user');
    return candidates.find((schema) => this.model.schemas.has(schema)) ?? candidates.at(0) ?? 'public';
  }

  /** A statement of the current file set search_path: its unqualified objects no longer depend on the session. */
  markSearchPathSet(): void {
    this.searchPathSetInFile = true;
  }

  /**
   * An object created without a schema in a file that did not set search_path lands where the session's path says.
   * When shared and per-file sessions would put it in different schemas, say so once per file: only the session
   * setting explains where it went.
   */
  private noteSessionPlacement(schema: string): void {
    if (this.searchPathSetInFile || this.sessionNoted || this.retrying) return;
    const start = this.firstSchemaOf(this.sessionSettings.searchPath);
    const shared = this.firstSchemaOf(this.sharedSearchPath);
    if (start === shared) return;
    this.sessionNoted = true;
    const path = this.sharedSearchPath.join(', ');
    this.diagnose(
      this.sessionSettings.session === 'per-file'
        ? `objects created here without a schema go to ${schema} (--session per-file: each file starts with search_path ${this.sessionSettings.searchPath.join(', ')}); ` +
            `run in one session with the files before it, they would go to ${shared} (search_path ${path} set by an earlier file)`
        : `objects created here without a schema go to ${schema} only because an earlier file set search_path to ${path} (--session shared); ` +
            `if each file runs in its own session (psql -f per file: --session per-file), they go to ${start}`,
      this.statement.startByte,
      'session',
    );
  }

  /** Finds an existing relation (table, index, view, …) by a RangeVar, through the search path. */
  lookupRelation(rangeVar: RangeVar, exists: (key: string) => boolean): { schema: string; name: string; key: string } {
    // The parser always sets relname (the grammar requires a name).
    const name = rangeVar.relname ?? '';
    if (rangeVar.schemaname) return { schema: rangeVar.schemaname, name, key: qualify(rangeVar.schemaname, name) };
    for (const schema of this.searchPath) {
      if (exists(qualify(schema, name))) return { schema, name, key: qualify(schema, name) };
    }
    const schema = this.creationSchema(undefined, false);
    return { schema, name, key: qualify(schema, name) };
  }

  findTable(rangeVar: RangeVar): Table | undefined {
    return this.model.tables.get(this.lookupRelation(rangeVar, (key) => this.model.tables.has(key)).key);
  }

  /**
   * A table the statement needs: missing means a located diagnostic and the statement (part) is skipped. With
   * `deferIfMissing` (the statement's own target: CREATE INDEX, ALTER TABLE, CREATE TRIGGER), the whole statement
   * is applied again once all input is read — design documents and hand-ordered migrations often index a table
   * before the statement that creates it. Input that loads into PostgreSQL never takes this path.
   */
  /** Some statement of the input could not be parsed (a syntax error): a missing table may be defined there. */
  private unreadableInput = false;

  requireTable(rangeVar: RangeVar, what: string, deferIfMissing = false): Table | undefined {
    const table = this.findTable(rangeVar);
    if (!table) {
      const name = rangeVar.schemaname ? `${rangeVar.schemaname}.${rangeVar.relname ?? ''}` : rangeVar.relname;
      const at = rangeVar.location ?? this.statement.startByte;
      if (deferIfMissing && !this.retrying) {
        this.deferredStatements.push({ file: this.file, statement: this.statement, searchPath: [...this.searchPath] });
        this.diagnose(`${what}: table ${name} is not defined yet; the statement is applied after the rest of the input`, at);
      } else if (deferIfMissing && this.unreadableInput) {
        // A statement that could not be parsed may be the one that creates it: no claim about what PostgreSQL does.
        this.diagnose(`${what}: table ${name} is not defined (perhaps by a statement that could not be parsed); statement skipped`, at);
      } else if (deferIfMissing) {
        // Still missing after the whole input: PostgreSQL would stop here too. Shown by default (kind `rejected`).
        this.diagnose(`PostgreSQL rejects this ${what}: relation "${name}" does not exist; the statement has no effect`, at, 'rejected');
      } else {
        this.diagnose(`${what}: table ${name} is not defined; statement skipped`, at);
      }
    }
    return table;
  }

  /** Applies the statements deferred by `requireTable`, in their original order, with their search path. */
  applyDeferred(apply: (builder: DdlModelBuilder, statement: ParsedStatement) => void): void {
    this.retrying = true;
    for (const { file, statement, searchPath } of this.deferredStatements.splice(0)) {
      this.file = file;
      this.statement = statement;
      this.searchPath = searchPath;
      apply(this, statement);
    }
    this.retrying = false;
  }

  findIndex(rangeVar: RangeVar): Index | undefined {
    return this.model.indexes.get(this.lookupRelation(rangeVar, (key) => this.model.indexes.has(key)).key);
  }

  /**
   * Qualifies a trigger's function name through the search path. A name no schema file defines is a built-in
   * (`tsvector_update_trigger`): PostgreSQL requires the function to exist when the trigger is created.
   */
  qualifyFunction(names: PgNode[]): string {
    const parts = names.map(stringValue);
    if (parts.length > 1) return qualify(parts[parts.length - 2], parts[parts.length - 1]);
    const name = parts[0];
    for (const schema of this.searchPath) {
      if (this.model.functions.has(qualify(schema, name))) return qualify(schema, name);
    }
    return qualify('pg_catalog', name);
  }

  /** `[schema?, name]` list → qualified key, unqualified names resolved through the search path against `exists`. */
  qualifyList(items: PgNode[], exists: (key: string) => boolean): { schema: string; name: string; key: string } {
    const parts = items.map(stringValue);
    if (parts.length >= 2) {
      const schema = parts[parts.length - 2];
      const name = parts[parts.length - 1];
      return { schema, name, key: qualify(schema, name) };
    }
    return this.lookupRelation({ relname: parts[0] }, exists);
  }

  // ---- constraints ----------------------------------------------------------------------------------------------

  /** Adds a constraint to a table and to the schema's name registry: every constraint goes in through here. */
  pushConstraint(table: Table, constraint: Constraint): void {
    table.constraints.push(constraint);
    this.countConstraintName(table.schema, constraint.name, 1);
  }

  /** Removes the constraints `remove` picks from a table, keeping the registry right. */
  removeConstraints(table: Table, remove: (constraint: Constraint) => boolean): void {
    const kept: Constraint[] = [];
    for (const constraint of table.constraints) {
      if (remove(constraint)) this.countConstraintName(table.schema, constraint.name, -1);
      else kept.push(constraint);
    }
    table.constraints = kept;
  }

  renameConstraint(table: Table, constraint: Constraint, name: string): void {
    this.countConstraintName(table.schema, constraint.name, -1);
    constraint.name = name;
    this.countConstraintName(table.schema, name, 1);
  }

  /** Forgets every constraint of a table that leaves the model (dropped) or its schema (renamed across schemas). */
  forgetConstraints(table: Table): void {
    for (const constraint of table.constraints) this.countConstraintName(table.schema, constraint.name, -1);
  }

  rememberConstraints(table: Table): void {
    for (const constraint of table.constraints) this.countConstraintName(table.schema, constraint.name, 1);
  }

  constraintNameTaken(schema: string, name: string): boolean {
    return (this.constraintNames.get(schema)?.get(name) ?? 0) > 0;
  }

  countConstraintName(schema: string, name: string, delta: number): void {
    let names = this.constraintNames.get(schema);
    if (!names) this.constraintNames.set(schema, (names = new Map<string, number>()));
    names.set(name, (names.get(name) ?? 0) + delta);
  }

  // ---- types and columns ---------------------------------------------------------------------------------------

  typeRef(typeName: PgNodeOf<'TypeName'>): TypeRef {
    const names = (typeName.names ?? []).map(stringValue);
    const arrayDims = typeName.arrayBounds?.length ?? 0;
    const written = (typeName.typmods ?? [])
      .map((mod) => mod.A_Const?.ival?.ival ?? (mod.A_Const?.ival ? 0 : undefined))
      .filter((value): value is number => typeof value === 'number');
    let schema: string;
    let name = names[names.length - 1];
    if (names.length > 1) {
      schema = names[names.length - 2];
    } else {
      name = TYPE_ALIASES[name] ?? name;
      const userSchema = this.searchPath.find(
        (candidate) => this.model.domains.has(qualify(candidate, name)) || this.model.otherRelations.get(qualify(candidate, name))?.kind === 'type',
      );
      if (userSchema) schema = userSchema;
      else if (BUILTIN_TYPES.has(name)) schema = 'pg_catalog';
      // An extension's type (citext, hstore, ltree, …): PostgreSQL would find it in the search path.
      else schema = this.creationSchema(undefined, false);
    }
    return this.shared.type({ schema, name, arrayDims: typeName.pct_type ? 0 : arrayDims, modifiers: schema === 'pg_catalog' ? typeModifiers(name, written) : [] });
  }

  newColumn(def: PgNodeOf<'ColumnDef'>): Column {
    // Only `col WITH OPTIONS` of CREATE TABLE … OF has no type, and typed tables are left out before their columns.
    if (!def.typeName) throw new Error(`column ${def.colname ?? ''} has no type (CREATE TABLE … OF is not supported)`);
    const type = this.typeRef(def.typeName);
    return {
      name: def.colname ?? '',
      type,
      notNull: Boolean(def.is_not_null),
      storage: def.storage_name ?? undefined,
      compression: def.compression ?? undefined,
      origin: this.origin(def.location),
    };
  }

  expression(node: PgNode | undefined) {
    return this.shared.expression(node, () => expressionFromNode(node));
  }

  // ---- running ------------------------------------------------------------------------------------------------

  /** Applies a file's statements; a big file comes in several groups (parse-file.ts), all sharing its `source`. */
  applyFile(file: ParsedFile, apply: (builder: DdlModelBuilder, statement: ParsedStatement) => void): void {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- `file` is unset until the first file is applied
    const newFile = this.file?.source !== file.source;
    this.file = file;
    if (file.diagnostics.some((d) => d.kind === 'syntax')) this.unreadableInput = true;
    if (newFile) {
      this.searchPathSetInFile = false;
      this.sessionNoted = false;
      // What one shared session would carry into this file; a new session per file starts afresh.
      if (this.sessionSettings.session === 'per-file') this.searchPath = [...this.sessionSettings.searchPath];
    }
    for (const statement of file.statements) {
      this.statement = statement;
      apply(this, statement);
      if (this.searchPathSetInFile) this.sharedSearchPath = [...this.searchPath];
    }
  }
}
