#!/usr/bin/env node
// Writes docs/rules/<id>.md and the README's rule table from the built rules (run `npm run docs`, which builds first).
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { allRules } = await import(path.join(root, 'dist/rules/index.js'));
const { readmeWithRulesTable, ruleDocPage } = await import(path.join(root, 'dist/src/report/rule-docs.js'));

const dir = path.join(root, 'docs/rules');
mkdirSync(dir, { recursive: true });
const pages = new Set(allRules.map((rule) => `${rule.id.replace(/\//g, '--')}.md`));
for (const file of readdirSync(dir)) if (file.endsWith('.md') && !pages.has(file)) rmSync(path.join(dir, file));
for (const rule of allRules) writeFileSync(path.join(dir, `${rule.id}.md`), ruleDocPage(rule));
const readme = path.join(root, 'README.md');
writeFileSync(readme, readmeWithRulesTable(readFileSync(readme, 'utf8'), allRules));
console.log(`docs: ${allRules.length} rule pages in docs/rules, README rule table updated`);
