/**
 * Migration frameworks read the way they run. A folder of migrations is not "every .sql file below it": diesel and
 * golang-migrate keep the down scripts next to the up scripts, sqitch keeps revert/ and verify/ scripts and orders
 * changes by its plan file, Flyway orders by version number across sub-folders and runs repeatable scripts last,
 * dbmate keeps both directions in one file. Applying a down script after its up script undoes the migration in the
 * model (lemmy's folder loses tables that way), so each layout says which files run and in what order.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const MIGRATION_LAYOUTS = ['auto', 'plain', 'diesel', 'golang-migrate', 'dbmate', 'flyway', 'sqitch'] as const;
export type MigrationLayout = (typeof MIGRATION_LAYOUTS)[number];
export type ResolvedLayout = Exclude<MigrationLayout, 'auto'>;

/** Where a folder's files are read from: the working tree, or a git revision (`--changed-since`). */
export interface TreeReader {
  exists(file: string): boolean;
  read(file: string): string | undefined;
}

export const workingTree: TreeReader = {
  exists: (file) => existsSync(file),
  read: (file) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  },
};

/**
 * Natural order: `2_x.sql` before `10_x.sql`, as migration tools apply them. The collator is made on first use:
 * creating it loads ICU's collation data (~9 ms), which a run over one file never needs.
 */
let naturalCollator: Intl.Collator | undefined;
export function naturalCompare(a: string, b: string): number {
  naturalCollator ??= new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });
  return naturalCollator.compare(a, b);
}

const DIESEL_FILE = /^(up|down)\.sql$/i;
const GOLANG_MIGRATE_FILE = /^(\d+)_.*\.(up|down)\.sql$/i;
/** Flyway: `V<version>__<desc>.sql` (versioned), `U…` (undo, a paid feature that never runs forward), `R__…` (repeatable). */
const FLYWAY_FILE = /^([VUR])([0-9][0-9._]*)?__(.*)\.sql$/i;
const DBMATE_UP = /^--\s*migrate:up\b/m;
const DBMATE_DOWN = /^--\s*migrate:down\b.*$/m;

/** Which layout a folder's files follow, judged by their names (and, for dbmate, a file's marker comment). */
export function detectLayout(dir: string, files: string[], tree: TreeReader = workingTree): ResolvedLayout {
  if (tree.exists(path.join(dir, 'sqitch.plan')) || files.some((file) => path.relative(dir, file).split(/[\\/]/)[0] === 'revert')) return 'sqitch';
  const names = files.map((file) => path.basename(file));
  if (files.some((file) => DIESEL_FILE.test(path.basename(file)) && path.relative(dir, path.dirname(file)) !== '')) return 'diesel';
  if (names.some((name) => GOLANG_MIGRATE_FILE.test(name))) return 'golang-migrate';
  if (names.length > 0 && names.filter((name) => FLYWAY_FILE.test(name)).length === names.length) return 'flyway';
  if (files.some((file) => DBMATE_UP.test((tree.read(file) ?? '').slice(0, 4096)))) return 'dbmate';
  return 'plain';
}

