/**
 * PostgreSQL has no `ADD CONSTRAINT IF NOT EXISTS`. A fix-up script must survive being run again after a failure
 * part-way, so such a statement is wrapped to skip, with a notice, when the object is already there.
 */
import { dollarTag, quoteLiteral } from './sql.js';

export function skipIfDuplicate(statement: string, what: string): string {
  const body = statement.trim().replace(/;$/, '');
  const tag = dollarTag(body);
  // RAISE's format string treats % as a placeholder; the names inside are quoted as a literal, never spliced raw.
  const notice = quoteLiteral(`${what.replace(/%/g, '%%')} already exists, skipped`);
  return `DO ${tag}\nBEGIN\n  ${body};\nEXCEPTION WHEN duplicate_object THEN\n  RAISE NOTICE ${notice};\nEND\n${tag};`;
}
