import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Writes through a temporary file and a rename, so a reader never sees half a report. */
export function writeFileAtomic(file: string, content: string): void {
  const dir = path.dirname(path.resolve(file));
  mkdirSync(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  writeFileSync(temp, content);
  renameSync(temp, file);
}
