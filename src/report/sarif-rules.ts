/**
 * SARIF `reportingDescriptor`s for the enabled rules. GitHub shows `help.markdown` on every alert and uses
 * `shortDescription` / `fullDescription` as rule titles, so each of them must be non-empty and within GitHub's limits
 * (research/sarif.md §1).
 */
import type { AnyRule, RuleExample, Severity } from '../engine/types.js';

const MAX_DESCRIPTION = 1024;
const MAX_NAME = 255;
/** GitHub shows 10 tags and rejects the file above 20. */
const MAX_TAGS = 10;

const PROBLEM_SEVERITY: Record<Severity, 'error' | 'warning' | 'recommendation'> = {
  error: 'error',
  warning: 'warning',
  note: 'recommendation',
};

/** Cuts at a word boundary when possible, so a title never ends mid-word. */
export function clip(text: string, max: number): string {
  const trimmed = text.trim();
  if (trimmed.length <= max) return trimmed;
  const head = trimmed.slice(0, max - 1);
  const lastSpace = head.lastIndexOf(' ');
  return `${lastSpace > max / 2 ? head.slice(0, lastSpace) : head}…`;
}

/** Markdown → readable plain text, paragraphs kept: drops emphasis, code ticks, fences and link targets. */
function stripMarkdown(markdown: string): string {
  return markdown
    .replace(/^```.*$/gm, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\*\*|`/g, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** One line of plain text, for the descriptions GitHub uses as titles. */
function oneLine(markdown: string): string {
  return stripMarkdown(markdown).replace(/\s+/g, ' ');
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split(/\r?\n/)
    .map((line) => (line ? `    ${line}` : ''))
    .join('\n');
}

function examplesText(label: string, examples: RuleExample[]): string[] {
  return examples.map((example) => `${label}: ${example.title}\n\n${indent(example.sql)}`);
}

function examplesMarkdown(heading: string, examples: RuleExample[]): string[] {
  if (examples.length === 0) return [];
  const blocks = examples.map((example) => `${example.title}\n\n\`\`\`sql\n${example.sql.trimEnd()}\n\`\`\``);
  return [`## ${heading}`, ...blocks];
}

function helpText(rule: AnyRule): string {
  const { docs } = rule;
  const parts = [
    stripMarkdown(docs.summary),
    stripMarkdown(docs.description),
    ...examplesText('Bad', docs.bad),
    ...examplesText('Good', docs.good),
    docs.fix ? `Fix: ${stripMarkdown(docs.fix)}` : '',
  ];
  return parts.map((part) => part.trim()).filter(Boolean).join('\n\n') || rule.name || rule.id;
}

function helpMarkdown(rule: AnyRule): string {
  const { docs } = rule;
  const parts = [
    docs.summary ? `**${docs.summary.trim()}**` : '',
    docs.description,
    ...examplesMarkdown('Bad', docs.bad),
    ...examplesMarkdown('Good', docs.good),
    docs.fix ? `## Fix\n\n${docs.fix.trim()}` : '',
  ];
  return parts.map((part) => part.trim()).filter(Boolean).join('\n\n') || rule.name || rule.id;
}

export function sarifRule(rule: AnyRule): Record<string, unknown> {
  const short = clip(oneLine(rule.docs.summary) || rule.name || rule.id, MAX_DESCRIPTION);
  const full = clip(oneLine(rule.docs.description) || short, MAX_DESCRIPTION);
  const tags = [...new Set(rule.tags.map((tag) => tag.trim()).filter(Boolean))].slice(0, MAX_TAGS);
  const name = clip(rule.name, MAX_NAME);
  return {
    id: rule.id,
    // SARIF wants `name` to differ from the opaque `id` (multitool SARIF1001), so a name equal to it is left out.
    ...(name && name !== rule.id ? { name } : {}),
    shortDescription: { text: short },
    fullDescription: { text: full },
    ...(rule.docs.url ? { helpUri: rule.docs.url } : {}),
    help: { text: helpText(rule), markdown: helpMarkdown(rule) },
    defaultConfiguration: { level: rule.defaultSeverity },
    properties: {
      precision: rule.precision,
      'problem.severity': PROBLEM_SEVERITY[rule.defaultSeverity],
      tags,
    },
  };
}
