/**
 * Runs the built CLI (`bin/schema-lint.js` → `dist/`) as a child process, as a user or a CI job would: own cwd, own
 * environment, stdout and stderr captured separately. Tests of the CLI go through here rather than calling `main()`
 * so that argument parsing, exit codes, stream handling and the launcher itself are exercised.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { allRules } from '../../rules/index.js';
import { repoRoot } from './fixtures.js';

export const cliPath = path.join(repoRoot, 'bin', 'schema-lint.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  /** Added to a clean environment (no inherited PG* or NO_COLOR settings that would change what the CLI does). */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

/** Only what a process needs to start; everything the CLI reads from the environment is left to the test. */
function baseEnv(): NodeJS.ProcessEnv {
  // XDG_CACHE_HOME: the test file's own parse cache folder (cache-home.ts), never the user's.
  const keep = ['PATH', 'HOME', 'LANG', 'TMPDIR', 'SYSTEMROOT', 'XDG_CACHE_HOME'];
  return Object.fromEntries(keep.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]]));
}

export function assertBuilt(): void {
  if (!existsSync(path.join(repoRoot, 'dist', 'src', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npx tsc -p tsconfig.json` before the CLI tests');
  }
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  assertBuilt();
  const env = { ...baseEnv(), ...options.env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) Reflect.deleteProperty(env, name);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [cliPath, ...args],
      { cwd: options.cwd ?? repoRoot, env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`schema-lint ${args.join(' ')} did not exit normally (${error.code ?? error.signal ?? error.message}): ${stderr}`));
          return;
        }
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

/**
 * `--rule <id>=off` for every registered rule not in `keep`, so a test about one rule stays exact as more rules are
 * registered. Append it after the other arguments: `--rule` takes several values, so a path after it would be eaten.
 */
export function onlyRules(keep: string[]): string[] {
  const off = allRules.filter((rule) => !keep.includes(rule.id)).flatMap((rule) => ['--rule', `${rule.id}=off`]);
  // An opt-in rule asked for by name runs at its default level.
  const on = allRules.filter((rule) => keep.includes(rule.id) && rule.optIn).flatMap((rule) => ['--rule', `${rule.id}=${rule.defaultSeverity}`]);
  return [...off, ...on];
}

/** A fresh folder under the system temp dir (no schema-lint.config.json above it, unlike the repository). */
export function tempDir(prefix = 'schema-lint-cli-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Writes files (relative path → text) under `dir`, creating folders; returns `dir`. */
export function writeTree(dir: string, files: Record<string, string>): string {
  for (const [relative, text] of Object.entries(files)) {
    const full = path.join(dir, relative);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return dir;
}

export interface JsonReport {
  version: number;
  tool: { name: string; version: string };
  findings: Array<{
    ruleId: string;
    severity: string;
    message: string;
    key: string;
    object: Record<string, string | undefined>;
    origin: { kind: string; file?: string; line?: number; column?: number; database?: string; object?: string };
    fix?: { sql: string; safety: string; concurrently?: boolean; notes: string[] };
  }>;
  diagnostics: Array<{ file: string; line: number; column: number; kind: string; message: string }>;
  summary: Record<string, unknown> & { findings: number; byRule: Record<string, number>; withFix: number; filesLinted: number; baselined?: number; fixedSinceBaseline?: number; suppressed?: number };
}

/** Parses a `--format json` report, failing with the CLI's stderr when stdout is not one. */
export function parseJsonReport(result: CliResult): JsonReport {
  try {
    return JSON.parse(result.stdout) as JsonReport;
  } catch {
    throw new Error(`expected a JSON report on stdout (exit ${result.code}); stdout: ${result.stdout.slice(0, 500)}; stderr: ${result.stderr}`);
  }
}

/** Ids of the rules the built CLI registers, in its order. */
export async function registeredRuleIds(): Promise<string[]> {
  const result = await runCli(['rules', '--format', 'json']);
  if (result.code !== 0) throw new Error(`schema-lint rules failed: ${result.stderr}`);
  return (JSON.parse(result.stdout) as Array<{ id: string }>).map((rule) => rule.id);
}
