import { test } from '@jest/globals';
import { writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { missingAuditTrigger } from '../../rules/missing-audit-trigger.js';
import { emptyConfig, resolveRuleOptions } from '../../src/engine/config.js';
import { runRules } from '../../src/engine/run-rules.js';
import { loadFixtureCases } from '../support/fixtures.js';
import { ddlModel } from '../support/lint.js';
import { collectSqlFiles } from '../../src/sources/ddl/collect-files.js';

const lint = (model: any, options?: any) => runRules(model, [{ rule: missingAuditTrigger, severity: 'warning', options: resolveRuleOptions(missingAuditTrigger, options, 't') }], emptyConfig(), { now: new Date(), live: false });

test('dump fixes', async () => {
  for (const c of loadFixtureCases('missing-audit-trigger')) {
    const f = lint((await ddlModel(c.files)).model, c.options);
    writeFileSync(`/tmp/mat_fix_${c.name}.sql`, f.map((x) => x.fix!.sql).join('\n') + '\n');
    if (['no-audit-function', 'second-quadrant', 'partial-events'].includes(c.name)) console.log(c.name + '\n' + f.map((x) => `${x.key} ${x.severity}\n${x.message}\n${x.fix!.safety}: ${x.fix!.sql}\nnotes: ${x.fix!.notes.join(' | ')}`).join('\n\n'));
  }
});

function corpusFiles(entry: string): Array<{ file: string; text: string }> {
  const root = `/work/shared/corpus/${entry}`;
  let files: string[];
  try {
    const order = readFileSync(path.join(root, '_load_order.txt'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    files = order.map((l) => path.join(root, l));
  } catch { files = collectSqlFiles([root]); }
  const out = files.map((file) => ({ file, text: readFileSync(file, 'utf8') }));
  if (entry === 'lemmy') {
    const i = out.findIndex((f) => f.file.endsWith('replaceable_schema/utils.sql'));
    out.splice(i, 0, { file: 'r.sql', text: 'CREATE SCHEMA r;\n' });
  }
  return out;
}

test('corpus', async () => {
  const lines: string[] = [];
  const seed = lint((await ddlModel([{ file: '/work/shared/seed/dba-review.sql', text: readFileSync('/work/shared/seed/dba-review.sql', 'utf8') }])).model);
  lines.push(`seed: ${seed.length}`, ...seed.map((f) => `  ${f.key} ${f.fix?.safety} | ${f.message}`));
  for (const entry of ['audit-trigger', 'lemmy', 'hatchet', 'pagila', 'adventureworks']) {
    const { model } = await ddlModel(corpusFiles(entry));
    const f = lint(model);
    const tables = [...model.tables.values()].filter((t) => !t.partitionOf).length;
    lines.push(`${entry}: ${f.length} findings / ${tables} logical-ish tables; functions ${model.functions.size}`);
    const safety = f.reduce((acc: any, x) => ((acc[x.fix?.safety ?? 'none'] = (acc[x.fix?.safety ?? 'none'] ?? 0) + 1), acc), {});
    lines.push('  safety ' + JSON.stringify(safety));
    for (const x of f.slice(0, 400)) lines.push(`  ${x.key} | ${x.message.slice(0, 220)}`);
    if (f[0]) lines.push('  sample fix: ' + f[0].fix!.sql.split('\n').slice(-1)[0]);
  }
  writeFileSync('/tmp/mat_corpus.txt', lines.join('\n'));
});
