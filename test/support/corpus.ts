/**
 * The shared corpus (`../shared/corpus/`, MANIFEST.md): real public schemas, loaded the way the manifest says, in
 * DDL mode and into PostgreSQL. Absent corpus: `corpusEntries()` is empty and the caller says so.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './fixtures.js';
import type { Cluster } from './pg-cluster.js';

export interface CorpusEntry {
  name: string;
  dir: string;
  /** Absolute paths in load order. */
  files: string[];
  /** SQL run in the same session right before a file (lemmy's `CREATE SCHEMA r;`). */
  before: Record<string, string>;
  /** psql variables the entry's own tooling sets (postgrest). */
  variables: (database: string, user: string) => Record<string, string>;
}

export function sharedDir(): string {
  return process.env.SCHEMA_LINT_SHARED_DIR ?? path.resolve(repoRoot, '../shared');
}

export function corpusDir(): string | undefined {
  const dir = path.join(sharedDir(), 'corpus');
  return existsSync(path.join(dir, 'MANIFEST.md')) ? dir : undefined;
}

export function corpusEntries(): CorpusEntry[] {
  const dir = corpusDir();
  if (!dir) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const entryDir = path.join(dir, entry.name);
      const orderFile = path.join(entryDir, '_load_order.txt');
      const files = existsSync(orderFile)
        ? readFileSync(orderFile, 'utf8')
            .split('\n')
            .map((line) => line.trim())
            .filter((line) => line && !line.startsWith('#'))
            .map((line) => path.join(entryDir, line))
        : readdirSync(entryDir).filter((f) => f.endsWith('.sql')).sort().map((f) => path.join(entryDir, f));
      const before: Record<string, string> = {};
      if (entry.name === 'lemmy') before[path.join(entryDir, 'crates/db_schema/replaceable_schema/utils.sql')] = 'CREATE SCHEMA r;';
      const variables = (database: string, user: string): Record<string, string> =>
        entry.name === 'postgrest' ? { DBNAME: database, PGUSER: user } : {};
      return { name: entry.name, dir: entryDir, files, before, variables };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The entry's SQL as DDL-mode sources, the `before` steps as small virtual files. */
export function corpusSources(entry: CorpusEntry): Array<{ file: string; text: string }> {
  const sources: Array<{ file: string; text: string }> = [];
  for (const file of entry.files) {
    if (entry.before[file]) sources.push({ file: `${path.relative(repoRoot, file)}.before`, text: entry.before[file] });
    sources.push({ file: path.relative(repoRoot, file), text: readFileSync(file, 'utf8') });
  }
  return sources;
}

/**
 * Loads the entry with psql as the manifest's load test did (errors do not stop it); returns the ERROR count.
 *
 * One psql run for a stretch of files (lemmy's 235 files: 10.5 s as a run each, 1.0 s as one run, the same schema
 * dump): `-f` after `-f` runs them in order, each after a `ROLLBACK` and a `RESET ALL` so a file starts as in a
 * fresh session. A file with a meta-command that depends on the working folder or the connection (`\i`, `\c`) runs
 * on its own, from its own folder.
 */
export function loadCorpusEntry(entry: CorpusEntry, url: string, database: string, user: string): number {
  let errors = 0;
  const vars = Object.entries(entry.variables(database, user)).flatMap(([k, v]) => ['-v', `${k}=${v}`]);
  const psql = (args: string[], cwd: string): void => {
    const result = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=0', ...vars, '-d', url, ...args], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, PGOPTIONS: '-c client_min_messages=error' },
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.error) throw result.error;
    errors += (result.stderr.match(/ERROR:|error:/g) ?? []).length;
  };
  const steps = (file: string, name: string): string[] => [...(entry.before[file] ? ['-c', entry.before[file]] : []), '-f', name];
  let stretch: string[] = [];
  const flush = (): void => {
    if (stretch.length > 0) psql(stretch, entry.dir);
    stretch = [];
  };
  for (const file of entry.files) {
    if (/^\\(i|include|c|connect)\b/m.test(readFileSync(file, 'utf8'))) {
      flush();
      psql(steps(file, path.basename(file)), path.dirname(file));
    } else {
      // ROLLBACK first: a file that failed inside BEGIN would leave the session in an aborted transaction.
      stretch.push(...(stretch.length > 0 ? ['-c', 'ROLLBACK', '-c', 'RESET ALL'] : []), ...steps(file, file));
    }
  }
  flush();
  return errors;
}

/**
 * The entry loaded once per server as a template database (pg-cluster.ts): tests clone it instead of loading it
 * again (lemmy alone is 468 psql runs). `loadErrors` is what `loadCorpusEntry` counted on that one load.
 */
export async function corpusTemplate(cluster: Cluster, entry: CorpusEntry): Promise<{ name: string; loadErrors: number }> {
  const content = createHash('sha256');
  for (const { file, text } of corpusSources(entry)) content.update(file).update('\0').update(text).update('\0');
  const { name, result } = await cluster.templateDatabase(`corpus:${entry.name}:${content.digest('hex')}`, (db) =>
    Promise.resolve(loadCorpusEntry(entry, cluster.superuserUrl(db), db, cluster.superuser)),
  );
  return { name, loadErrors: result };
}
