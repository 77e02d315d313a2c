/**
 * Reports rendered as a sequence of text pieces instead of one string. A 50 MB dump has ~190,000 findings: as one
 * JSON string its report was ~300 M characters (two bytes each, because of `…`/`—` in the messages), plus the UTF-8
 * copy written out — more memory than the whole schema model. Renderers yield pieces; writers (output-files.ts, the
 * CLI's stdout) take them in batches, so the report never exists whole in memory.
 */

/** A rendered report: a whole string, or its pieces in order (an iterable is read once). */
export type RenderedText = string | Iterable<string>;

/**
 * About 32 K characters per write (64 KiB at most): few system calls, and each batch and its UTF-8 copy stay below
 * V8's large-object size, so they are collected young instead of piling up until a full collection.
 */
const BATCH_CHARS = 1 << 15;

/** The pieces joined into batches of about `size` characters (a single larger piece stays whole). */
export function* batched(text: RenderedText, size = BATCH_CHARS): Generator<string> {
  if (typeof text === 'string') {
    if (text.length) yield text;
    return;
  }
  let parts: string[] = [];
  let length = 0;
  for (const part of text) {
    parts.push(part);
    length += part.length;
    if (length >= size) {
      yield parts.join('');
      parts = [];
      length = 0;
    }
  }
  if (length) yield parts.join('');
}

/** The whole text (the Node API and tests want strings). */
export function joined(text: RenderedText): string {
  return typeof text === 'string' ? text : [...text].join('');
}
