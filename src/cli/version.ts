import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** The package version, read once from package.json (two folders above dist/src/cli or src/cli). */
export function toolVersion(): string {
  if (cached) return cached;
  for (const relative of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'schema-lint' && pkg.version) return (cached = pkg.version);
    } catch {
      // try the next layout
    }
  }
  return (cached = '0.0.0');
}
