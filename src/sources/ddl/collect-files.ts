/**
 * Turns the command line's paths (files, folders, globs) into an ordered list of `.sql` files. Nothing below a
 * given folder is dropped without a word: symbolic links to files and folders are followed (a link that leads back
 * to a folder already walked is a loop, and is not walked twice), a file reached twice (through a link) is linted
 * once, and a folder or link that cannot be read stops the run with one line naming it.
 */
import { readdirSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { naturalCompare, orderMigrationFolder, type MigrationLayout } from './migration-layout.js';

export class InputError extends Error {}

const GLOB_CHARS = /[*?[\]{}]/;

function why(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such file or folder';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENOTDIR':
      return 'not a folder';
    default:
      return code ?? String(error);
  }
}

function readFolder(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new InputError(`${dir}: cannot read the folder (${why(error)})`);
  }
}

/** What a folder entry is, following a symbolic link; a link that leads nowhere is an error, not a skipped file. */
function entryKind(full: string, entry: Dirent): 'dir' | 'file' | 'other' {
  if (entry.isDirectory()) return 'dir';
  if (entry.isFile()) return 'file';
  if (!entry.isSymbolicLink()) return 'other';
  let stats: Stats;
  try {
    stats = statSync(full);
  } catch (error) {
    throw new InputError(`${full}: cannot follow the symbolic link (${why(error)})`);
  }
  return stats.isDirectory() ? 'dir' : stats.isFile() ? 'file' : 'other';
}

function realPath(file: string): string {
  try {
    return realpathSync(file);
  } catch (error) {
    throw new InputError(`${file}: cannot read (${why(error)})`);
  }
}

/**
 * Every regular file below `dir` that `keep` accepts, depth first, each folder's entries in natural order of their
 * names (a subfolder's files where the subfolder sorts). Links are followed; a folder is walked once by its real
 * path, so a link back up the tree ends there. Hidden folders and node_modules are skipped. Iterative: a deep tree
 * cannot overflow the stack.
 */
function walk(dir: string, keep: (file: string) => boolean): string[] {
  const result: string[] = [];
  const walked = new Set<string>();
  const open = (folder: string): { folder: string; entries: Dirent[]; next: number } | undefined => {
    const real = realPath(folder);
    if (walked.has(real)) return undefined;
    walked.add(real);
    return { folder, entries: readFolder(folder).sort((a, b) => naturalCompare(a.name, b.name)), next: 0 };
  };
  const root = open(dir);
  const stack = root ? [root] : [];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (frame.next >= frame.entries.length) {
      stack.pop();
      continue;
    }
    const entry = frame.entries[frame.next++];
    const full = frame.folder === '.' ? entry.name : path.join(frame.folder, entry.name);
    const kind = entryKind(full, entry);
    if (kind === 'dir') {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const child = open(full);
      if (child) stack.push(child);
    } else if (kind === 'file' && keep(full)) result.push(full);
  }
  return result;
}

/**
 * Files in the order given; a folder's `*.sql` files below it in natural order of their paths (so
 * `migrations/2_x/up.sql` comes before `migrations/10_x/up.sql`); a glob's matches in natural order.
 */
export function collectSqlFiles(inputs: string[], options: { layout?: MigrationLayout } = {}): string[] {
  const files: string[] = [];
  const seen = new Set<string>();
  const add = (file: string): void => {
    // By real path: a link to a file already in the list would define every object twice.
    const key = realPath(file);
    if (!seen.has(key)) {
      seen.add(key);
      files.push(file);
    }
  };
  for (const input of inputs) {
    if (GLOB_CHARS.test(input)) {
      const segments = input.split(/[\\/]/);
      const firstGlob = segments.findIndex((segment) => GLOB_CHARS.test(segment));
      const base = segments.slice(0, firstGlob).join('/') || '.';
      let isMatch: (file: string) => boolean;
      try {
        isMatch = picomatch(input.replace(/\\/g, '/'), { dot: false });
      } catch {
        throw new InputError(`${input}: not a valid glob pattern`);
      }
      let baseStats: Stats | undefined;
      try {
        baseStats = statSync(base);
      } catch (error) {
        throw new InputError(`${input}: cannot read ${base} (${why(error)})`);
      }
      if (!baseStats.isDirectory()) throw new InputError(`${input}: ${base} is not a folder`);
      const matches = walk(base, (file) => isMatch(file.replace(/\\/g, '/')));
      if (matches.length === 0) throw new InputError(`${input}: no file matches this pattern`);
      matches.sort(naturalCompare).forEach(add);
      continue;
    }
    let stats;
    try {
      stats = statSync(input);
    } catch (error) {
      throw new InputError(`${input}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : `cannot read (${why(error)})`}`);
    }
    if (stats.isDirectory()) {
      const found = walk(input, (file) => file.toLowerCase().endsWith('.sql'));
      if (found.length === 0) throw new InputError(`${input}: folder holds no .sql file`);
      orderMigrationFolder(input, found, options.layout).forEach(add);
    } else add(input);
  }
  return files;
}
