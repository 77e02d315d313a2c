// V8's code cache for the CLI bundle: the bundle's functions as V8 compiled them on an earlier run, so a run does not
// parse and compile them again (one-statement run ~100 ms less CPU: 370 → 260–270 ms on a 2-core machine, when
// `node -e 0` takes ~100 ms). Kept in the parse cache's folder, under `code/`, one file per bundle build, Node version
// and V8 flag set (V8 refuses a cache made under other flags or for other source). Never an error of its own: an
// unreadable, damaged or unwritable cache costs only the compile it would have saved.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

/**
 * The folder the code cache goes in, from the same settings as the parse cache: `--cache-dir` (relative to the
 * working folder), else $XDG_CACHE_HOME/schema-lint, else ~/.cache/schema-lint. `--no-cache` means no cache at all.
 * (The config file's `cache` settings are read by the run, after the bundle is loaded: they govern the parse cache.)
 */
export function codeCacheFolder(args, env, cwd) {
  let dir;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') break;
    if (arg === '--no-cache' || arg === '--cache=false') return undefined;
    if (arg === '--cache-dir' && args[i + 1] !== undefined) dir = args[i + 1];
    else if (arg.startsWith('--cache-dir=')) dir = arg.slice('--cache-dir='.length);
  }
  if (dir) return path.join(path.resolve(cwd, dir), 'code');
  if (env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)) return path.join(env.XDG_CACHE_HOME, 'schema-lint', 'code');
  if (env.HOME) return path.join(env.HOME, '.cache', 'schema-lint', 'code');
  return undefined;
}

/**
 * What identifies one build of the bundle for this Node: the content hash scripts/bundle.mjs writes on its first
 * line, and Node's version. Not size and time: V8 checks a cache only against the source's length, and npm gives
 * every installed file the same time. A bundle without the line gets no cache.
 */
function buildStamp(source) {
  const build = /^\/\/ schema-lint build ([0-9a-f]{32})\n/.exec(source)?.[1];
  return build ? `${process.version}-${build}` : undefined;
}

/**
 * Loads the CommonJS bundle as Node's CommonJS loader would (the same wrapper, `require` and `__filename`), compiled
 * with the code cache from `folder` when there is one; `save()` writes the cache after the run when there was none,
 * so that it holds every function the run compiled, not only the top level.
 */
export function loadBundle(bundle, folder, flags) {
  const source = readFileSync(bundle, 'utf8');
  const stamp = buildStamp(source);
  let file;
  let cachedData;
  if (folder && stamp) {
    try {
      file = path.join(folder, `${stamp}.${flags.map((flag) => flag.replace(/^-+/, '')).join('.') || 'default'}.v8`);
      cachedData = readFileSync(file);
    } catch {
      cachedData = undefined; // none yet, or unreadable: compiled as usual, and written after the run
    }
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle,
    cachedData,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, path.dirname(bundle));
  const save = () => {
    if (!file || (cachedData && !script.cachedDataRejected)) return;
    const temporary = `${file}.${process.pid}.tmp`;
    try {
      mkdirSync(folder, { recursive: true });
      writeFileSync(temporary, script.createCachedData());
      // Rename: a run reading the cache meanwhile sees the old file or the new one, never half of one.
      renameSync(temporary, file);
      // Caches of other builds (an upgrade, another Node) are never read again.
      for (const name of readdirSync(folder)) if (!name.startsWith(`${stamp}.`)) rmSync(path.join(folder, name), { force: true });
    } catch {
      try {
        rmSync(temporary, { force: true });
      } catch {
        // the folder itself is not usable (a file in its place): nothing was written
      }
    }
  };
  return { exports: module.exports, save };
}
