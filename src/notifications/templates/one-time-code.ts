/**
 * The message that carries a signer link's one-time code, sent when the signer asks for it on the
 * link's page, over the other channel than the link (SMS when the link came by e-mail, e-mail
 * when it came by SMS). It names the sender, never the document, and says not to share the code.
 */
import { DEFAULT_NOTICE_LOCALE, type NoticeLocale } from '../locale.js';
import { code, paragraph, type RenderedEmail, renderEmail } from './render.js';

export interface OneTimeCodeMessage {
  locale?: NoticeLocale;
  senderName: string;
  code: string;
}

export interface RenderedOneTimeCode extends RenderedEmail {
  sms: string;
}

const PHRASES: Record<
  NoticeLocale,
  {
    subject: string;
    label: string;
    lines(sender: string): string[];
    sms(sender: string, code: string): string;
  }
> = {
  no: {
    subject: 'Engangskode for signering',
    label: 'Engangskode',
    lines: (sender) => [
      `Du har bedt om en engangskode for å åpne et dokument fra ${sender} til signering.`,
      'Ikke del koden med noen. Har du ikke bedt om den, kan du se bort fra denne meldingen.',
    ],
    sms: (sender, value) => `Engangskode for signering hos ${sender}: ${value}. Ikke del koden med noen.`,
  },
  en: {
    subject: 'One-time code for signing',
    label: 'One-time code',
    lines: (sender) => [
      `You asked for a one-time code to open a document from ${sender} for signing.`,
      'Do not share the code with anyone. If you did not ask for it, you can ignore this message.',
    ],
    sms: (sender, value) =>
      `One-time code for signing with ${sender}: ${value}. Do not share it with anyone.`,
  },
};

export function renderOneTimeCode(message: OneTimeCodeMessage): RenderedOneTimeCode {
  const locale = message.locale ?? DEFAULT_NOTICE_LOCALE;
  const p = PHRASES[locale];
  const blocks = [...p.lines(message.senderName).map(paragraph), code(p.label, message.code)];
  return { ...renderEmail(locale, p.subject, blocks), sms: p.sms(message.senderName, message.code) };
}
