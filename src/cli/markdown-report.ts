/** Gathers what the markdown report draws besides the findings: the partition timelines at the rule's horizon. */
import type { EnabledRule } from '../engine/run-rules.js';
import type { Finding } from '../engine/types.js';
import type { SchemaModel } from '../model/types.js';
import { renderMarkdown } from '../report/markdown.js';
import type { Summary } from '../report/summary.js';
import { partitionTimelines } from '../../rules/partition-coverage/timeline.js';

export function markdownReport(input: {
  findings: Finding[];
  summary: Summary;
  rules: EnabledRule[];
  version: string;
  model: SchemaModel;
  now: Date;
  changedSince?: string;
}): string {
  const coverage = input.rules.find((enabled) => enabled.rule.id === 'partition-coverage');
  const monthsAhead = (coverage?.options.monthsAhead as number | undefined) ?? 3;
  return renderMarkdown({
    findings: input.findings,
    summary: input.summary,
    toolVersion: input.version,
    changedSince: input.changedSince,
    timelines: partitionTimelines(input.model, input.now, monthsAhead),
  });
}
