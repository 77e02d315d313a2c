import { createRequire } from 'node:module';

/**
 * Packages most runs never need, loaded on first use: ajv costs ~40 ms to load (only runs that validate a config or
 * rule options pay), pgsql-deparser ~20 ms (only runs that print an expression). The self-contained Action bundle
 * (scripts/bundle-action.mjs) drops the `createRequire` line below so its bundler sees plain `require` calls and
 * inlines both packages.
 */
const require = createRequire(import.meta.url);

export function loadAjv(): typeof import('ajv') {
  return require('ajv') as typeof import('ajv');
}

export type Deparse = (node: never, options: { pretty: boolean }) => string;

export function loadDeparser(): { deparseSync: Deparse } {
  return require('pgsql-deparser') as { deparseSync: Deparse };
}
