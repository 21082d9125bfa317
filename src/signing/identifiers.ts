/**
 * How a signer is identified in the signed document, per the job's `identifierInSignedDocuments`,
 * and the date of birth read out of a Norwegian national identity number.
 *
 * Display only: the number was validated (check digits included) when the job was created, so
 * this reads the date tolerantly and never rejects.
 */
import type { IdentifierInSignedDocuments } from '../job/model.js';

export interface BirthDate {
  year: number;
  month: number;
  day: number;
}

/**
 * The date of birth in an identity number DDMMYYIIIKK.
 * - D-numbers add 4 to the first digit (day + 40).
 * - Synthetic test numbers add 40 (NAV/Dolly) or 80 (Skatteetaten/Tenor) to the month.
 * - The century follows from the individual number III (the population register's allocation).
 * Returns undefined when the digits do not hold a real date.
 */
export function dateOfBirthFromIdentityNumber(pid: string): BirthDate | undefined {
  if (!/^\d{11}$/.test(pid)) return undefined;
  let day = Number(pid.slice(0, 2));
  let month = Number(pid.slice(2, 4));
  const yy = Number(pid.slice(4, 6));
  const individual = Number(pid.slice(6, 9));
  if (day > 40) day -= 40;
  if (month > 80) month -= 80;
  else if (month > 40) month -= 40;
  let year: number | undefined;
  if (individual <= 499) year = 1900 + yy;
  else if (individual <= 749 && yy >= 54) year = 1800 + yy;
  else if (yy <= 39) year = 2000 + yy;
  else if (individual >= 900) year = 1900 + yy;
  if (year === undefined) return undefined;
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    return undefined;
  }
  return { year, month, day };
}

/** Norwegian notation, DD.MM.YYYY. */
export function formatBirthDate(d: BirthDate): string {
  return `${String(d.day).padStart(2, '0')}.${String(d.month).padStart(2, '0')}.${d.year}`;
}

export interface IdentifiedSigner {
  name: string;
  personalIdentificationNumber?: string;
  customIdentifier?: string;
}

/**
 * The identifier line shown for a signer next to the name. A signer without an identity number
 * (direct flow with a custom identifier) is shown by name only, whatever the job chose.
 */
export function signerIdentifier(
  signer: IdentifiedSigner,
  mode: IdentifierInSignedDocuments,
  lang: DocumentLanguage = 'nb',
): { label: string; value: string } | undefined {
  const pid = signer.personalIdentificationNumber;
  if (mode === 'NAME' || !pid) return undefined;
  const labels = IDENTIFIER_LABELS[lang];
  if (mode === 'PERSONAL_IDENTIFICATION_NUMBER_AND_NAME') return { label: labels.pid, value: pid };
  const birth = dateOfBirthFromIdentityNumber(pid);
  return birth ? { label: labels.birth, value: formatBirthDate(birth) } : undefined;
}

/** The language of the signed document's own pages (the job's language). */
export type DocumentLanguage = 'nb' | 'en';

const IDENTIFIER_LABELS: Record<DocumentLanguage, { pid: string; birth: string }> = {
  nb: { pid: 'Fødselsnummer', birth: 'Fødselsdato' },
  en: { pid: 'National identity number', birth: 'Date of birth' },
};

/**
 * A signer as the audit summary names them: the name, with the identifier the job chose, the
 * identity number masked (date part only), so the summary never prints a whole number.
 */
export function maskedSignerLabel(
  signer: IdentifiedSigner,
  mode: IdentifierInSignedDocuments,
  lang: DocumentLanguage = 'nb',
): string {
  const pid = signer.personalIdentificationNumber;
  if (mode === 'NAME' || !pid) return signer.name;
  const id = signerIdentifier(signer, mode, lang);
  if (!id) return signer.name;
  const value = mode === 'PERSONAL_IDENTIFICATION_NUMBER_AND_NAME' ? `${pid.slice(0, 6)}*****` : id.value;
  return `${signer.name} (${id.label.toLowerCase()} ${value})`;
}
