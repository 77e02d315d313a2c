// How V8 should compile the parser's WebAssembly for this run, chosen before it is compiled.
// V8 first compiles every function with its baseline compiler (Liftoff), then recompiles the hot ones with its
// optimising compiler (TurboFan) on background threads. On this project's inputs the tier-up only pays for itself
// past ~3 MiB of SQL: measured on a 2-core machine, a one-statement run spends ~100 ms of CPU on it, a 15,000-line
// structure.sql 0.8 s instead of 1.1 s of CPU (660 vs 780 ms wall), a 3 MiB dump breaks even, and a 10 MB dump is
// 1.5 s slower without it. So small inputs run Liftoff only; big ones, stdin and unknown inputs keep V8's default.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const TIER_UP_FROM_BYTES = 3 * 1024 * 1024;

/** The SQL bytes the run's path arguments name, counted only up to `limit` (a folder counts its `.sql` files). */
export function inputBytes(args, limit = TIER_UP_FROM_BYTES) {
  let total = 0;
  for (const arg of args) {
    if (arg === '-') return Infinity;
    if (arg.startsWith('-')) continue;
    const stat = statSync(arg, { throwIfNoEntry: false });
    if (stat?.isFile()) total += stat.size;
    else if (stat?.isDirectory()) total += folderBytes(arg, limit - total);
    if (total >= limit) return total;
  }
  return total;
}

/**
 * The `.sql` bytes below a folder, walked as the run walks it (src/sources/ddl/collect-files.ts: hidden folders and
 * node_modules skipped) and only until `limit`: `schema-lint .` in a repository must not read .git or node_modules
 * before the run starts.
 */
function folderBytes(folder, limit) {
  let total = 0;
  const folders = [folder];
  while (folders.length > 0 && total < limit) {
    let entries;
    try {
      entries = readdirSync(folders.pop(), { withFileTypes: true });
    } catch {
      continue; // unreadable: the run itself reports it
    }
    for (const entry of entries) {
      const full = path.join(entry.parentPath ?? entry.path, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) folders.push(full);
      } else if (entry.isFile() && entry.name.endsWith('.sql')) {
        total += statSync(full, { throwIfNoEntry: false })?.size ?? 0;
        if (total >= limit) break;
      }
    }
  }
  return total;
}

/** V8 flags for a run with these arguments: Liftoff only below the threshold. */
export function wasmFlags(args) {
  return inputBytes(args) < TIER_UP_FROM_BYTES ? ['--liftoff-only'] : [];
}
