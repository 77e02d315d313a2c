/**
 * The parser's WebAssembly compiled with Liftoff only in jest's workers, as the CLI does for inputs under 3 MiB
 * (bin/wasm-tiering.js): each test file loads libpg-query into its own module registry and compiles it again, and the
 * suite parses small inputs, so V8's TurboFan tier-up was background CPU spent per file on a saturated machine (full
 * suite, same hour: jest 134 s → 125 s, workers' user time 176 → 166 s).
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--liftoff-only');
