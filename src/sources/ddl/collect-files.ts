/** Turns the command line's paths (files, folders, globs) into an ordered list of `.sql` files. */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { orderMigrationFolder, type MigrationLayout } from './migration-layout.js';

export class InputError extends Error {}

/** Natural order: `2_x.sql` before `10_x.sql`, as migration tools apply them. */
const naturalCollator = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });
export const naturalCompare = (a: string, b: string): number => naturalCollator.compare(a, b);

const GLOB_CHARS = /[*?[\]{}]/;

function walkSqlFiles(dir: string): string[] {
  const result: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => naturalCompare(a.name, b.name));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      result.push(...walkSqlFiles(full));
    } else if (entry.isFile() && entry.name.toLowerCase().endsWith('.sql')) {
      result.push(full);
    }
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
    const key = path.resolve(file);
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
      let matches: string[] = [];
      try {
        const isMatch = picomatch(input.replace(/\\/g, '/'), { dot: false });
        matches = walkAll(base).filter((file) => isMatch(file.replace(/\\/g, '/')));
      } catch {
        throw new InputError(`${input}: cannot read ${base}`);
      }
      if (matches.length === 0) throw new InputError(`${input}: no file matches this pattern`);
      matches.sort(naturalCompare).forEach(add);
      continue;
    }
    let stats;
    try {
      stats = statSync(input);
    } catch {
      throw new InputError(`${input}: no such file or folder`);
    }
    if (stats.isDirectory()) {
      const found = walkSqlFiles(input);
      if (found.length === 0) throw new InputError(`${input}: folder holds no .sql file`);
      orderMigrationFolder(input, found, options.layout).forEach(add);
    } else add(input);
  }
  return files;
}

function walkAll(dir: string): string[] {
  const result: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = dir === '.' ? entry.name : path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) result.push(...walkAll(full));
    } else if (entry.isFile()) result.push(full);
  }
  return result;
}
