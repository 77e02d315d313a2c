/**
 * A content-addressed cache of parsed files, so a migration folder re-linted after a one-file change parses one file.
 *
 * What is cached is the parser's output for a file, not model facts: each group's statements (trimmed trees with
 * their byte locations) and the parse diagnostics, in the order parse-file.ts produced them. A re-run replays them
 * into the model builder exactly as a fresh parse would, so the model, the diagnostics and every location are the
 * same, and a change to the model builder or the rules never makes an entry stale. Only the parse step's own inputs
 * are in the key: the text handed to the parser (after a migration layout blanked what does not run, so a layout
 * change is a new key), the tool and parser versions, the cache format, and the parse settings (group size).
 *
 * One file per entry, `<dir>/<2 hex>/<sha256>.ndjson`: a header line (format, key, a SHA-256 of the body), then one
 * JSON line per group. Entries are written to a temporary file and renamed into place, so a concurrent run sees a
 * whole entry or none; two runs writing the same key write the same bytes. An entry that cannot be read, is cut
 * short, or does not match its checksum is ignored (the file is parsed again), never an error: the cache only ever
 * saves time. Writing is best effort for the same reason (a read-only or full disk costs speed, not the run).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Diagnostic } from '../../shared/diagnostic.js';
import type { ParsedStatement } from './parse-file.js';

/** Bump when what parse-file.ts produces for a text changes (grouping, skipped statement kinds, tree trimming). */
export const CACHE_FORMAT = 2;

/** One group of a file as parse-file.ts handed it to the model builder, and the diagnostics it added. */
export interface CachedGroup {
  statements: ParsedStatement[];
  /** Parse diagnostics raised while this group was parsed, without `file` (the same text may have several names). */
  diagnostics: Array<Omit<Diagnostic, 'file'>>;
  /** Spans of statements that were recognised and not parsed (parse-file.ts, skipped kinds), for suppressions. */
  skipped?: ParsedStatement[];
}

export interface ParseCacheOptions {
  /** The cache folder (created when first written). */
  dir: string;
  /** The tool's version: another version never reads this one's entries. */
  toolVersion: string;
}

function parserVersion(): string {
  try {
    return (createRequire(import.meta.url)('libpg-query/package.json') as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The default folder: `$XDG_CACHE_HOME/schema-lint`, else `~/.cache/schema-lint`; undefined with neither variable. */
export function defaultCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)) return path.join(env.XDG_CACHE_HOME, 'schema-lint');
  if (env.HOME) return path.join(env.HOME, '.cache', 'schema-lint');
  return undefined;
}

export class ParseCache {
  readonly dir: string;
  private readonly salt: string;
  /** Counters for the run's report (`--verbose`) and tests: how many files were parsed, how many replayed. */
  readonly counts = { parsed: 0, cached: 0, written: 0, unreadable: 0 };

  constructor(options: ParseCacheOptions) {
    this.dir = path.resolve(options.dir);
    this.salt = `schema-lint parse cache ${CACHE_FORMAT}\0tool ${options.toolVersion}\0libpg-query ${parserVersion()}\0`;
  }

  /** The key of a text parsed with the given settings (everything else that shapes the parse is in the salt). */
  keyOf(text: string, settings: string): string {
    return createHash('sha256').update(this.salt).update(settings).update('\0').update(text).digest('hex');
  }

  private pathOf(key: string): string {
    return path.join(this.dir, key.slice(0, 2), `${key}.ndjson`);
  }

  /**
   * The entry's groups, read lazily one line at a time (a 10 MB dump's trees are tens of MB: only one group's tree
   * is alive at a time, as when parsing). The whole entry is checked against its checksum before the first group is
   * handed out, so a damaged entry is refused before anything was applied. Undefined: no usable entry.
   */
  read(key: string): { groups: Iterable<CachedGroup>; groupCount: number } | undefined {
    let buffer: Buffer;
    try {
      buffer = readFileSync(this.pathOf(key));
    } catch {
      return undefined;
    }
    try {
      const headerEnd = buffer.indexOf(0x0a);
      if (headerEnd < 0) throw new Error('no header');
      const header = JSON.parse(buffer.toString('utf8', 0, headerEnd)) as { format?: number; key?: string; groups?: number; sha256?: string };
      if (header.format !== CACHE_FORMAT || header.key !== key || typeof header.groups !== 'number') throw new Error('another entry');
      const body = buffer.subarray(headerEnd + 1);
      if (createHash('sha256').update(body).digest('hex') !== header.sha256) throw new Error('checksum');
      let lines = 0;
      for (let i = body.indexOf(0x0a); i >= 0; i = body.indexOf(0x0a, i + 1)) lines++;
      if (lines !== header.groups) throw new Error('group count');
      const groupCount = header.groups;
      function* groups(): Iterable<CachedGroup> {
        let start = 0;
        for (let end = body.indexOf(0x0a); end >= 0; start = end + 1, end = body.indexOf(0x0a, start)) {
          yield JSON.parse(body.toString('utf8', start, end)) as CachedGroup;
        }
      }
      return { groups: groups(), groupCount };
    } catch {
      this.counts.unreadable++;
      return undefined;
    }
  }

  /** Collects a file's groups as they are parsed; `commit` writes the entry (atomically, best effort). */
  recorder(key: string): CacheRecorder {
    return new CacheRecorder(this, key);
  }

  /** @internal */
  write(key: string, lines: string[]): void {
    const body = lines.length ? `${lines.join('\n')}\n` : '';
    const header = JSON.stringify({ format: CACHE_FORMAT, key, groups: lines.length, sha256: createHash('sha256').update(body).digest('hex') });
    const target = this.pathOf(key);
    const temporary = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(temporary, `${header}\n${body}`);
      // rename(2) replaces atomically: a reader opens the old entry, the new one, or none — never half of one.
      renameSync(temporary, target);
      this.counts.written++;
    } catch {
      try {
        rmSync(temporary, { force: true });
      } catch {
        // The folder itself is unusable (a file in its place, no permission): nothing was left behind.
      }
    }
  }
}

export class CacheRecorder {
  private readonly lines: string[] = [];
  private diagnosticsSeen = 0;

  constructor(
    private readonly cache: ParseCache,
    private readonly key: string,
  ) {}

  /**
   * One group, serialised before the model builder sees it (the builder keeps references to statements it defers).
   * `diagnostics` is the file's list so far: the entries added since the previous group belong to this one.
   */
  add(statements: ParsedStatement[], diagnostics: Diagnostic[], skipped?: ParsedStatement[]): void {
    const added = diagnostics.slice(this.diagnosticsSeen).map(({ file: _file, ...rest }) => rest);
    this.diagnosticsSeen = diagnostics.length;
    if (this.unserialisable) return;
    const group: CachedGroup = { statements, diagnostics: added };
    if (skipped?.length) group.skipped = skipped;
    try {
      this.lines.push(JSON.stringify(group));
    } catch {
      // JSON.stringify recurses once per tree level: a statement thousands of levels deep (test/deep-trees.test.ts)
      // overflows the stack. Such a file is simply not cached.
      this.unserialisable = true;
      this.lines.length = 0;
    }
  }

  private unserialisable = false;

  /** Writes the entry. Diagnostics raised after the last group (none today) would be lost: they go in a last group. */
  commit(diagnostics: Diagnostic[]): void {
    if (diagnostics.length > this.diagnosticsSeen) this.add([], diagnostics);
    if (!this.unserialisable) this.cache.write(this.key, this.lines);
  }
}
