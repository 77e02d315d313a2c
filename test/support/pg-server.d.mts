/** Types of pg-server.mjs. */
export interface StartedServer {
  host: string;
  port: number;
  superuser: string;
  password: string;
  /** The folder of the server binaries, or undefined when they come from PATH. */
  bin: string | undefined;
  /** The folder of the server's Unix socket, where the superuser is trusted (initdb --auth-local=trust). */
  socketDir: string;
  /** Stops the server and removes its folder (also run when the process exits). */
  stop: () => void;
}
export function findPgBin(): string | undefined;
export function pgBinary(bin: string | undefined, name: string): string;
export function startServer(options?: { onDisk?: boolean }): Promise<StartedServer>;
export const SHARED_SERVER_ENV: string;
