/** Hand-made findings, rules and git repositories for the SARIF and GitHub reporter tests. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AnyRule, Finding, FindingObject, Severity } from '../../src/engine/types.js';
import type { Origin } from '../../src/model/types.js';

export function fakeRule(id: string, overrides: Partial<AnyRule> = {}): AnyRule {
  return {
    id,
    name: id.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase()),
    defaultSeverity: 'warning',
    precision: 'high',
    tags: ['performance', 'postgresql'],
    docs: {
      summary: `Summary of ${id}.`,
      description: `Why **${id}** matters: a \`foreign key\` without an index makes deletes scan the child table.`,
      bad: [{ title: 'Unindexed foreign key', sql: 'CREATE TABLE c (p int REFERENCES p);' }],
      good: [{ title: 'Indexed foreign key', sql: 'CREATE TABLE c (p int REFERENCES p);\nCREATE INDEX ON c (p);' }],
      fix: 'Create the index `CONCURRENTLY`.',
    },
    optionsSchema: { type: 'object' },
    defaultOptions: {},
    check: () => [],
    ...overrides,
  };
}

export function fileOrigin(file: string, line: number, column = 1, endColumn = column + 5, endLine = line): Origin {
  return { kind: 'file', file, line, column, endLine, endColumn };
}

export function dbOrigin(database = 'db.internal.example:5432/app', object = 'table public.orders'): Origin {
  return { kind: 'database', database, object };
}

export function finding(
  ruleId: string,
  origin: Origin,
  object: Partial<FindingObject> = {},
  severity: Severity = 'warning',
): Finding {
  const obj: FindingObject = { kind: 'table', schema: 'public', name: 'orders', ...object };
  const detail = obj.column ?? obj.detail;
  return {
    ruleId,
    severity,
    title: `${obj.schema}.${obj.name}: breaks ${ruleId}`,
    message: `Table "${obj.schema}.${obj.name}" breaks ${ruleId}.`,
    object: obj,
    origin,
    key: `${ruleId}/${obj.schema}.${obj.name}${detail === undefined ? '' : `/${detail}`}`,
  };
}

/** A fresh `git init` repository in a temp dir (realpath: macOS temp dirs sit behind a symlink). */
export function tempGitRepo(): string {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'schema-lint-sarif-')));
  execFileSync('git', ['init', '-q', root]);
  return root;
}

export function writeRepoFile(root: string, relative: string, text: string): string {
  const absolute = path.join(root, relative);
  mkdirSync(path.dirname(absolute), { recursive: true });
  writeFileSync(absolute, text, 'utf8');
  return absolute;
}
