import { mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes through a temporary file and a rename, so a reader never sees half a report. A target that exists and is
 * not a regular file (`/dev/null`, `/dev/stdout`, a named pipe) is written directly: renaming over it would replace
 * the device with a file.
 */
export function writeFileAtomic(file: string, content: string): void {
  let existing;
  try {
    existing = statSync(file);
  } catch {
    existing = undefined;
  }
  if (existing && !existing.isFile()) {
    writeFileSync(file, content);
    return;
  }
  const dir = path.dirname(path.resolve(file));
  mkdirSync(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  writeFileSync(temp, content);
  renameSync(temp, file);
}
