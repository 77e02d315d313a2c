import type { Finding } from '../engine/types.js';
import type { Diagnostic } from '../shared/diagnostic.js';
import { joined } from './chunks.js';
import type { Summary } from './summary.js';

export interface JsonReportInput {
  toolVersion: string;
  findings: Finding[];
  diagnostics: Diagnostic[];
  summary: Summary;
}

/** `JSON.stringify(value, null, 2)` of a value that sits `depth` levels deep in the document, indented to match. */
function nested(value: unknown, depth: number): string {
  // Strings in JSON never hold a raw line break, so every line break is one of the layout's.
  return JSON.stringify(value, null, 2).replace(/\n/g, `\n${'  '.repeat(depth)}`);
}

/** Elements of a top-level array, byte for byte as `JSON.stringify(report, null, 2)` writes them. */
function* arrayMember(name: string, items: readonly unknown[], last: boolean): Generator<string> {
  const end = last ? '\n' : ',\n';
  if (items.length === 0) {
    yield `  "${name}": []${end}`;
    return;
  }
  yield `  "${name}": [\n`;
  for (let i = 0; i < items.length; i++) yield `    ${nested(items[i], 2)}${i < items.length - 1 ? ',\n' : '\n'}`;
  yield `  ]${end}`;
}

/**
 * The JSON report (README documents the shape): one flat findings array, each finding once. Yielded finding by
 * finding; the text is exactly `JSON.stringify(report, null, 2)` plus a newline.
 */
export function* jsonReport(input: JsonReportInput): Generator<string> {
  yield `{\n  "version": 1,\n  "tool": ${nested({ name: 'schema-lint', version: input.toolVersion }, 1)},\n`;
  yield* arrayMember('findings', input.findings, false);
  yield* arrayMember('diagnostics', input.diagnostics, false);
  yield `  "summary": ${nested(input.summary, 1)}\n}\n`;
}

export function renderJson(input: JsonReportInput): string {
  return joined(jsonReport(input));
}
