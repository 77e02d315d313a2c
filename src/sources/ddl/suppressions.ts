/**
 * Inline suppression comments:
 *   -- schema-lint-disable-next-line <rule>[, <rule>] [-- reason]   the next statement (when a statement starts on
 *                                                                  the next line) or else the next line alone
 *   -- schema-lint-disable <rule>[, <rule>] [-- reason]             the rest of the file
 * Without a rule list, every rule is meant.
 */
import { scanTokens } from '../../sql/parser.js';
import type { Suppression } from '../../shared/suppression.js';
import type { ParsedFile } from './parse-file.js';

export type { Suppression } from '../../shared/suppression.js';

const DIRECTIVE = /^--\s*schema-lint-(disable-next-line|disable)\b\s*(.*)$/;

interface Comment {
  text: string;
  start: number;
}

function lineComments(file: ParsedFile): Comment[] {
  const tokens = scanTokens(file.source.text);
  if (tokens) return tokens.filter((t) => t.tokenName === 'SQL_COMMENT').map((t) => ({ text: t.text, start: t.start }));
  // The scanner failed (an unterminated quote): fall back to whole-line comments.
  const comments: Comment[] = [];
  let offset = 0;
  for (const line of file.source.text.split('\n')) {
    const index = line.indexOf('--');
    if (index >= 0 && line.slice(0, index).trim() === '') comments.push({ text: line.slice(index), start: offset + Buffer.byteLength(line.slice(0, index)) });
    offset += Buffer.byteLength(line) + 1;
  }
  return comments;
}

export function parseSuppressions(file: ParsedFile): Suppression[] {
  if (!file.source.text.includes('schema-lint-disable')) return [];
  const lines = file.source.text.split('\n');
  const totalLines = lines.length;
  const result: Suppression[] = [];
  for (const comment of lineComments(file)) {
    const match = DIRECTIVE.exec(comment.text.trim());
    if (!match) continue;
    const [listPart, ...reasonParts] = match[2].split(/\s--\s*|^--\s*/);
    const rules = listPart.split(/[\s,]+/).filter(Boolean);
    const reason = reasonParts.join(' -- ').trim() || undefined;
    const position = file.source.positionOfByte(comment.start);
    let fromLine: number;
    let toLine: number;
    if (match[1] === 'disable') {
      fromLine = position.line;
      toLine = totalLines;
    } else {
      // The next line that holds code (blank and comment-only lines are skipped).
      let next = position.line + 1;
      // `[^\n]*`, not `.*`: a CRLF file's lines end in \r, which `.` does not match.
      while (next <= totalLines && /^\s*(--[^\n]*)?$/.test(lines[next - 1])) next++;
      fromLine = next;
      toLine = next;
      const statement = file.statements.find((s) => file.source.positionOfByte(s.startByte).line === next);
      if (statement) toLine = file.source.positionOfByte(statement.endByte).line;
    }
    result.push({ file: file.file, line: position.line, column: position.column, rules, reason, fromLine, toLine });
  }
  return result;
}
