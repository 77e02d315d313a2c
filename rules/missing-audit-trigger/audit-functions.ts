/**
 * Which functions are audit functions, which tables they write into, and whether one can serve another table.
 *
 * Function patterns and log-table patterns are matched against the plain name and against `schema.name`: the two
 * conventions we must recognise by default keep the word "audit" in the schema only (supa_audit's
 * `audit.insert_update_delete_trigger` writing into `audit.record_version`), so a dot-less `*audit*` that saw only
 * the plain name would miss them.
 */
import { matchesAny } from '../../src/engine/patterns.js';
import { qualify } from '../../src/model/model.js';
import type { FunctionDef, SchemaModel, Table } from '../../src/model/types.js';
import { scanTokens, type Token } from '../../src/sql/parser.js';

/** A pattern without a dot also matches the whole qualified name, so `*audit*` matches `audit.record_version`. */
export function matchesNameOrQualified(patterns: string[], schema: string, name: string): boolean {
  if (matchesAny(patterns, schema, name)) return true;
  const dotless = patterns.filter((pattern) => !pattern.includes('.'));
  return dotless.length > 0 && matchesAny(dotless, schema, qualify(schema, name));
}

export interface RelationName {
  schema?: string;
  name: string;
}

/** What a function body tells about it. */
export interface BodyTraits {
  /** Tables named after `INSERT INTO`. */
  inserts: RelationName[];
  /** Reads which table fired it (`TG_TABLE_NAME`, `TG_RELID`, …): written for any table, not for one. */
  identifiesTable: boolean;
  /** Columns read as `NEW.col` / `OLD.col`: on a table without them the function fails, and the write with it. */
  rowFields: string[];
}

const IDENTIFIER = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*$/;
const TABLE_VARIABLES = new Set(['tg_table_name', 'tg_relname', 'tg_relid', 'tg_table_schema']);

/** Unquoted identifiers fold to lower case; quoted ones keep their case, with `""` meaning one quote. */
function identifierName(token: Token | undefined): string | undefined {
  if (!token) return undefined;
  if (token.text.length >= 2 && token.text.startsWith('"') && token.text.endsWith('"')) return token.text.slice(1, -1).replace(/""/g, '"');
  // A reserved keyword cannot name a table or column unquoted.
  if (token.keywordName === 'RESERVED_KEYWORD' || !IDENTIFIER.test(token.text)) return undefined;
  return token.text.toLowerCase();
}

function traitsFromTokens(tokens: Token[]): BodyTraits {
  const code = tokens.filter((token) => token.tokenName !== 'SQL_COMMENT' && token.tokenName !== 'C_COMMENT');
  const inserts: RelationName[] = [];
  const rowFields = new Set<string>();
  let identifiesTable = false;
  for (let i = 0; i < code.length; i++) {
    const word = code[i].text.toLowerCase();
    if (TABLE_VARIABLES.has(word)) identifiesTable = true;
    if ((word === 'new' || word === 'old') && code[i + 1]?.text === '.') {
      const field = identifierName(code[i + 2]);
      if (field !== undefined) rowFields.add(field);
    }
    if (word !== 'insert' || code[i + 1]?.text.toLowerCase() !== 'into') continue;
    const first = identifierName(code[i + 2]);
    if (first === undefined) continue;
    const second = code[i + 3]?.text === '.' ? identifierName(code[i + 4]) : undefined;
    inserts.push(second === undefined ? { name: first } : { schema: first, name: second });
  }
  return { inserts, identifiesTable, rowFields: [...rowFields] };
}

const NAME_PART = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
const INSERT_INTO = new RegExp(String.raw`\binsert\s+into\s+(${NAME_PART})(?:\s*\.\s*(${NAME_PART}))?`, 'gi');
const ROW_FIELD = new RegExp(String.raw`\b(?:new|old)\s*\.\s*(${NAME_PART})`, 'gi');
const TABLE_VARIABLE = /\btg_(?:table_name|relname|relid|table_schema)\b/i;

function unquote(part: string): string {
  return part.startsWith('"') ? part.slice(1, -1).replace(/""/g, '"') : part.toLowerCase();
}

