/**
 * Languages of notices and how times are shown in them. Times are always Norwegian wall-clock
 * time (Europe/Oslo), whatever the reader's language, because deadlines are set in Norway.
 * Built from the wall-clock fields rather than `toLocaleString`, whose wording differs between
 * ICU versions.
 */
import { osloWallClock } from '../rules/oslo-time.js';

export const NOTICE_LOCALES = ['no', 'en'] as const;
export type NoticeLocale = (typeof NOTICE_LOCALES)[number];
export const DEFAULT_NOTICE_LOCALE: NoticeLocale = 'no';

/**
 * The notice locale of a signer's language as the API names it (`NB` or `EN`). Anything else
 * reads Norwegian: the default, and what every signer got before the choice existed.
 */
export function noticeLocaleOfLanguage(language: string | null | undefined): NoticeLocale {
  return language === 'EN' ? 'en' : DEFAULT_NOTICE_LOCALE;
}

const MONTHS: Record<NoticeLocale, readonly string[]> = {
  no: [
    'januar',
    'februar',
    'mars',
    'april',
    'mai',
    'juni',
    'juli',
    'august',
    'september',
    'oktober',
    'november',
    'desember',
  ],
  en: [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ],
};

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `12. mars 2026 kl. 14:30` (no) or `12 March 2026 at 14:30 (Norwegian time)` (en). */
export function formatOsloTime(at: Date, locale: NoticeLocale): string {
  const w = osloWallClock(at);
  const month = MONTHS[locale][w.month - 1] ?? '';
  const time = `${pad2(w.hour)}:${pad2(w.minute)}`;
  return locale === 'no'
    ? `${w.day}. ${month} ${w.year} kl. ${time}`
    : `${w.day} ${month} ${w.year} at ${time} (Norwegian time)`;
}
