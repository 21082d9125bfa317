/**
 * Synthetic test people for development and tests: the development contact register and
 * digital mailbox are seeded from them, and the browser ceremony shows their names.
 *
 * Identity numbers are synthetic (month + 80, as Skatteetaten's Tenor issues them) with valid
 * check digits computed here, so they pass validation but can never belong to a real person.
 * Pure data: safe to import anywhere.
 */
import { identityNumberCheckDigits } from '../rules/identity.js';

export interface TestPerson {
  pid: string;
  name: string;
  email?: string;
  mobile?: string;
  /** Opted out of digital contact in the register. */
  reserved: boolean;
  /** Has an active digital mailbox from the start. */
  hasMailbox: boolean;
}

/**
 * The first valid synthetic identity number born on the given date, searching individual
 * numbers upwards from `individualFrom` (some combinations have no valid check digits).
 * Individual numbers 000-499 mean born 1900-1999.
 */
export function syntheticPid(day: number, month: number, twoDigitYear: number, individualFrom = 100): string {
  const date = `${String(day).padStart(2, '0')}${String(month + 80).padStart(2, '0')}${String(twoDigitYear).padStart(2, '0')}`;
  for (let individual = individualFrom; individual <= 499; individual++) {
    const firstNine = `${date}${String(individual).padStart(3, '0')}`;
    const check = identityNumberCheckDigits(firstNine);
    if (check) return `${firstNine}${check}`;
  }
  throw new Error(`no synthetic identity number exists for ${date}`);
}

type PersonSpec = Omit<TestPerson, 'pid'> & { born: [day: number, month: number, year: number] };

const PEOPLE: readonly PersonSpec[] = [
  // Found, with e-mail and mobile; the first two have a digital mailbox.
  {
    born: [1, 1, 80],
    name: 'Kari Nordmann',
    email: 'kari.nordmann@example.com',
    mobile: '+4791000001',
    reserved: false,
    hasMailbox: true,
  },
  {
    born: [2, 2, 81],
    name: 'Ola Nordmann',
    email: 'ola.nordmann@example.com',
    mobile: '+4791000002',
    reserved: false,
    hasMailbox: true,
  },
  {
    born: [3, 3, 82],
    name: 'Ingrid Hansen',
    email: 'ingrid.hansen@example.com',
    mobile: '+4791000003',
    reserved: false,
    hasMailbox: false,
  },
  {
    born: [4, 4, 83],
    name: 'Per Johansen',
    email: 'per.johansen@example.com',
    mobile: '+4791000004',
    reserved: false,
    hasMailbox: false,
  },
  // Found, one channel only.
  {
    born: [5, 5, 84],
    name: 'Sofie Berg',
    email: 'sofie.berg@example.com',
    reserved: false,
    hasMailbox: true,
  },
  { born: [6, 6, 85], name: 'Magnus Lie', mobile: '+4791000006', reserved: false, hasMailbox: false },
  // Reserved against digital contact.
  {
    born: [7, 7, 86],
    name: 'Nils Olsen',
    email: 'nils.olsen@example.com',
    reserved: true,
    hasMailbox: false,
  },
  { born: [8, 8, 87], name: 'Anne Larsen', reserved: true, hasMailbox: false },
  // In the register without contact details.
  { born: [9, 9, 88], name: 'Emil Pedersen', reserved: false, hasMailbox: false },
  { born: [10, 10, 89], name: 'Hanne Nilsen', reserved: false, hasMailbox: false },
];

export const testPopulation: readonly TestPerson[] = PEOPLE.map(
  ({ born: [day, month, year], ...person }) => ({
    pid: syntheticPid(day, month, year),
    ...person,
  }),
);

/** A synthetic number that is valid but not in the register: the NOT_FOUND case. */
export const UNREGISTERED_TEST_PID = syntheticPid(11, 11, 90);

const namesByPid = new Map(testPopulation.map((p) => [p.pid, p.name]));

/** The name of a test person, for the development ceremony; `undefined` for anyone else. */
export function testPersonName(pid: string): string | undefined {
  return namesByPid.get(pid);
}
