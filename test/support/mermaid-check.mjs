// Parses Mermaid diagrams with mermaid itself, in Node under jsdom (its parser needs `window` and `document`, not a
// browser). Reads a JSON array of diagram texts on stdin; writes, per diagram, the parse result and (for gantt
// charts) the tasks mermaid's gantt database holds. A child process keeps mermaid's ESM graph out of jest's loader.
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const diagrams = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const pad = (n) => String(n).padStart(2, '0');
// dayjs reads dates in local time: print them back the same way.
const day = (date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
const results = [];
for (const text of diagrams) {
  try {
    const parsed = await mermaid.parse(text);
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    const tasks = parsed.diagramType === 'gantt'
      ? diagram.db.getTasks().map((t) => ({ name: t.task.trim(), start: day(t.startTime), end: day(t.endTime), crit: Boolean(t.crit), milestone: Boolean(t.milestone), done: Boolean(t.done) }))
      : [];
    results.push({ ok: true, type: parsed.diagramType, tasks });
  } catch (error) {
    results.push({ ok: false, error: String(error.message ?? error).split('\n').slice(0, 3).join(' ') });
  }
}
process.stdout.write(JSON.stringify(results));