/** Fallback for a body the SQL scanner rejects (an unterminated quote in dead code): regexes with comments removed. */
function traitsFromRegex(body: string): BodyTraits {
  const code = body.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/--[^\n]*/g, ' ');
  const inserts = [...code.matchAll(INSERT_INTO)].map((match) => {
    // `.at()` types an unmatched group as undefined, which it is at run time.
    const name = match.at(2);
    return name === undefined ? { name: unquote(match[1]) } : { schema: unquote(match[1]), name: unquote(name) };
  });
  const rowFields = [...new Set([...code.matchAll(ROW_FIELD)].map((match) => unquote(match[1])))];
  return { inserts, identifiesTable: TABLE_VARIABLE.test(code), rowFields };
}

/**
 * Reads a function body with the SQL scanner, which tokenises PL/pgSQL well enough for this and skips comments and
 * string literals, so dynamic SQL built from strings is not guessed at.
 */
export function bodyTraits(body: string): BodyTraits {
  const tokens = scanTokens(body);
  return tokens ? traitsFromTokens(tokens) : traitsFromRegex(body);
}

/** An unqualified name resolves against the function's own schema, then `public` (the usual search path). */
export function resolveTarget(model: SchemaModel, fn: FunctionDef, target: RelationName): string {
  if (target.schema !== undefined) return qualify(target.schema, target.name);
  for (const schema of [fn.schema, 'public']) {
    const key = qualify(schema, target.name);
    if (model.tables.has(key)) return key;
  }
  return qualify(fn.schema, target.name);
}

export function isTriggerFunction(fn: FunctionDef): boolean {
  return fn.argumentTypes.length === 0 && fn.returnType.split('.').pop()?.toLowerCase() === 'trigger';
}

export interface AuditTriggerFunction {
  fn: FunctionDef;
  traits: BodyTraits;
  /** Matched option `functions` by name, rather than only by what its body writes. */
  byName: boolean;
}

/**
 * An audit function written for particular tables (it never asks which table fired it, or reads columns this table
 * lacks) would log the wrong thing or make every write to this table fail.
 */
export function reusableFor(candidate: AuditTriggerFunction, table: Table): boolean {
  const columns = new Set(table.columns.map((column) => column.name));
  return candidate.traits.identifiesTable && candidate.traits.rowFields.every((field) => columns.has(field));
}

export interface AuditFunctionCatalog {
  /** True for a trigger's function (qualified name) that counts as an audit function. */
  isAuditFunction(qualifiedName: string): boolean;
  /** Qualified names of tables that audit functions insert into: never in scope, auditing them would recurse. */
  logTables: Set<string>;
  /** Audit trigger functions defined in the model, the candidates for a fix. */
  triggerFunctions: AuditTriggerFunction[];
}

function splitKey(key: string): [string, string] {
  const dot = key.indexOf('.');
  return [key.slice(0, dot), key.slice(dot + 1)];
}

export function auditFunctionCatalog(model: SchemaModel, functionPatterns: string[], logTablePatterns: string[]): AuditFunctionCatalog {
  const byName = (schema: string, name: string): boolean => matchesNameOrQualified(functionPatterns, schema, name);
  const byBody = new Set<string>();
  const logTables = new Set<string>();
  const triggerFunctions: AuditTriggerFunction[] = [];
  for (const [key, overloads] of model.functions) {
    for (const fn of overloads) {
      const named = byName(fn.schema, fn.name);
      // Scanning every body of a large dump costs time; only audit candidates need it.
      if (fn.fromExtension || (!named && !/insert\s+into/i.test(fn.body))) continue;
      const traits = bodyTraits(fn.body);
      const targets = traits.inserts.map((target) => resolveTarget(model, fn, target));
      const writesLog = targets.some((target) => {
        const table = model.tables.get(target);
        const [schema, name] = table ? [table.schema, table.name] : splitKey(target);
        return matchesNameOrQualified(logTablePatterns, schema, name);
      });
      if (writesLog) byBody.add(key);
      if (!writesLog && !named) continue;
      for (const target of targets) logTables.add(target);
      if (isTriggerFunction(fn)) triggerFunctions.push({ fn, traits, byName: named });
    }
  }
  // Asked once per trigger of every table: a schema has a few trigger functions and many triggers calling them.
  const known = new Map<string, boolean>();
  return {
    isAuditFunction: (qualifiedName) => {
      let audit = known.get(qualifiedName);
      if (audit === undefined) known.set(qualifiedName, (audit = byBody.has(qualifiedName) || byName(...splitKey(qualifiedName))));
      return audit;
    },
    logTables,
    triggerFunctions,
  };
}

/** Tables a function body names after `INSERT INTO` (exported for tests). */
export function insertTargets(body: string): RelationName[] {
  return bodyTraits(body).inserts;
}
