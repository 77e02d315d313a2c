/**
 * Paths as GitHub wants them: relative to the git repository root, `/`-separated, symlinks resolved. GitHub matches
 * results to files by this path, so a path relative to the cwd (when run from a subdirectory) or through a
 * symlink would point at nothing.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';

function realOrResolved(absPath: string): string {
  try {
    return realpathSync.native(absPath);
  } catch {
    // A file that does not exist (a test double, a deleted file) keeps its lexical path.
    return absPath;
  }
}

/** The absolute path of `file` (as given on the command line: relative to `cwd`, or absolute). */
export function absoluteFilePath(file: string, cwd: string): string {
  return path.resolve(cwd, file);
}

/**
 * `file` relative to `repoRoot` as `/`-separated segments, or undefined when it lies outside the repository (GitHub
 * cannot show such a file, and `..` is not allowed in a SARIF location).
 */
export function repoRelativeSegments(file: string, cwd: string, repoRoot: string): string[] | undefined {
  const absolute = realOrResolved(absoluteFilePath(file, cwd));
  const root = realOrResolved(path.resolve(repoRoot));
  const relative = path.relative(root, absolute);
  if (relative === '' || path.isAbsolute(relative)) return undefined;
  const segments = relative.split(path.sep);
  if (segments[0] === '..') return undefined;
  return segments;
}

/** The repository-relative path for display (GitHub annotations take a plain path). */
export function repoRelativePath(file: string, cwd: string, repoRoot: string): string | undefined {
  return repoRelativeSegments(file, cwd, repoRoot)?.join('/');
}

/**
 * A relative URI reference from path segments: each segment percent-encoded (spaces, `%`, `#`, `?`, `:`, non-ASCII,
 * and `/` inside a quoted identifier), and `.` / `..` segments escaped so they cannot climb out of the root.
 */
export function encodeUriSegments(segments: string[]): string {
  return segments
    .map((segment) => {
      if (segment === '.' || segment === '..') return segment.replace(/\./g, '%2E');
      return encodeURIComponent(segment);
    })
    .join('/');
}

/** The git repository root above `cwd` (SARIF paths are relative to it), else `cwd`. */
export function findRepoRoot(cwd: string): string {
  let dir = path.resolve(cwd);
  for (;;) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(cwd);
    dir = parent;
  }
}

/** Reads each file once (SARIF line hashes read the same file for every finding in it). */
export function cachedReader(): (file: string) => string | undefined {
  const cache = new Map<string, string | undefined>();
  return (file) => {
    if (!cache.has(file)) {
      try {
        cache.set(file, readFileSync(file, 'utf8'));
      } catch {
        cache.set(file, undefined);
      }
    }
    return cache.get(file);
  };
}
