/**
 * The rules of a signer link's one-time code, as pure functions (the link store and the pages
 * apply them; the unit tests pin them).
 *
 * The code is a second factor only if it travels apart from the link: whoever holds a forwarded
 * e-mail must not hold the code as well. So the code goes over the other channel than the link,
 * and where the sender gave only one channel there is no code at all (a code in the same inbox as
 * the link proves nothing more than the link does); the signer's eID login is then the proof.
 *
 * Wrong codes slow the next tries down instead of blocking: a blocked signer was a way for anyone
 * holding the link to end someone else's job with five guesses.
 */

export type CodeChannel = 'SMS' | 'EMAIL';

/** The channels the sender gave the signer (for signers addressed by e-mail or mobile). */
export interface SignerAddresses {
  email?: string | null;
  mobile?: string | null;
}

/** Where the code of a link sent over `linkChannel` goes; NONE when there is no other channel. */
export function codeChannelFor(linkChannel: CodeChannel, addresses: SignerAddresses): CodeChannel | 'NONE' {
  if (linkChannel === 'EMAIL') return addresses.mobile ? 'SMS' : 'NONE';
  return addresses.email ? 'EMAIL' : 'NONE';
}

/** Wrong codes that cost no waiting (typing slips). */
export const FREE_CODE_ATTEMPTS = 3;
/** The wait after the first wrong code past the free ones; it doubles with each further one. */
export const FIRST_CODE_DELAY_MS = 30_000;
/** The longest wait between two tries, however many wrong codes: about 24 guesses a day. */
export const MAX_CODE_DELAY_MS = 60 * 60 * 1000;

/**
 * How long the next try must wait after `failedAttempts` wrong codes in a row on one link: none
 * for the first two, then 30 s after the third, doubling, capped at an hour.
 */
export function codeRetryDelayMs(failedAttempts: number): number {
  if (failedAttempts < FREE_CODE_ATTEMPTS) return 0;
  const doublings = failedAttempts - FREE_CODE_ATTEMPTS;
  // 2^7 × 30 s already passes the hour: no need to compute larger powers.
  return doublings >= 7
    ? MAX_CODE_DELAY_MS
    : Math.min(FIRST_CODE_DELAY_MS * 2 ** doublings, MAX_CODE_DELAY_MS);
}

/** A new code may be asked for this long after the last one was sent (the SMS may be slow). */
export const CODE_RESEND_INTERVAL_MS = 60_000;
/** Codes one link may send at most: no one holding a link can flood the signer's phone or inbox. */
export const MAX_CODES_PER_LINK = 10;

/** When the next code may be sent, or null when this link may send no more. */
export function nextCodeSendAt(sent: { codesSent: number; lastSentAt: Date | null }): Date | null {
  if (sent.codesSent >= MAX_CODES_PER_LINK) return null;
  if (!sent.lastSentAt) return new Date(0);
  return new Date(sent.lastSentAt.getTime() + CODE_RESEND_INTERVAL_MS);
}

/** A code as typed: six digits, spaces around or inside ignored; null when it is not one. */
export function normaliseCode(typed: string): string | null {
  const digits = typed.replace(/\s+/g, '');
  return /^\d{6}$/.test(digits) ? digits : null;
}

/** The end of a mobile number the page may show (its last two digits). */
export function mobileEnding(mobile: string): string {
  return mobile.replace(/\D/g, '').slice(-2);
}

/** An e-mail address as the page may show it: the first letter and the domain. */
export function maskedEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '…';
  return `${email[0]}…${email.slice(at)}`;
}
