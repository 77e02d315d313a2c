/**
 * The one way a run writes files (the report with `-o`, `--fix-sql`, `--write-baseline`, `stats -o`): all of them or
 * none. Each regular file is staged as a temporary file in its own folder (rendered into it piece by piece — a big
 * report is never one string in memory — and fsynced), and only when every one of them is staged are they renamed
 * over their targets. Any failure, rendering included, removes every temporary file and replaces nothing, so a CI
 * upload never mixes a new report with an old fix script, and an exit code 2 always means "no file written".
 *
 * Targets that are not regular files (`/dev/null`, `/dev/stdout`, a named pipe) are written directly: renaming over
 * them would replace the device with a file. A target that is a symbolic link is written through: the link's final
 * target is replaced, the link itself stays (a CI that links `report.sarif` into an artifacts folder keeps working).
 * A missing folder is an error, not created: a typo in a path should not scatter files.
 */
import { closeSync, fchmodSync, fsyncSync, lstatSync, openSync, readlinkSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { batched, type RenderedText } from './chunks.js';

export interface PlannedOutput {
  /** The path as the user gave it (messages name it so). */
  file: string;
  /** The text, or its pieces (rendered while they are written: see chunks.ts). */
  content: RenderedText;
  /** The option that named it, for messages: `--output`, `--fix-sql`. */
  option: string;
}

/** An output could not be written; nothing was replaced. One line, no temporary file names. */
export class OutputError extends Error {}

/** Why a write failed, in words (no errno dump, no temp file name). */
function reason(error: unknown, target: Pick<Target, 'output' | 'path'>): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  // The folder as the user named it, unless a symbolic link led elsewhere.
  const folder = path.dirname(target.path === path.resolve(target.output.file) ? target.output.file : target.path);
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `permission denied (cannot write in ${folder})`;
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'ENOENT':
      return `folder ${folder} does not exist`;
    case 'ENOTDIR':
      return `${folder} is not a folder`;
    case 'EISDIR':
      return 'is a folder';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENAMETOOLONG':
      return 'file name too long';
    case 'EFBIG':
      return 'file too large';
    default:
      return code ? `${code}: ${(error as Error).message.split(/[:,]/)[1]?.trim() ?? 'write failed'}` : String(error);
  }
}

interface Target {
  output: PlannedOutput;
  /** Where the bytes go: the path, or the final target of a symbolic link. */
  path: string;
  /** Regular files (existing or new) go through a temporary file and a rename; devices and pipes are written directly. */
  direct: boolean;
  /** An existing file's permission bits, kept by the replacement. */
  mode?: number;
}

const MAX_LINKS = 40;

/** Follows symbolic links one step at a time, so a link whose target does not exist yet still resolves. */
function followLinks(file: string): string {
  let current = path.resolve(file);
  for (let hops = 0; hops < MAX_LINKS; hops++) {
    let stats: Stats;
    try {
      stats = lstatSync(current);
    } catch {
      return current; // does not exist (yet): this is the path to create
    }
    if (!stats.isSymbolicLink()) return current;
    current = path.resolve(path.dirname(current), readlinkSync(current));
  }
  throw Object.assign(new Error('symbolic link loop'), { code: 'ELOOP' });
}

function describe(output: PlannedOutput, message: string): OutputError {
  return new OutputError(`cannot write ${output.option} ${output.file}: ${message}; no output file written`);
}

