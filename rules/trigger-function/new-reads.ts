/**
 * Where a PL/pgSQL trigger function reads `NEW` on a path a DELETE can take. The body is parsed with libpg-query's
 * PL/pgSQL parser (PostgreSQL's own); its expressions stay text, which is enough to see `NEW` and the `TG_OP` tests
 * that guard it. Since PostgreSQL 11, `NEW` is NULL in a DELETE trigger: reads give NULLs, and `RETURN NEW` from a
 * BEFORE trigger returns NULL, which silently skips the delete.
 */
import { parsePlpgsql } from '../../src/sql/parser.js';
import type { PlExpr, PlStatement, PlStatementBody } from '../../src/sql/plpgsql-tree.js';

export interface NewRead {
  line: number;
  /** The statement's text, shortened. */
  text: string;
  /** `RETURN NEW` rather than a read inside an expression. */
  isReturn: boolean;
}

/** The statement text with string literals, quoted identifiers and comments blanked, lower-cased. */
function codeOnly(text: string): string {
  return text
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, (m) => (/^'(insert|update|delete|truncate)'$/i.test(m) ? m.toLowerCase() : "''"))
    .replace(/"(?:[^"]|"")*"/g, '""')
    .toLowerCase();
}

/** `NEW` as a record reference: not a field of something else (`t.new`), not a function name. */
const NEW_REFERENCE = /(?<![.\w$])new(?![\w$])(?!\s*\()/;

export function readsNew(text: string): boolean {
  return NEW_REFERENCE.test(codeOnly(text));
}

/** TG_OP compared with something (a guard), not merely used as a value (`VALUES (TG_OP, …)`). */
export function testsTgOp(text: string): boolean {
  const code = codeOnly(text);
  return /tg_op\s*(=|<>|!=|\bin\b|\bnot\b|\bis\b)/.test(code) || /(=|<>|!=)\s*tg_op\b/.test(code) || /\bcase\s+tg_op\b/.test(code);
}

type Guard = 'not-delete' | 'delete' | 'unknown';

/** What a condition says about TG_OP when it is true. */
function conditionGuard(text: string): Guard {
  const code = codeOnly(text).replace(/\s+/g, ' ');
  if (/\bor\b/.test(code) && !/tg_op in/.test(code)) {
    // `TG_OP = 'INSERT' OR TG_OP = 'UPDATE'`: every alternative excludes DELETE.
    const parts = code.split(/\bor\b/);
    return parts.every((part) => conditionGuard(part) === 'not-delete') ? 'not-delete' : 'unknown';
  }
  if (/tg_op ?(<>|!=) ?'delete'/.test(code) || /not ?\(? ?tg_op ?= ?'delete'/.test(code)) return 'not-delete';
  if (/tg_op ?= ?'(insert|update|truncate)'/.test(code)) return 'not-delete';
  const inList = /tg_op (not )?in ?\(([^)]*)\)/.exec(code);
  if (inList) {
    const hasDelete = inList[2].includes("'delete'");
    if (inList[1]) return hasDelete ? 'not-delete' : 'unknown';
    return hasDelete ? (inList[2].replace(/'delete'/, '').includes("'") ? 'unknown' : 'delete') : 'not-delete';
  }
  if (/\bnew is not null\b/.test(code)) return 'not-delete';
  if (/tg_op ?= ?'delete'/.test(code) || /\bnew is null\b/.test(code)) return 'delete';
  return 'unknown';
}

function exprText(node: PlExpr | undefined): string | undefined {
  return node?.PLpgSQL_expr?.query;
}

function endsWithExit(statements: PlStatement[] | undefined): boolean {
  const last = statements?.[statements.length - 1];
  if (!last) return false;
  // RAISE without a level is RAISE EXCEPTION; elog level 21 is ERROR (EXCEPTION).
  const raise = last.PLpgSQL_stmt_raise;
  return last.PLpgSQL_stmt_return !== undefined || (raise !== undefined && (raise.elog_level === undefined || raise.elog_level >= 21));
}

class Walker {
  readonly reads: NewRead[] = [];
  constructor(private readonly newDno: number) {}

  list(statements: PlStatement[] | undefined, guarded: boolean): void {
    let safe = guarded;
    for (const statement of statements ?? []) {
      this.statement(statement, safe);
      // `IF TG_OP = 'DELETE' THEN … RETURN OLD; END IF;` — what follows runs only for INSERT and UPDATE.
      const ifStmt = statement.PLpgSQL_stmt_if;
      if (ifStmt && conditionGuard(exprText(ifStmt.cond) ?? '') === 'delete' && endsWithExit(ifStmt.then_body)) safe = true;
    }
  }

  private statement(statement: PlStatement, guarded: boolean): void {
    const [kind] = Object.keys(statement);
    const body: PlStatementBody = statement[kind] ?? {};
    if (kind === 'PLpgSQL_stmt_if') {
      this.ifStatement(body, guarded);
      return;
    }
    if (kind === 'PLpgSQL_stmt_case') {
      // A CASE on TG_OP is a guard this walker does not follow branch by branch: trust it rather than guess.
      if (/tg_op/i.test(exprText(body.t_expr) ?? '') || testsTgOp(JSON.stringify(body.case_when_list ?? []))) return;
    }
    if (kind === 'PLpgSQL_stmt_return' && !guarded && body.retvarno === this.newDno && !body.expr) {
      this.reads.push({ line: body.lineno ?? 0, text: 'RETURN NEW', isReturn: true });
      return;
    }
    this.expressions(body, guarded, body.lineno);
  }

  private ifStatement(body: PlStatementBody, guarded: boolean): void {
    const branches: Array<{ cond?: string; stmts: PlStatement[] | undefined }> = [{ cond: exprText(body.cond), stmts: body.then_body }];
    for (const elsif of body.elsif_list ?? []) {
      branches.push({ cond: exprText(elsif.PLpgSQL_if_elsif?.cond), stmts: elsif.PLpgSQL_if_elsif?.stmts });
    }
    let deleteExcluded = false;
    for (const branch of branches) {
      const guard = conditionGuard(branch.cond ?? '');
      // `IF NEW IS NOT NULL` tests NEW rather than reading a field of it.
      if (branch.cond && !guarded && guard === 'unknown' && readsNew(branch.cond) && !testsTgOp(branch.cond)) {
        this.reads.push({ line: body.lineno ?? 0, text: `IF ${branch.cond}`, isReturn: false });
      }
      this.list(branch.stmts, guarded || deleteExcluded || guard === 'not-delete');
      if (guard === 'delete') deleteExcluded = true;
    }
    this.list(body.else_body, guarded || deleteExcluded);
  }

  /** Every expression below a statement that is not itself a statement list. */
  private expressions(node: unknown, guarded: boolean, line: number | undefined): void {
    if (guarded || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) {
        const record = item as PlStatement | null;
        const key = record && typeof record === 'object' ? Object.keys(record)[0] : undefined;
        if (record && key?.startsWith('PLpgSQL_stmt_')) this.statement(record, guarded);
        else this.expressions(item, guarded, line);
      }
      return;
    }
    const record = node as Record<string, unknown> & PlExpr;
    const query = record.PLpgSQL_expr?.query;
    if (query !== undefined) {
      // An expression that tests TG_OP itself (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END) guards its own reads.
      if (readsNew(query) && !testsTgOp(query)) {
        const text = query.replace(/\s+/g, ' ').trim();
        this.reads.push({ line: line ?? 0, text: text.length > 80 ? `${text.slice(0, 77)}...` : text, isReturn: false });
      }
      return;
    }
    for (const [key, value] of Object.entries(record)) {
      if (key === 'lineno') continue;
      const childLine = (value as { lineno?: unknown } | null)?.lineno ?? line;
      this.expressions(value, guarded, typeof childLine === 'number' ? childLine : line);
    }
  }
}

function dollarTag(body: string): string {
  let tag = '$body$';
  for (let n = 0; body.includes(tag); n++) tag = `$body${n}$`;
  return tag;
}

/** Reads of NEW on paths a DELETE can take; undefined when the body does not parse as PL/pgSQL. */
export function newReadsOnDelete(body: string): NewRead[] | undefined {
  const tag = dollarTag(body);
  const tree = parsePlpgsql(`CREATE FUNCTION schema_lint_probe() RETURNS trigger LANGUAGE plpgsql AS ${tag}${body}${tag}`);
  const fn = tree?.plpgsql_funcs?.[0]?.PLpgSQL_function;
  if (!fn) return undefined;
  const datums = fn.datums ?? [];
  const newDno = datums.findIndex((datum) => datum.PLpgSQL_rec?.refname === 'new');
  const walker = new Walker(newDno);
  const action = fn.action?.PLpgSQL_stmt_block;
  walker.list(action?.body, false);
  return walker.reads;
}
