/**
 * Made-up names of test people outside the test population, derived from the number, so the same
 * number always logs in as the same person (src/notifications/dev-register-seed.ts names the rest).
 */
import { createHash } from 'node:crypto';

const GIVEN_NAMES = [
  'Astrid',
  'Bjørn',
  'Camilla',
  'Dag',
  'Eva',
  'Fredrik',
  'Guro',
  'Håkon',
  'Ida',
  'Jonas',
  'Kristin',
  'Lars',
  'Marte',
  'Nora',
  'Odd',
  'Pernille',
  'Rune',
  'Silje',
  'Tor',
  'Vilde',
] as const;
const SURNAMES = [
  'Aas',
  'Bakke',
  'Dahl',
  'Eide',
  'Fossum',
  'Haugen',
  'Holm',
  'Jensen',
  'Karlsen',
  'Lund',
  'Moen',
  'Nygård',
  'Solberg',
  'Strand',
  'Tangen',
  'Vik',
] as const;

/** A deterministic name for a number outside the test population. */
export function generatedName(pid: string): string {
  const digest = createHash('sha256').update(`test-eid-name:${pid}`).digest();
  return `${GIVEN_NAMES[digest[0]! % GIVEN_NAMES.length]} ${SURNAMES[digest[1]! % SURNAMES.length]}`;
}