function plan(output: PlannedOutput): Target {
  // Devices under /dev and /proc (`/dev/stdout` links to /proc/self/fd/1, which may be a regular file) are never
  // renamed over: the bytes go where the shell pointed the descriptor.
  if (/^\/(dev|proc)\//.test(path.resolve(output.file))) return { output, path: output.file, direct: true };
  let target: string;
  let stats: Stats | undefined;
  try {
    target = followLinks(output.file);
    stats = statSync(target, { throwIfNoEntry: false });
  } catch (error) {
    throw describe(output, reason(error, { output, path: path.resolve(output.file) }));
  }
  if (stats?.isDirectory()) throw describe(output, 'is a folder');
  if (stats && !stats.isFile()) return { output, path: target, direct: true };
  let folderStats: Stats | undefined;
  try {
    folderStats = statSync(path.dirname(target), { throwIfNoEntry: false });
  } catch (error) {
    throw describe(output, reason(error, { output, path: target }));
  }
  if (!folderStats) throw describe(output, reason({ code: 'ENOENT' }, { output, path: target }));
  if (!folderStats.isDirectory()) throw describe(output, reason({ code: 'ENOTDIR' }, { output, path: target }));
  return { output, path: target, direct: false, mode: stats ? stats.mode & 0o7777 : undefined };
}

/** Written in slices, yielding between them, so SIGINT/SIGTERM can clean up in the middle of a large report. */
const SLICE = 1 << 20;

const yieldToEvents = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** State shared with the signal handler: the temporary files that exist right now. */
const liveTemps = new Set<string>();

function removeTemps(): void {
  for (const temp of liveTemps) {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
  }
  liveTemps.clear();
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function onSignal(signal: NodeJS.Signals): void {
  removeTemps();
  for (const name of SIGNALS) process.removeListener(name, onSignal);
  // Die of the same signal, as the default handler would have: the parent shell sees 130/143, not a normal exit.
  process.kill(process.pid, signal);
}

async function stage(target: Target): Promise<string> {
  // Hidden, beside the target (a rename never crosses file systems), and short enough for a 255-byte name limit.
  const temp = path.join(path.dirname(target.path), `.${path.basename(target.path).slice(0, 100)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  // Opened synchronously, and recorded before control returns to the event loop: a signal handler never misses a
  // temporary file that exists.
  const fd = openSync(temp, 'wx', 0o666);
  liveTemps.add(temp);
  try {
    if (target.mode !== undefined) fchmodSync(fd, target.mode);
    let sinceYield = 0;
    for (const piece of batched(target.output.content)) {
      const bytes = Buffer.from(piece, 'utf8');
      for (let offset = 0; offset < bytes.length; ) {
        const written = writeSync(fd, bytes, offset, Math.min(SLICE, bytes.length - offset));
        offset += written;
        sinceYield += written;
        if (sinceYield >= SLICE) {
          sinceYield = 0;
          await yieldToEvents();
        }
      }
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return temp;
}

function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Durability of the rename is best effort: some file systems refuse fsync on a folder.
  }
}

/** Writes every output, or none (see the module comment). Throws OutputError with one line that names the output. */
export async function writeOutputs(outputs: PlannedOutput[]): Promise<void> {
  if (outputs.length === 0) return;
  const targets = outputs.map(plan);
  for (let i = 0; i < targets.length; i++) {
    for (let j = 0; j < i; j++) {
      if (!targets[i].direct && targets[i].path === targets[j].path) {
        throw new OutputError(`${targets[j].output.option} and ${targets[i].output.option} name the same file ${targets[i].output.file}; no output file written`);
      }
    }
  }
  for (const signal of SIGNALS) process.on(signal, onSignal);
  const staged: Array<{ target: Target; temp: string }> = [];
  let current: Target | undefined;
  let renamed = 0;
  try {
    for (const target of targets.filter((t) => !t.direct)) {
      current = target;
      staged.push({ target, temp: await stage(target) });
    }
    // Devices and pipes cannot be staged; written after staging (a failure still replaces no file) and
    // asynchronously (a pipe with no reader blocks a worker thread, not the signal handler).
    for (const target of targets.filter((t) => t.direct)) {
      current = target;
      await writeFile(target.path, typeof target.output.content === 'string' ? target.output.content : batched(target.output.content));
    }
    for (const { target, temp } of staged) {
      current = target;
      renameSync(temp, target.path);
      liveTemps.delete(temp);
      renamed++;
    }
  } catch (error) {
    removeTemps();
    if (!current) throw error;
    // A rename in the folder where the file was just staged fails only if the folder changed under the run (its
    // permissions, a mount): say honestly which outputs were already replaced.
    const message = `cannot write ${current.output.option} ${current.output.file}: ${reason(error, current)}`;
    if (renamed > 0) {
      throw new OutputError(`${message}; already replaced: ${staged.slice(0, renamed).map(({ target }) => target.output.file).join(', ')}`);
    }
    throw describe(current.output, reason(error, current));
  } finally {
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  }
  for (const folder of new Set(staged.map(({ target }) => path.dirname(target.path)))) syncFolder(folder);
}
