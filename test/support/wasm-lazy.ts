/**
 * As the CLI's launcher does (bin/schema-lint.js): the parser's WebAssembly is compiled function by function when
 * first called. Every test file loads its own copy of the parser module, so each would otherwise compile all 1.7 MB
 * of it up front.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--wasm-lazy-compilation');
