/**
 * The parts of a SARIF 2.1.0 log the tests read, as our renderer writes them. Typed by hand (not from the schema):
 * tests read a log they have just rendered, so a field missing here fails the test at that line, as an assertion would.
 * `checkGithubInvariants` (sarif-validate.ts) reads a log under test and has its own types, where anything may be missing.
 */
export interface SarifText {
  text: string;
  markdown?: string;
}

export interface SarifRule {
  id: string;
  name?: string;
  shortDescription: SarifText;
  fullDescription: SarifText;
  help: SarifText;
  defaultConfiguration?: { level?: string };
  properties: { precision?: string; 'problem.severity'?: string; tags?: string[] };
}

export interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

export interface SarifLocation {
  physicalLocation: { artifactLocation: { uri: string }; region: SarifRegion };
  logicalLocations?: unknown[];
}

export interface SarifResult {
  ruleId: string;
  ruleIndex?: number;
  level: string;
  message: { text: string };
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  properties?: { schemaLint?: unknown };
  fixes?: unknown[];
}

export interface SarifRun {
  results: SarifResult[];
  columnKind?: string;
  automationDetails?: { id: string };
  tool: { driver: { name: string; semanticVersion?: string; rules: SarifRule[] } };
}

export interface SarifLog {
  $schema?: string;
  version?: string;
  runs: SarifRun[];
}

/** A SARIF file or stdout the tool wrote, read as the log it should be (the validators check that it is). */
export function parseSarif(text: string): SarifLog {
  return JSON.parse(text) as SarifLog;
}
