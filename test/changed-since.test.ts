/**
 * `--changed-since`: on a git repository built here from lemmy's real migration history (base = all but the last
 * ten migrations), the report is exactly the findings of a whole run at HEAD minus those of a whole run at the base,
 * plus the migration-safety findings on the changed files — also in a shallow clone that fetched only the base commit.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { emptyConfig } from '../src/engine/config.js';
import { checkMigrations } from '../src/engine/migration-safety.js';
import { enabledRules } from '../src/engine/run-rules.js';
import { loadParser } from '../src/sql/parser.js';
import { collectSqlFiles } from '../src/sources/ddl/collect-files.js';
import { parseSqlFile } from '../src/sources/ddl/parse-file.js';
import { runnableMigrationText } from '../src/sources/ddl/migration-layout.js';
import { migrationRules } from '../rules/migration/index.js';
import { sharedDir } from './support/corpus.js';
import { parseSarif } from './support/sarif-log.js';
import { assertBuilt, runCli } from './support/run-cli.js';

const lemmy = path.join(sharedDir(), 'corpus', 'lemmy', 'migrations');
const present = existsSync(lemmy);
const NOW = '2026-01-15';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } }).trim();
}

interface Report {
  findings: Array<{ key: string; ruleId: string; origin: { file?: string } }>;
}

async function keysOf(cwd: string, extra: string[] = []): Promise<{ keys: string[]; report: Report; stderr: string }> {
  const result = await runCli(['migrations', '--format', 'json', '--fail-on', 'never', '--now', NOW, ...extra], { cwd, timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`);
  const report = JSON.parse(result.stdout) as Report;
  return { keys: report.findings.map((f) => f.key).sort(), report, stderr: result.stderr };
}

let work: string;
let repo: string;
let baseSha: string;
let changedUp: string[];

beforeAll(async () => {
  if (!present) return;
  assertBuilt();
  await loadParser();
  work = mkdtempSync(path.join(tmpdir(), 'schema-lint-changed-'));
  repo = path.join(work, 'repo');
  mkdirSync(path.join(repo, 'migrations'), { recursive: true });
  const folders = readdirSync(lemmy, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const [older, last10] = [folders.slice(0, -10), folders.slice(-10)];
  git(repo, 'init', '-q', '-b', 'main');
  for (const folder of older) cpSync(path.join(lemmy, folder), path.join(repo, 'migrations', folder), { recursive: true });
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'base');
  baseSha = git(repo, 'rev-parse', 'HEAD');
  for (const folder of last10) cpSync(path.join(lemmy, folder), path.join(repo, 'migrations', folder), { recursive: true });
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'the last ten migrations');
  changedUp = last10.filter((folder) => existsSync(path.join(lemmy, folder, 'up.sql'))).map((folder) => path.join('migrations', folder, 'up.sql'));
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The safety findings of the changed files, straight from the engine step. */
function safetyKeys(cwd: string): string[] {
  const files = collectSqlFiles([path.join(cwd, 'migrations')]).map((file) => path.relative(cwd, file));
  const parsed = files.map((file) => parseSqlFile(file, runnableMigrationText(readFileSync(path.join(cwd, file), 'utf8'))));
  const config = emptyConfig();
  const changed = new Set(changedUp);
  return checkMigrations({ files: parsed, changed: (file) => changed.has(file), rules: enabledRules(migrationRules, config, {}), config })
    .map((f) => f.key)
    .sort();
}

