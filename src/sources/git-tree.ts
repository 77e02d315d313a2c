/**
 * Reads SQL files as they were at a git revision, for `--changed-since`: the file list from `git ls-tree`, the
 * contents through one `git cat-file --batch` process (one spawn per file costs seconds on a long migration history).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import picomatch from 'picomatch';
import { InputError } from './ddl/collect-files.js';
import { naturalCompare, orderMigrationFolder, type MigrationLayout, type TreeReader } from './ddl/migration-layout.js';

const SHALLOW_HINT =
  'in a shallow CI checkout fetch it first (actions/checkout with fetch-depth: 0, or `git fetch --depth=1 origin <ref>`)';

function git(cwd: string, args: string[], input?: string): { ok: boolean; stdout: Buffer; stderr: string } {
  const result = spawnSync('git', args, { cwd, input, maxBuffer: 1024 * 1024 * 1024 });
  if (result.error) throw new InputError(`--changed-since: cannot run git (${(result.error as NodeJS.ErrnoException).code ?? result.error.message})`);
  return { ok: result.status === 0, stdout: result.stdout, stderr: result.stderr.toString('utf8').trim() };
}

export interface GitRevision {
  root: string;
  /** The commit `--changed-since` names, resolved. */
  commit: string;
  /** Where the change starts: the merge base of the commit and HEAD, or the commit itself when history is too shallow. */
  base: string;
  /** Set when the merge base could not be found (shallow history). */
  warning?: string;
}

export function resolveRevision(cwd: string, ref: string): GitRevision {
  const top = git(cwd, ['rev-parse', '--show-toplevel']);
  if (!top.ok) throw new InputError(`--changed-since ${ref}: ${cwd} is not inside a git repository`);
  const root = top.stdout.toString('utf8').trim();
  const commit = git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (!commit.ok) throw new InputError(`--changed-since ${ref}: no such commit in this repository; ${SHALLOW_HINT}`);
  const sha = commit.stdout.toString('utf8').trim();
  const mergeBase = git(root, ['merge-base', sha, 'HEAD']);
  if (mergeBase.ok) return { root, commit: sha, base: mergeBase.stdout.toString('utf8').trim() };
  return {
    root,
    commit: sha,
    base: sha,
    warning: `--changed-since ${ref}: no merge base with HEAD in the fetched history; comparing with ${ref} itself (fetch more history if the branch is behind it)`,
  };
}

/** Files (repository-relative, `/`-separated) that differ between the base and the working tree, untracked ones included. */
export function changedFiles(revision: GitRevision): Set<string> {
  const diff = git(revision.root, ['diff', '--name-only', '-z', '--no-renames', revision.base, '--']);
  if (!diff.ok) throw new InputError(`--changed-since: git diff failed: ${diff.stderr}`);
  const untracked = git(revision.root, ['ls-files', '--others', '--exclude-standard', '-z']);
  const names = [...diff.stdout.toString('utf8').split('\0'), ...(untracked.ok ? untracked.stdout.toString('utf8').split('\0') : [])];
  return new Set(names.filter(Boolean).map((name) => path.resolve(revision.root, name)));
}

/** Every file below `dir` at the revision (repository-relative paths). */
function listTree(revision: GitRevision, dir: string): string[] {
  const listing = git(revision.root, ['ls-tree', '-r', '-z', '--name-only', revision.base, '--', dir === '' ? '.' : dir]);
  if (!listing.ok) return [];
  return listing.stdout.toString('utf8').split('\0').filter(Boolean);
}

/** Contents of many blobs in one `git cat-file --batch` run. */
function readBlobs(revision: GitRevision, files: string[]): Map<string, string> {
  const result = new Map<string, string>();
  if (files.length === 0) return result;
  const out = git(revision.root, ['cat-file', '--batch'], files.map((file) => `${revision.base}:${file}`).join('\n') + '\n');
  if (!out.ok) throw new InputError(`--changed-since: git cat-file failed: ${out.stderr}`);
  const bytes = out.stdout;
  let at = 0;
  for (const file of files) {
    const newline = bytes.indexOf(0x0a, at);
    const header = bytes.subarray(at, newline).toString('utf8');
    at = newline + 1;
    const match = /^\S+ blob (\d+)$/.exec(header);
    if (!match) continue; // missing, or not a blob
    const size = Number(match[1]);
    result.set(file, bytes.subarray(at, at + size).toString('utf8'));
    at += size + 1;
  }
  return result;
}

/**
 * The SQL files the same command-line paths named at the revision, in the same order and under the same names as
 * `collectSqlFiles` gives for the working tree, with their texts. A path that did not exist then gives nothing.
 */
export function sqlFilesAtRevision(revision: GitRevision, inputs: string[], cwd: string, layout?: MigrationLayout): Array<{ file: string; text: string }> {
  const toRepo = (file: string): string => path.relative(revision.root, path.resolve(cwd, file)).split(path.sep).join('/');
  const fromRepo = (input: string, repoInput: string, repoFile: string): string => (repoFile === repoInput ? input : path.join(input, path.relative(repoInput, repoFile)));
  const ordered: string[] = [];
  const seen = new Set<string>();
  const repoNameOf = new Map<string, string>();
  const add = (file: string, repoFile: string): void => {
    if (seen.has(repoFile)) return;
    seen.add(repoFile);
    ordered.push(file);
    repoNameOf.set(file, repoFile);
  };
  for (const input of inputs) {
    if (/[*?[\]{}]/.test(input)) {
      const isMatch = picomatch(input.replace(/\\/g, '/'));
      const base = input.split(/[\\/]/).findIndex((segment) => /[*?[\]{}]/.test(segment));
      const baseDir = input.split(/[\\/]/).slice(0, base).join('/') || '.';
      const repoBase = toRepo(baseDir);
      const matches = listTree(revision, repoBase)
        .map((repoFile) => ({ repoFile, file: path.join(baseDir, path.relative(repoBase, repoFile)).split(path.sep).join('/') }))
        .filter(({ file }) => isMatch(file))
        .sort((a, b) => naturalCompare(a.file, b.file));
      for (const { repoFile, file } of matches) add(file, repoFile);
      continue;
    }
    const repoInput = toRepo(input);
    const listed = listTree(revision, repoInput);
    if (listed.length === 1 && listed[0] === repoInput) {
      add(input, repoInput);
      continue;
    }
    const sqlFiles = listed
      .filter((repoFile) => repoFile.toLowerCase().endsWith('.sql') && !repoFile.split('/').some((part) => part.startsWith('.') || part === 'node_modules'))
      .map((repoFile) => fromRepo(input, repoInput, repoFile))
      .sort(naturalCompare);
    const blobs = new Map<string, string | undefined>();
    const tree: TreeReader = {
      exists: (file) => listed.includes(toRepo(file)),
      read: (file) => {
        const repoFile = toRepo(file);
        if (!blobs.has(repoFile)) blobs.set(repoFile, readBlobs(revision, [repoFile]).get(repoFile));
        return blobs.get(repoFile);
      },
    };
    for (const file of orderMigrationFolder(input, sqlFiles, layout, tree)) add(file, toRepo(file));
  }
  // Every ordered file was added with its repository name.
  const named = ordered.flatMap((file) => {
    const repoFile = repoNameOf.get(file);
    return repoFile === undefined ? [] : [{ file, repoFile }];
  });
  const texts = readBlobs(revision, named.map((entry) => entry.repoFile));
  return named.flatMap(({ file, repoFile }) => {
    const text = texts.get(repoFile);
    return text === undefined ? [] : [{ file, text }];
  });
}
