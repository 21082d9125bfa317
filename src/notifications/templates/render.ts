/**
 * One description of a message, two renderings: plain text and HTML are produced from the same
 * blocks so they cannot drift apart, and every value is escaped on its way into the HTML.
 */
import { escapeHtml, safeHref } from '../html.js';
import type { NoticeLocale } from '../locale.js';

export type Block =
  | { kind: 'paragraph'; text: string }
  | { kind: 'link'; label: string; href: string }
  | { kind: 'code'; label: string; code: string };

/** An e-mail ready for {@link sendEmail}: subject, plain text and HTML. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export const paragraph = (text: string): Block => ({ kind: 'paragraph', text });
export const link = (label: string, href: string): Block => ({ kind: 'link', label, href });
export const code = (label: string, value: string): Block => ({ kind: 'code', label, code: value });

const FOOTER: Record<NoticeLocale, string> = {
  no: 'Denne meldingen er sendt automatisk av signeringstjenesten og kan ikke besvares.',
  en: 'This message was sent automatically by the signing service; replies are not read.',
};

export function renderEmail(locale: NoticeLocale, subject: string, blocks: readonly Block[]): RenderedEmail {
  return { subject, text: renderText(locale, subject, blocks), html: renderHtml(locale, subject, blocks) };
}

function blockText(b: Block): string {
  switch (b.kind) {
    case 'paragraph':
      return b.text;
    case 'link':
      return `${b.label}: ${b.href}`;
    case 'code':
      return `${b.label}: ${b.code}`;
  }
}

function blockHtml(b: Block): string {
  switch (b.kind) {
    case 'paragraph':
      return `<p>${escapeHtml(b.text)}</p>`;
    case 'link': {
      const href = safeHref(b.href);
      // An unusable URL is still shown as text, so the reader sees what was meant.
      return href
        ? `<p><a href="${href}">${escapeHtml(b.label)}</a></p>`
        : `<p>${escapeHtml(b.label)}: ${escapeHtml(b.href)}</p>`;
    }
    case 'code':
      return `<p>${escapeHtml(b.label)}: <strong style="font-size:1.25em;letter-spacing:0.1em">${escapeHtml(b.code)}</strong></p>`;
  }
}

function renderText(locale: NoticeLocale, heading: string, blocks: readonly Block[]): string {
  const lines = blocks.map(blockText);
  return [heading, '', ...lines.flatMap((l) => [l, '']), '--', FOOTER[locale], ''].join('\n');
}

function renderHtml(locale: NoticeLocale, heading: string, blocks: readonly Block[]): string {
  return [
    '<!doctype html>',
    `<html lang="${locale === 'no' ? 'nb' : 'en'}">`,
    `<head><meta charset="utf-8"><title>${escapeHtml(heading)}</title></head>`,
    '<body style="font-family:sans-serif;line-height:1.5;max-width:40em">',
    `<h1 style="font-size:1.25em">${escapeHtml(heading)}</h1>`,
    ...blocks.map(blockHtml),
    `<hr><p style="color:#555;font-size:0.875em">${escapeHtml(FOOTER[locale])}</p>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
