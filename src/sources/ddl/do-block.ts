/**
 * `DO` blocks in migrations: the idempotent-migration idiom wraps plain DDL in a block
 * (`DO $$ BEGIN ALTER TABLE … ADD CONSTRAINT …; EXCEPTION WHEN duplicate_object THEN NULL; END $$;`), and the fix-up
 * script does the same. The block's unconditional SQL statements are applied like top-level ones; conditional
 * branches, loops and dynamic EXECUTE depend on run-time state and are left out.
 */
import { parsePlpgsql, parseStatements } from '../../sql/parser.js';
import type { DdlModelBuilder } from './builder.js';
import type { PgNode, PgNodeOf } from '../../sql/pg-node.js';
import type { PlStatement, PlStatementBody } from '../../sql/plpgsql-tree.js';
import type { ParsedStatement } from './parse-file.js';

/** In order, looking into nested BEGIN … END blocks (iteratively: blocks nest as deep as the text allows). */
function unconditionalQueries(block: PlStatementBody | undefined, found: string[]): void {
  const pending: PlStatement[] = [...(block?.body ?? [])].reverse();
  for (let statement = pending.pop(); statement; statement = pending.pop()) {
    const query = statement.PLpgSQL_stmt_execsql?.sqlstmt?.PLpgSQL_expr?.query;
    if (query) found.push(query);
    const inner = statement.PLpgSQL_stmt_block?.body ?? [];
    for (let i = inner.length - 1; i >= 0; i--) pending.push(inner[i]);
  }
}

export function applyDoBlock(builder: DdlModelBuilder, node: PgNodeOf<'DoStmt'>, apply: (builder: DdlModelBuilder, statement: ParsedStatement) => void): void {
  const options = new Map<string | undefined, PgNode | undefined>((node.args ?? []).map((arg) => [arg.DefElem?.defname, arg.DefElem?.arg]));
  const language = options.get('language')?.String?.sval ?? 'plpgsql';
  if (language !== 'plpgsql') return;
  const outer = builder.statement;
  const text = builder.file.source.slice(outer.startByte, outer.endByte);
  const tree = parsePlpgsql(`${text};`);
  const queries: string[] = [];
  unconditionalQueries(tree?.plpgsql_funcs?.[0]?.PLpgSQL_function?.action?.PLpgSQL_stmt_block, queries);
  let searchFrom = 0;
  for (const query of queries) {
    const at = text.indexOf(query, searchFrom);
    if (at < 0) continue;
    searchFrom = at + query.length;
    const startByte = outer.startByte + Buffer.byteLength(text.slice(0, at));
    // Padding makes the parser's locations file offsets, as for top-level statements.
    const parsed = parseStatements(' '.repeat(startByte) + query);
    if (!parsed.ok) continue;
    for (const raw of parsed.stmts) {
      const kind = Object.keys(raw.stmt)[0];
      const start = raw.stmt_location ?? startByte;
      builder.statement = { node: raw.stmt, kind, startByte: start, endByte: start + (raw.stmt_len || Buffer.byteLength(query)) };
      apply(builder, builder.statement);
    }
  }
  builder.statement = outer;
}
