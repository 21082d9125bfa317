/**
 * Contact details a signer is notified on: e-mail addresses and mobile numbers.
 * Pure functions (workflow code imports `src/rules/**`).
 */

/** RFC 5321 limits a forward path to 256 octets including the angle brackets, so 254 for the address. */
export const MAX_EMAIL_LENGTH = 254;
const MAX_EMAIL_LOCAL_PART_LENGTH = 64;

/**
 * A pragmatic e-mail check, not an RFC 5322 parser: exactly one `@`, no whitespace or control
 * characters, a non-empty local part of at most 64 characters, and a domain of dot-separated
 * labels (letters, digits, hyphens, not starting or ending with a hyphen) with at least one dot.
 * It is strict enough to catch typing errors and loose enough for every address a mail provider
 * hands out; the real proof is the delivery.
 */
export function isValidEmail(s: string): boolean {
  if (typeof s !== 'string' || s.length === 0 || s.length > MAX_EMAIL_LENGTH) return false;
  // Whitespace, ASCII controls, and characters that would break headers or HTML links.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (/[\s\u0000-\u001f\u007f<>()[\]\\,;:"]/.test(s)) return false;
  const parts = s.split('@');
  if (parts.length !== 2) return false;
  const [local, domain] = parts as [string, string];
  if (local.length === 0 || local.length > MAX_EMAIL_LOCAL_PART_LENGTH) return false;
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return false;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  return labels.every((label) => /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u.test(label));
}

/**
 * Normalises a mobile number to E.164 (`+<country code><number>`), or `null` when it is not one.
 *
 * - Spaces, hyphens, dots and parentheses are ignored (`912 34 567`, `(+47) 912-34-567`).
 * - A leading `00` is the international prefix and becomes `+`.
 * - 8 digits without prefix: a Norwegian mobile number, which starts with 4 or 9; `+47` is added.
 * - `+47`: exactly 8 more digits, starting with 4 or 9 (other Norwegian numbers cannot take SMS).
 * - Any other country: `+`, a country code not starting with 0, 8-15 digits in all (E.164 max).
 */
export function normaliseMobile(s: string): string | null {
  if (typeof s !== 'string' || s.length > 32) return null;
  let compact = s.trim().replace(/[\s\-.()]/g, '');
  if (compact.startsWith('00')) compact = `+${compact.slice(2)}`;
  if (/^[49]\d{7}$/.test(compact)) return `+47${compact}`;
  if (!/^\+\d+$/.test(compact)) return null;
  const digits = compact.slice(1);
  if (digits.startsWith('47')) return /^47[49]\d{7}$/.test(digits) ? compact : null;
  if (!/^[1-9]\d{7,14}$/.test(digits)) return null;
  return compact;
}

/** True when {@link normaliseMobile} accepts the number. */
export function isValidMobile(s: string): boolean {
  return normaliseMobile(s) !== null;
}
