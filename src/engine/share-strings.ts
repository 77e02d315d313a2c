/**
 * What findings keep for the rest of the run (reports, the fix script) is held as compactly as the strings allow.
 *
 * Rules build messages and fix SQL with template literals: V8 keeps those as trees of the pieces (cons strings),
 * ~20 % more than the flat text on a 10 MB dump. Flattening them once, here, lets the pieces go.
 *
 * Findings of one rule also repeat the same texts: on a generated 10 MB dump, 14 distinct fix notes were carried by ~39,000
 * findings (14.5 M characters), and every fix of the generic audit plan carries the same prerequisite. Rules build
 * these texts per finding (template literals), so each finding held its own copy. After the rules ran, equal texts
 * are made one shared string (and equal prerequisites, by id, one object); the copies become garbage at once.
 */
import type { Finding, FixPrerequisite } from './types.js';

/**
 * V8 turns a cons string into a flat one when it needs its characters as a whole; converting it to a number is the
 * cheapest such need (the same trick as the npm package flatstr). The result is not used.
 */
function flatten(text: string): void {
  Number(text);
}

/**
 * Flattens the long texts and replaces equal notes and prerequisites with one shared instance each. Changes no
 * value, only how the strings are held.
 */
export function shareRepeatedTexts(findings: Finding[]): void {
  const notes = new Map<string, string>();
  const prerequisites = new Map<string, FixPrerequisite>();
  const share = (text: string): string => {
    const known = notes.get(text);
    if (known !== undefined) return known;
    notes.set(text, text);
    return text;
  };
  for (const finding of findings) {
    flatten(finding.message);
    flatten(finding.title);
    flatten(finding.key);
    const fix = finding.fix;
    // A fix whose SQL is written when read (an accessor, src/fix/create-index.ts) holds no text to flatten.
    if (fix && Object.getOwnPropertyDescriptor(fix, 'sql')?.get === undefined) flatten(fix.sql);
    // A custom rule may hand out frozen objects: those keep their own copies.
    if (!fix || Object.isFrozen(fix.notes)) continue;
    for (let i = 0; i < fix.notes.length; i++) fix.notes[i] = share(fix.notes[i]);
    const needs = fix.prerequisites;
    if (!needs || Object.isFrozen(needs)) continue;
    for (let i = 0; i < needs.length; i++) {
      const need = needs[i];
      const known = prerequisites.get(need.id);
      // Only a prerequisite equal in every field is shared: the script writes the first one of an id anyway.
      if (known && known.title === need.title && known.sql === need.sql) needs[i] = known;
      else if (!known) prerequisites.set(need.id, need);
    }
  }
}
