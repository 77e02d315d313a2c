/** An inline suppression comment, as the engine applies it (sources find them, the engine matches findings). */
export interface Suppression {
  file: string;
  /** Where the comment is. */
  line: number;
  column: number;
  /** Rule ids; empty means every rule. */
  rules: string[];
  reason?: string;
  /** Lines (inclusive) whose findings it covers. */
  fromLine: number;
  toLine: number;
}
