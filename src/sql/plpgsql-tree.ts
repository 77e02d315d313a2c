/**
 * The parts of libpg-query's PL/pgSQL trees that schema-lint reads. `@pgsql/types` covers the SQL parse nodes only,
 * so these follow the JSON that `parsePlPgSQLSync` returns (PostgreSQL's PLpgSQL_* structs, one key per node). Each
 * statement body is one shape with every field optional: a field is there only on the statement kinds that have it.
 */

export interface PlExpr {
  PLpgSQL_expr?: { query?: string };
}

export interface PlStatementBody {
  lineno?: number;
  /** IF: the condition and the branches. */
  cond?: PlExpr;
  then_body?: PlStatement[];
  elsif_list?: Array<{ PLpgSQL_if_elsif?: { cond?: PlExpr; stmts?: PlStatement[] } }>;
  else_body?: PlStatement[];
  /** CASE: the tested expression and the WHEN branches. */
  t_expr?: PlExpr;
  case_when_list?: unknown[];
  /** RETURN: the variable returned (its datum number) or an expression. */
  retvarno?: number;
  expr?: PlExpr;
  /** RAISE: the level (absent for RAISE alone, which is EXCEPTION). */
  elog_level?: number;
  /** A block's statements. */
  body?: PlStatement[];
  /** A plain SQL statement (`PLpgSQL_stmt_execsql`). */
  sqlstmt?: PlExpr;
}

/** A statement, e.g. `{ PLpgSQL_stmt_if: {…} }`. */
export type PlStatement = Partial<Record<string, PlStatementBody>>;

export interface PlFunction {
  datums?: Array<{ PLpgSQL_rec?: { refname?: string } }>;
  action?: PlStatement;
}

export interface PlpgsqlParseResult {
  plpgsql_funcs?: Array<{ PLpgSQL_function?: PlFunction }>;
}
