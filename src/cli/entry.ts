/** What bin/schema-lint.js needs, in one module: the entry point the bundle is built from (scripts/bundle.mjs). */
export { main } from './main.js';
export { tolerateClosed } from './closed-stream.js';
