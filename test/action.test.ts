/**
 * The GitHub Action: action.yml parses as YAML (GitHub refuses the whole action otherwise), and its lint step, run
 * with bash as the runner would (inputs as environment variables, GITHUB_STEP_SUMMARY set), lints a pull request in
 * a shallow clone: it fetches the base commit itself, annotates, writes the SARIF, the fix script and the summary.
 * The step runs the committed bundle from a copy of the action that has nothing else (no node_modules, no dist/), as
 * a runner's checkout of the action has; the committed bundle must be the one the current sources build.
 */
import { describe, expect, test } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from './support/fixtures.js';
import { parseSarif } from './support/sarif-log.js';
import { assertBuilt } from './support/run-cli.js';

interface ActionFile {
  inputs: Record<string, { default?: string }>;
  runs: { steps: Array<{ name?: string; run?: string; env?: Record<string, string> }> };
}

const action = parse(readFileSync(path.join(repoRoot, 'action.yml'), 'utf8')) as ActionFile;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } }).trim();
}

describe('action.yml', () => {
  test('installs nothing: the lint step runs the committed bundle', () => {
    const commands = action.runs.steps.flatMap((step) => (step.run ?? '').split('\n')).filter((line) => !/^\s*#/.test(line));
    expect(commands.join('\n')).not.toMatch(/\bnpm\b|\bnpx\b/);
    expect(action.runs.steps.find((s) => s.name === 'Lint')?.run).toContain('$GITHUB_ACTION_PATH/action/dist/schema-lint.mjs');
  });

  test('the committed bundle is the one the sources build (npm run build:action)', () => {
    assertBuilt();
    const fresh = mkdtempSync(path.join(tmpdir(), 'schema-lint-action-bundle-'));
    try {
      execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'bundle-action.mjs'), fresh]);
      const committed = path.join(repoRoot, 'action', 'dist');
      expect(readdirSync(committed).sort()).toEqual(readdirSync(fresh).sort());
      for (const file of readdirSync(fresh)) {
        const same = readFileSync(path.join(fresh, file)).equals(readFileSync(path.join(committed, file)));
        if (!same) throw new Error(`action/dist/${file} is stale: run npm run build:action and commit action/dist`);
      }
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  }, 120_000);

  test('pull-request mode and the step summary are on by default; the example checks out the base commit too', () => {
    expect(action.inputs['changed-since'].default).toBe('${{ github.event.pull_request.base.sha }}');
    expect(action.inputs['step-summary'].default).toBe('true');
    const example = parse(readFileSync(path.join(repoRoot, 'examples/schema-lint.yml'), 'utf8')) as { jobs: { lint: { steps: Array<{ uses?: string; with?: Record<string, unknown> }> } } };
    expect(example.jobs.lint.steps.find((step) => step.uses?.startsWith('actions/checkout'))?.with?.['fetch-depth']).toBe(2);
  });

  test('the lint step in a shallow clone of a pull request', () => {
    assertBuilt();
    const work = mkdtempSync(path.join(tmpdir(), 'schema-lint-action-'));
    try {
      const origin = path.join(work, 'origin');
      mkdirSync(path.join(origin, 'db'), { recursive: true });
      git(origin, 'init', '-q', '-b', 'main');
      git(origin, 'config', 'uploadpack.allowAnySHA1InWant', 'true');
      writeFileSync(path.join(origin, 'db', '1_orders.sql'), 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, doc jsonb);\n');
      git(origin, 'add', '-A');
      git(origin, 'commit', '-q', '-m', 'base');
      const base = git(origin, 'rev-parse', 'HEAD');
      writeFileSync(path.join(origin, 'db', '2_index.sql'), 'CREATE INDEX orders_customer_id_idx ON orders (customer_id);\n');
      git(origin, 'add', '-A');
      git(origin, 'commit', '-q', '-m', 'index orders');
      const checkout = path.join(work, 'checkout');
      git(work, 'clone', '-q', '--depth', '1', `file://${origin}`, checkout);

      const step = action.runs.steps.find((s) => s.name === 'Lint')!;
      const inputs: Record<string, string> = { paths: 'db', 'db-env': '', 'sarif-file': 'out.sarif', 'fix-sql': 'fix.sql', 'fail-on': 'warning', args: '--rule missing-audit-trigger=off', 'changed-since': base, 'step-summary': 'true' };
      // The step's env block maps inputs to variables: resolve `${{ inputs.x }}` as the runner does.
      const env = Object.fromEntries(Object.entries(step.env!).map(([name, value]) => [name, value.replace(/\$\{\{ inputs\.([\w-]+) \}\}/, (_m, input: string) => inputs[input])]));
      const summary = path.join(work, 'summary.md');
      // What a runner downloads for `uses: schema-lint/schema-lint@v1`, minus everything the step must not need.
      const actionCopy = path.join(work, 'action-checkout');
      mkdirSync(actionCopy);
      cpSync(path.join(repoRoot, 'action.yml'), path.join(actionCopy, 'action.yml'));
      cpSync(path.join(repoRoot, 'action'), path.join(actionCopy, 'action'), { recursive: true });
      const run = spawnSync('bash', ['-e', '-c', step.run!], {
        cwd: checkout,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME, GITHUB_ACTION_PATH: actionCopy, GITHUB_STEP_SUMMARY: summary, ...env },
      });
      // fail-on warning: the unconcurrent index on an existing table fails the step.
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(/^::warning file=db\/2_index\.sql,line=1,col=1,.*title=index-without-concurrently::CREATE INDEX/m);
      const sarif = parseSarif(readFileSync(path.join(checkout, 'out.sarif'), 'utf8'));
      expect(sarif.runs[0].results.map((r) => r.ruleId).sort()).toEqual(['index-without-concurrently', 'missing-lock-timeout']);
      expect(readFileSync(path.join(checkout, 'fix.sql'), 'utf8')).toContain('CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx');
      const page = readFileSync(summary, 'utf8');
      expect(page).toContain(`**2 findings introduced since \`${base}\`**`);
      // The gaps the base already had (the jsonb column) are not the pull request's: not reported.
      expect(page).not.toContain('jsonb-without');
      expect(run.stdout).not.toContain('jsonb-without');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});
