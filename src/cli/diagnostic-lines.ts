/**
 * Diagnostics on stderr: one line each (`file:line:column: kind: message`), and at most a few syntax errors. A
 * mutated or binary file can hold hundreds of them, and after the first few they are noise that buries the
 * summary line; the first ones are the ones to fix.
 */
import { escapeControl } from '../shared/unsafe-text.js';
import type { Diagnostic } from '../shared/diagnostic.js';

const ALWAYS_SHOWN = new Set<Diagnostic['kind']>(['syntax', 'suppression', 'rejected', 'session']);

/** Syntax errors printed with their place; the rest are counted. */
export const MAX_SYNTAX_LINES = 5;

/** Every line terminator a terminal or an editor honours. */
const LINE_BREAK = /\r\n|[\n\r\v\f\u0085\u2028\u2029]/;

/** The parser quotes the rest of the input after `at or near`: an unterminated comment quotes the whole file. */
const NEAR_TEXT = 40;

/** PostgreSQL's message on one line: the quoted `at or near "…"` text cut at its first line break or 40 characters. */
export function oneLineMessage(message: string): string {
  const near = / at or near "([\s\S]*)"$/.exec(message);
  let text = message;
  if (near) {
    const first = near[1].split(LINE_BREAK)[0];
    const cut = first.length > NEAR_TEXT ? first.slice(0, NEAR_TEXT) : first;
    text = `${message.slice(0, near.index)} at or near "${cut}${cut.length < near[1].length ? '…' : ''}"`;
  }
  return text.split(LINE_BREAK).join(' ');
}

export function diagnosticLines(diagnostics: Diagnostic[], verbose: boolean): string[] {
  const lines: string[] = [];
  const shown = new Map<Diagnostic['kind'], number>();
  const hidden = new Map<Diagnostic['kind'], number>();
  for (const diagnostic of diagnostics) {
    // Always shown: syntax errors, suppression problems (a misspelt rule id silently suppresses nothing), statements
    // PostgreSQL would reject, and objects that landed where only the session setting explains.
    if (!ALWAYS_SHOWN.has(diagnostic.kind) && !verbose) continue;
    // The first few of a kind are the ones to act on; the rest are counted (syntax errors always, the others unless
    // --verbose asks for every line).
    const limited = diagnostic.kind === 'syntax' || !verbose;
    if (limited && (shown.get(diagnostic.kind) ?? 0) >= MAX_SYNTAX_LINES) {
      hidden.set(diagnostic.kind, (hidden.get(diagnostic.kind) ?? 0) + 1);
      continue;
    }
    shown.set(diagnostic.kind, (shown.get(diagnostic.kind) ?? 0) + 1);
    const kind = diagnostic.kind === 'syntax' ? 'syntax error' : diagnostic.kind;
    // Paths and quoted SQL may hold control characters a terminal would obey: shown escaped.
    lines.push(escapeControl(`${diagnostic.file}:${diagnostic.line}:${diagnostic.column}: ${kind}: ${oneLineMessage(diagnostic.message)}`));
  }
  for (const [kind, count] of hidden) {
    const what = kind === 'syntax' ? `syntax error${count === 1 ? '' : 's'}` : `${kind} diagnostic${count === 1 ? '' : 's'} (--verbose shows them)`;
    lines.push(`schema-lint: … and ${count} more ${what}`);
  }
  return lines;
}

export function printDiagnostics(diagnostics: Diagnostic[], io: { stderr: { write(text: string): void } }, verbose: boolean): void {
  for (const line of diagnosticLines(diagnostics, verbose)) io.stderr.write(`${line}\n`);
}
