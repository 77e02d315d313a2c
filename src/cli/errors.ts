/** The CLI's errors are the engine's: one line on stderr, exit code 2. */
export { UsageError } from '../shared/errors.js';
