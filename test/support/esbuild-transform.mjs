/**
 * jest's TypeScript transform: esbuild strips the types of one file at a time, as `tsconfig.test.json`'s
 * `isolatedModules` already promises is enough (type checking is `npm run lint`'s job). ts-jest did the same through
 * TypeScript's own transpiler, at ~15 s of the suite's CPU on a cold jest cache — which CI always has.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';

const esbuildVersion = JSON.parse(readFileSync(new URL('../../node_modules/esbuild/package.json', import.meta.url), 'utf8')).version;
const thisFile = readFileSync(new URL(import.meta.url), 'utf8');

export default {
  canInstrument: false,
  process(sourceText, sourcePath) {
    const { code, map } = transformSync(sourceText, {
      loader: 'ts',
      format: 'esm',
      target: 'node20',
      sourcefile: sourcePath,
      sourcemap: 'external',
      sourcesContent: false,
    });
    return { code, map };
  },
  // jest caches the code after its coverage instrumentation, under this key alone: a run with --coverage must not
  // reuse a plain run's entries, nor the other way round.
  getCacheKey(sourceText, sourcePath, options) {
    return createHash('sha256')
      .update(`${esbuildVersion}\0${options?.instrument ? 'instrument' : ''}\0`)
      .update(thisFile)
      .update(`\0${sourcePath}\0`)
      .update(sourceText)
      .digest('hex');
  },
};
