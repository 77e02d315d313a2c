/**
 * PostgreSQL has no `ADD CONSTRAINT IF NOT EXISTS`. A fix-up script must survive being run again after a failure
 * part-way, so such a statement is wrapped to skip, with a notice, when the object is already there.
 */
export function skipIfDuplicate(statement: string, what: string): string {
  const body = statement.trim().replace(/;$/, '');
  const tag = body.includes('$fix$') ? '$schema_lint_fix$' : '$fix$';
  const notice = what.replace(/'/g, "''").replace(/%/g, '%%');
  return `DO ${tag}\nBEGIN\n  ${body};\nEXCEPTION WHEN duplicate_object THEN\n  RAISE NOTICE '${notice} already exists, skipped';\nEND\n${tag};`;
}