describe('--changed-since on lemmy history', () => {
  if (!present) test.todo(`corpus absent (${lemmy}): --changed-since not checked on lemmy`);
  (present ? test : test.skip)('reports HEAD findings minus base findings, plus the safety findings of the changed files', async () => {
    const head = await keysOf(repo);
    git(repo, 'worktree', 'add', '-q', path.join(work, 'base'), baseSha);
    const base = await keysOf(path.join(work, 'base'));
    const safety = safetyKeys(repo);
    const introduced = head.keys.filter((key) => !base.keys.includes(key));
    const expected = [...new Set([...introduced, ...safety])].sort();

    const changed = await keysOf(repo, ['--changed-since', 'HEAD~1']);
    expect(changed.keys).toEqual(expected);
    // The check means something: the last ten migrations close gaps (indexes for foreign keys), which are not
    // reported, introduce a few (a redundant index), which are, and take locks on existing tables (plain CREATE
    // INDEX, a random() default), which are too.
    expect(changed.keys).toEqual(expect.arrayContaining(introduced));
    expect(base.keys.filter((key) => !head.keys.includes(key)).length).toBeGreaterThan(0);
    expect(safety).toEqual(expect.arrayContaining(['index-without-concurrently/public.post/idx_post_published', 'volatile-default-rewrites/public.local_user.last_donation_notification']));
    expect(head.keys.length).toBeGreaterThan(changed.keys.length);
    const safetyFindings = changed.report.findings.filter((f) => migrationRules.some((r) => r.id === f.ruleId));
    for (const finding of safetyFindings) expect(changedUp).toContain(finding.origin.file);

    // A branch name works as well as a relative ref, and the SARIF and annotation reports of the same run (as the
    // Action writes them) carry the same findings.
    git(repo, 'branch', 'base-branch', baseSha);
    const reports = mkdtempSync(path.join(work, 'reports-'));
    const [sarifFile, githubFile] = [path.join(reports, 'out.sarif'), path.join(reports, 'annotations.txt')];
    const byBranch = await keysOf(repo, ['--changed-since', 'base-branch', '--report', `sarif=${sarifFile}`, '--report', `github=${githubFile}`]);
    expect(byBranch.keys).toEqual(expected);
    expect(parseSarif(readFileSync(sarifFile, 'utf8')).runs[0].results).toHaveLength(expected.length);
    expect(readFileSync(githubFile, 'utf8').trim().split('\n').filter((line) => line.startsWith('::'))).toHaveLength(expected.length);
  }, 300_000);

  (present ? test : test.skip)('works in a shallow clone that fetched the base commit alone; says what to fetch when it is missing', async () => {
    git(repo, 'config', 'uploadpack.allowAnySHA1InWant', 'true');
    const shallow = path.join(work, 'shallow');
    git(work, 'clone', '-q', '--depth', '1', `file://${repo}`, shallow);
    const missing = await runCli(['migrations', '--changed-since', baseSha, '--now', NOW], { cwd: shallow, timeoutMs: 120_000 });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/no such commit.*fetch-depth/);

    git(shallow, 'fetch', '-q', '--depth', '1', 'origin', baseSha);
    const inShallow = await keysOf(shallow, ['--changed-since', baseSha]);
    const full = await keysOf(repo, ['--changed-since', baseSha]);
    expect(inShallow.keys).toEqual(full.keys);
    expect(inShallow.stderr).toMatch(/no merge base/);
  }, 300_000);

  (present ? test : test.skip)('an uncommitted change counts as changed; outside a repository is one clear line', async () => {
    const file = path.join(repo, 'migrations', '9999-01-01-000000_local', 'up.sql');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, 'ALTER TABLE person ADD COLUMN nickname text;\nCREATE TABLE person_note (id int PRIMARY KEY, person_id int REFERENCES person);\n');
    try {
      const { report } = await keysOf(repo, ['--changed-since', 'HEAD']);
      // A gap the change introduces (an unindexed foreign key on its new table) and the lock it takes unguarded. The
    // schema audited nothing before either (one schema-level audit finding at both ends), so nothing new there.
      expect(report.findings.map((f) => f.key).sort()).toEqual([
        'foreign-key-without-index/public.person_note/person_note_person_id_fkey',
        `missing-lock-timeout/public.person/${path.join('migrations', '9999-01-01-000000_local', 'up.sql')}`,
      ]);
    } finally {
      rmSync(path.dirname(file), { recursive: true, force: true });
    }
    const outside = mkdtempSync(path.join(tmpdir(), 'schema-lint-nogit-'));
    writeFileSync(path.join(outside, 'a.sql'), 'CREATE TABLE a (id int);');
    const result = await runCli(['a.sql', '--changed-since', 'main'], { cwd: outside });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^schema-lint: --changed-since main: .* is not inside a git repository\n$/);
    rmSync(outside, { recursive: true, force: true });
  }, 300_000);
});
