/** What a source says about its input besides the model: located, one line each. Every layer may use this type. */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  message: string;
  /** `syntax` errors make the run fail (exit 2); the others are information. */
  kind: 'syntax' | 'psql' | 'reference' | 'unsupported' | 'suppression' | 'rejected' | 'session';
}
