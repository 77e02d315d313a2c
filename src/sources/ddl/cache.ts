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
 * One file per entry, `<dir>/<2 hex>/<sha256>.ndjson`: one JSON line per group, then a trailer line (format, key,
 * group count, a SHA-256 of the lines before it). Groups are written to a temporary file as they are parsed (a big
 * dump's serialised trees are never all in memory at once), and the file is renamed into place when complete, so a
 * concurrent run sees a whole entry or none; two runs writing the same key write the same bytes. An entry that
 * cannot be read, is cut short, or does not match its checksum is ignored (the file is parsed again), never an
 * error: the cache only ever saves time. Writing is best effort for the same reason (a read-only or full disk costs
 * speed, not the run). Nothing evicts old entries yet (a file's entry is ~6× its SQL text).
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Diagnostic } from '../../shared/diagnostic.js';
import type { ParsedStatement } from './parse-file.js';

/** Bump when what parse-file.ts produces for a text changes (grouping, skipped statement kinds, tree trimming). */
export const CACHE_FORMAT = 3;

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
      if (buffer.length === 0 || buffer[buffer.length - 1] !== 0x0a) throw new Error('cut short');
      const trailerStart = buffer.lastIndexOf(0x0a, buffer.length - 2) + 1;
      const trailer = JSON.parse(buffer.toString('utf8', trailerStart, buffer.length - 1)) as { format?: number; key?: string; groups?: number; sha256?: string };
      if (trailer.format !== CACHE_FORMAT || trailer.key !== key || typeof trailer.groups !== 'number') throw new Error('another entry');
      const body = buffer.subarray(0, trailerStart);
      if (createHash('sha256').update(body).digest('hex') !== trailer.sha256) throw new Error('checksum');
      let lines = 0;
      for (let i = body.indexOf(0x0a); i >= 0; i = body.indexOf(0x0a, i + 1)) lines++;
      if (lines !== trailer.groups) throw new Error('group count');
      const groupCount = trailer.groups;
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

  /** Writes a file's groups as they are parsed; `commit` puts the entry in place (atomically, best effort). */
  recorder(key: string): CacheRecorder {
    return new CacheRecorder(this, key, this.pathOf(key));
  }
}

export class CacheRecorder {
  private readonly hash = createHash('sha256');
  private readonly temporary: string;
  private fd: number | undefined;
  private groups = 0;
  private diagnosticsSeen = 0;
  /** Set when the entry cannot be written (no folder, a full disk, a tree too deep to serialise): nothing is cached. */
  private failed = false;

  constructor(
    private readonly cache: ParseCache,
    private readonly key: string,
    private readonly target: string,
  ) {
    this.temporary = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  }

  /**
   * One group, serialised before the model builder sees it (the builder keeps references to statements it defers).
   * `diagnostics` is the file's list so far: the entries added since the previous group belong to this one.
   */
  add(statements: ParsedStatement[], diagnostics: Diagnostic[], skipped?: ParsedStatement[]): void {
    // The file is the entry's own: a replay sets it again.
    const added = diagnostics.slice(this.diagnosticsSeen).map((diagnostic) => withoutFile(diagnostic));
    this.diagnosticsSeen = diagnostics.length;
    if (this.failed) return;
    const group: CachedGroup = { statements, diagnostics: added };
    if (skipped?.length) group.skipped = skipped;
    try {
      // JSON.stringify recurses once per tree level: a statement thousands of levels deep (test/deep-trees.test.ts)
      // overflows the stack, and such a file is simply not cached.
      const line = `${JSON.stringify(group)}\n`;
      if (this.fd === undefined) {
        mkdirSync(path.dirname(this.target), { recursive: true });
        this.fd = openSync(this.temporary, 'wx');
      }
      writeSync(this.fd, line);
      this.hash.update(line);
      this.groups++;
    } catch {
      this.abandon();
    }
  }

  /** Puts the entry in place. Diagnostics raised after the last group (none today) go in a last group. */
  commit(diagnostics: Diagnostic[]): void {
    if (diagnostics.length > this.diagnosticsSeen) this.add([], diagnostics);
    if (this.failed || this.fd === undefined) return this.abandon();
    try {
      writeSync(this.fd, `${JSON.stringify({ format: CACHE_FORMAT, key: this.key, groups: this.groups, sha256: this.hash.digest('hex') })}\n`);
      closeSync(this.fd);
      this.fd = undefined;
      // rename(2) replaces atomically: a reader opens the old entry, the new one, or none — never half of one.
      renameSync(this.temporary, this.target);
      this.cache.counts.written++;
    } catch {
      this.abandon();
    }
  }

  /** Drops a partly written entry (a failed write, or a run that stopped before the file was parsed to its end). */
  abandon(): void {
    this.failed = true;
    try {
      if (this.fd !== undefined) closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = undefined;
    try {
      rmSync(this.temporary, { force: true });
    } catch {
      // The folder itself is unusable (a file in its place, no permission): nothing was left behind.
    }
  }
}

function withoutFile(diagnostic: Diagnostic): Omit<Diagnostic, 'file'> {
  const copy: Partial<Diagnostic> = { ...diagnostic };
  delete copy.file;
  return copy as Omit<Diagnostic, 'file'>;
}