/** Flyway's version order: parts split at `.` or `_`, compared as numbers (`1_10` after `1_9`, `1` before `1.1`). */
export function compareFlywayVersions(a: string, b: string): number {
  const pa = a.split(/[._]/).filter(Boolean).map((part) => BigInt(part));
  const pb = b.split(/[._]/).filter(Boolean).map((part) => BigInt(part));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0n;
    const y = pb[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function orderFlyway(files: string[]): string[] {
  const versioned: Array<{ file: string; version: string }> = [];
  const repeatable: Array<{ file: string; description: string }> = [];
  for (const file of files) {
    const match = FLYWAY_FILE.exec(path.basename(file));
    if (!match) continue; // Flyway ignores files that do not follow its naming
    const prefix = match[1].toUpperCase();
    if (prefix === 'V' && match[2]) versioned.push({ file, version: match[2] });
    else if (prefix === 'R') repeatable.push({ file, description: match[3] });
    // U (undo) scripts only run on `flyway undo`.
  }
  versioned.sort((a, b) => compareFlywayVersions(a.version, b.version) || naturalCompare(a.file, b.file));
  // Repeatable migrations run after every pending versioned one, ordered by description.
  repeatable.sort((a, b) => naturalCompare(a.description, b.description));
  return [...versioned.map((v) => v.file), ...repeatable.map((r) => r.file)];
}

function orderGolangMigrate(files: string[]): string[] {
  return files
    .map((file) => ({ file, match: GOLANG_MIGRATE_FILE.exec(path.basename(file)) }))
    .filter((entry): entry is { file: string; match: RegExpExecArray } => entry.match !== null && entry.match[2].toLowerCase() === 'up')
    .sort((a, b) => {
      const x = BigInt(a.match[1]);
      const y = BigInt(b.match[1]);
      return x === y ? naturalCompare(a.file, b.file) : x < y ? -1 : 1;
    })
    .map((entry) => entry.file);
}

/** Diesel runs `<version>_<name>/up.sql`, ordered by the folder's version (a timestamp or a number). */
function orderDiesel(files: string[]): string[] {
  return files.filter((file) => path.basename(file).toLowerCase() === 'up.sql').sort(naturalCompare);
}

/**
 * Sqitch deploys the changes its `sqitch.plan` lists, in plan order, from `deploy/<change>.sql`. A reworked change
 * appears twice in the plan; its earlier version lives in `deploy/<change>@<next tag>.sql`.
 */
function orderSqitch(dir: string, tree: TreeReader): string[] {
  const plan = (tree.read(path.join(dir, 'sqitch.plan')) ?? '').split(/\r?\n/);
  const entries: Array<{ change: string; tagAfter?: string }> = [];
  for (const raw of plan) {
    const line = raw.trim();
    if (!line || line.startsWith('%') || line.startsWith('#')) continue;
    if (line.startsWith('@')) {
      const tag = line.split(/\s+/)[0];
      for (const entry of entries) if (entry.tagAfter === undefined) entry.tagAfter = tag;
      continue;
    }
    entries.push({ change: line.split(/\s+/)[0] });
  }
  const lastIndex = new Map<string, number>();
  entries.forEach((entry, i) => lastIndex.set(entry.change, i));
  const result: string[] = [];
  entries.forEach((entry, i) => {
    const reworkedLater = (lastIndex.get(entry.change) ?? i) > i;
    const name = reworkedLater && entry.tagAfter ? `${entry.change}${entry.tagAfter}` : entry.change;
    const file = path.join(dir, 'deploy', `${name}.sql`);
    if (tree.exists(file)) result.push(file);
  });
  return result;
}

/**
 * The files of a migration folder that run, in the order they run. `files` are every `.sql` file found below `dir`
 * (in natural order); the layout is detected unless given.
 */
export function orderMigrationFolder(dir: string, files: string[], layout: MigrationLayout = 'auto', tree: TreeReader = workingTree): string[] {
  const resolved = layout === 'auto' ? detectLayout(dir, files, tree) : layout;
  switch (resolved) {
    case 'diesel':
      return orderDiesel(files);
    case 'golang-migrate':
      return orderGolangMigrate(files);
    case 'flyway':
      return orderFlyway(files);
    case 'sqitch':
      return tree.exists(path.join(dir, 'sqitch.plan'))
        ? orderSqitch(dir, tree)
        : files.filter((file) => !path.relative(dir, file).split(/[\\/]/).some((part) => part === 'revert' || part === 'verify'));
    default:
      // dbmate: one file per version, both directions inside (the down half is cut when the file is read).
      return files;
  }
}

/**
 * dbmate keeps `-- migrate:up` and `-- migrate:down` sections in one file; only the up section runs. The down
 * section is blanked (newlines kept) so that line numbers of the rest stay those of the file.
 */
export function runnableMigrationText(text: string, layout: MigrationLayout = 'auto'): string {
  if (layout === 'plain') return text;
  if (!DBMATE_UP.test(text)) return text;
  const down = DBMATE_DOWN.exec(text);
  if (!down) return text;
  const up = DBMATE_UP.exec(text);
  if (!up) return text;
  // A file may put the down section first; then only the part after `-- migrate:up` runs.
  if (down.index < up.index) return text.slice(0, up.index).replace(/[^\n]/g, ' ') + text.slice(up.index);
  return text.slice(0, down.index) + text.slice(down.index).replace(/[^\n]/g, ' ');
}
