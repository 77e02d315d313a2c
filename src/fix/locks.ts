/**
 * The locks a fix's statements take, for the fix-up script's table of contents. Our fixes are built from a handful
 * of statement shapes, so the shape of each statement's head says which lock it takes (PostgreSQL's "Explicit
 * Locking" table and each command's reference page).
 */

interface LockShape {
  pattern: RegExp;
  lock: string;
}

const SHAPES: LockShape[] = [
  { pattern: /^DROP INDEX CONCURRENTLY\b/i, lock: 'SHARE UPDATE EXCLUSIVE (DROP INDEX CONCURRENTLY: reads and writes go on)' },
  { pattern: /^CREATE (UNIQUE )?INDEX CONCURRENTLY\b/i, lock: 'SHARE UPDATE EXCLUSIVE (CREATE INDEX CONCURRENTLY: reads and writes go on)' },
  { pattern: /^CREATE (UNIQUE )?INDEX\b.*\bON ONLY\b/is, lock: 'SHARE on a partitioned parent, for a moment (ON ONLY builds no data)' },
  { pattern: /^CREATE (UNIQUE )?INDEX\b/i, lock: 'SHARE (blocks writes while the index builds)' },
  { pattern: /^ALTER INDEX\b.*\bATTACH PARTITION\b/is, lock: 'brief locks on the parent and partition index (no data is read)' },
  { pattern: /^CREATE TABLE\b.*\bPARTITION OF\b/is, lock: 'ACCESS EXCLUSIVE on the partitioned parent, for a moment (longer if a DEFAULT partition must be scanned)' },
  { pattern: /^ALTER TABLE\b.*\bVALIDATE CONSTRAINT\b/is, lock: 'SHARE UPDATE EXCLUSIVE (VALIDATE CONSTRAINT: reads and writes go on while it scans)' },
  { pattern: /^ALTER DOMAIN\b.*\bVALIDATE CONSTRAINT\b/is, lock: 'SHARE on every table using the domain while it scans (blocks writes)' },
  { pattern: /\bADD CONSTRAINT\b.*\bNOT VALID\b/is, lock: 'ACCESS EXCLUSIVE, for a moment (NOT VALID: no scan)' },
  { pattern: /\bADD CONSTRAINT\b/is, lock: 'ACCESS EXCLUSIVE while it scans the table (blocks reads and writes)' },
  { pattern: /^(CREATE( OR REPLACE)? TRIGGER|DROP TRIGGER)\b/i, lock: 'SHARE ROW EXCLUSIVE (blocks writes, for a moment)' },
  { pattern: /^ALTER TABLE\b.*\bENABLE (ALWAYS |REPLICA )?TRIGGER\b/is, lock: 'SHARE ROW EXCLUSIVE (blocks writes, for a moment)' },
];

/** Statement heads of a fix: the first significant line of each statement (comments and blank lines skipped). */
function statementHeads(sql: string): string[] {
  const heads: string[] = [];
  let current = '';
  for (const line of sql.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('--')) continue;
    current = current ? `${current} ${trimmed}` : trimmed;
    if (trimmed.endsWith(';')) {
      heads.push(current);
      current = '';
    }
  }
  if (current) heads.push(current);
  return heads;
}

/** Each distinct lock the fix's statements take, in the order they first appear. */
export function locksOf(sql: string): string[] {
  const locks: string[] = [];
  for (const head of statementHeads(sql)) {
    // A DO block wraps one statement (re-runnable ADD CONSTRAINT): its lock is that statement's.
    const statement = head.replace(/^DO \$[a-z_0-9]*\$ BEGIN /i, '');
    const shape = SHAPES.find((s) => s.pattern.test(statement));
    if (shape && !locks.includes(shape.lock)) locks.push(shape.lock);
  }
  return locks;
}
