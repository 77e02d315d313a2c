/** An error in how the tool was called (arguments, paths): one line on stderr, exit code 2. */
export class UsageError extends Error {}
