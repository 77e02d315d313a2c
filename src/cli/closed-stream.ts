/**
 * stdout and stderr that may be closed under the run: `schema-lint … | head -1` (EPIPE) or `> /dev/full` (ENOSPC).
 * Node reports a failed write as an 'error' event, and an unhandled one prints a stack and exits 1 even with
 * `--fail-on never`. A reader that went away wants no more output: the run finishes quietly and keeps the exit code
 * it would have had. Any error on these streams is treated so — there is nowhere left to report it.
 */
export interface OutputStream {
  write(text: string): void;
  isTTY?: boolean;
  /** A terminal's width (the text report fits its finding lines to it). */
  columns?: number;
}

export function tolerateClosed(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }): OutputStream {
  let closed = false;
  stream.on('error', () => {
    closed = true;
  });
  return {
    get isTTY() {
      return stream.isTTY;
    },
    // Read at each use: a resized terminal reports its new width.
    get columns() {
      return stream.columns;
    },
    write(text: string): void {
      if (closed) return;
      try {
        stream.write(text);
      } catch {
        // A synchronous write (a file, /dev/full) can throw before the stream turns it into an 'error' event.
        closed = true;
      }
    },
  };
}
