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

/**
 * How many array elements one `JSON.stringify` call renders: enough to amortize the call, and few enough that the
 * text (~60 KiB for 32 findings) stays below V8's large-object size (128 KiB) and dies young; larger pieces went to
 * the large-object space and stayed there until a full collection, adding ~20 MiB to a 10 MB dump's peak.
 */
const ITEMS_PER_CALL = 32;

/** Wrapping a batch as `{ "x": [...] }` puts its elements exactly two levels deep, as in the report. */
const WRAPPED_HEAD = '{\n  "x": [\n'.length;
const WRAPPED_TAIL = '\n  ]\n}'.length;

/**
 * Elements of a top-level array, byte for byte as `JSON.stringify(report, null, 2)` writes them. Each batch of
 * elements is one `JSON.stringify` of a wrapper at the elements' depth, cut to the elements: the engine indents them
 * itself, where re-indenting each element's text with a regular expression took most of a big report's render time.
 */
function* arrayMember(name: string, items: readonly unknown[], last: boolean): Generator<string> {
  const end = last ? '\n' : ',\n';
  if (items.length === 0) {
    yield `  "${name}": []${end}`;
    return;
  }
  yield `  "${name}": [\n`;
  for (let start = 0; start < items.length; start += ITEMS_PER_CALL) {
    const batch = items.slice(start, start + ITEMS_PER_CALL);
    const wrapped = JSON.stringify({ x: batch }, null, 2);
    const more = start + ITEMS_PER_CALL < items.length;
    yield `${wrapped.slice(WRAPPED_HEAD, wrapped.length - WRAPPED_TAIL)}${more ? ',\n' : '\n'}`;
  }
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
