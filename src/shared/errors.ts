/** An error in how the tool was called (arguments, paths, API options): one line on stderr, exit code 2. */
export class UsageError extends Error {}
