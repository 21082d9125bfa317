/** The notice templates as pure functions: wording per language, the title rule, escaping. */
import { describe, expect, it } from 'vitest';
import { escapeHtml, safeHref } from '../../src/notifications/html.js';
import { formatOsloTime } from '../../src/notifications/locale.js';
import { deadlineWarningAt, documentsExpiryWarningAt } from '../../src/notifications/sender-notice-rules.js';
import { renderOneTimeCode } from '../../src/notifications/templates/one-time-code.js';
import { renderSenderNotice } from '../../src/notifications/templates/sender.js';
import { renderSignerNotice, type SignerNotice } from '../../src/notifications/templates/signer.js';
import { titleForNotice } from '../../src/notifications/title.js';

// 13:30 UTC in March is 14:30 in Oslo (winter time, UTC+1); in July Oslo is UTC+2.
const WINTER_DEADLINE = new Date('2026-03-12T13:30:00Z');
const SUMMER_DEADLINE = new Date('2026-07-01T21:05:00Z');
const LINK = 'https://signering.example.no/portal/jobs/42';

describe('formatOsloTime', () => {
  it('shows Norwegian wall-clock time in winter and summer, in both languages', () => {
    expect(formatOsloTime(WINTER_DEADLINE, 'no')).toBe('12. mars 2026 kl. 14:30');
    expect(formatOsloTime(WINTER_DEADLINE, 'en')).toBe('12 March 2026 at 14:30 (Norwegian time)');
    // 21:05 UTC on 1 July is 23:05 in Oslo, still 1 July.
    expect(formatOsloTime(SUMMER_DEADLINE, 'no')).toBe('1. juli 2026 kl. 23:05');
    // 23:30 UTC on 31 December is already 1 January in Oslo.
    expect(formatOsloTime(new Date('2026-12-31T23:30:00Z'), 'en')).toBe(
      '1 January 2027 at 00:30 (Norwegian time)',
    );
  });
});

describe('titleForNotice', () => {
  const base = {
    title: 'Oppsigelse – Kari',
    nonsensitiveTitle: 'Dokument fra HR',
    contactFromRegister: false,
  };

  it('shows the title for a level-3 job whose contact details the sender gave', () => {
    expect(titleForNotice({ ...base, requiredAuthentication: 3 })).toBe('Oppsigelse – Kari');
  });

  it('shows the non-sensitive title when the job needs level 4 or the register gave the contact details', () => {
    expect(titleForNotice({ ...base, requiredAuthentication: 4 })).toBe('Dokument fra HR');
    expect(titleForNotice({ ...base, requiredAuthentication: 3, contactFromRegister: true })).toBe(
      'Dokument fra HR',
    );
  });

  it('shows no title at all rather than the sensitive one when no non-sensitive title was given', () => {
    expect(
      titleForNotice({ ...base, nonsensitiveTitle: undefined, requiredAuthentication: 4 }),
    ).toBeUndefined();
    expect(titleForNotice({ ...base, nonsensitiveTitle: '  ', requiredAuthentication: 4 })).toBeUndefined();
  });
});

describe('signer notices', () => {
  const common = { senderName: 'Oslo kommune', title: 'Arbeidsavtale' } as const;
  const cases: SignerNotice[] = [
    { ...common, kind: 'ACTIVATION', deadline: WINTER_DEADLINE, link: LINK },
    { ...common, kind: 'REMINDER', deadline: WINTER_DEADLINE, link: LINK },
    { ...common, kind: 'CANCELLATION' },
    { ...common, kind: 'MAILBOX_DELIVERED', link: LINK },
    { ...common, kind: 'MAILBOX_OFFER', offeredUntil: WINTER_DEADLINE, link: LINK },
  ];

  it.each(cases.map((c) => [c.kind, c] as const))(
    '%s has the sender, title and link in text, HTML and SMS',
    (_k, notice) => {
      for (const locale of ['no', 'en'] as const) {
        const out = renderSignerNotice({ ...notice, locale });
        for (const part of [out.text, out.html, out.sms]) {
          expect(part).toContain('Oslo kommune');
          expect(part).toContain('Arbeidsavtale');
        }
        if ('link' in notice && notice.link) {
          expect(out.text).toContain(LINK);
          expect(out.html).toContain(`href="${LINK}"`);
        }
        expect(out.html).toContain(`<html lang="${locale === 'no' ? 'nb' : 'en'}">`);
      }
    },
  );

  it('writes Norwegian by default and English on request', () => {
    const notice = cases[0]!;
    const no = renderSignerNotice(notice);
    expect(no.subject).toBe('Du har et dokument å signere fra Oslo kommune');
    expect(no.text).toContain('Oslo kommune har sendt deg «Arbeidsavtale» til signering.');
    expect(no.text).toContain('Frist for å signere: 12. mars 2026 kl. 14:30.');
    const en = renderSignerNotice({ ...notice, locale: 'en' });
    expect(en.subject).toBe('You have a document to sign from Oslo kommune');
    expect(en.text).toContain('Oslo kommune has sent you "Arbeidsavtale" to sign.');
    expect(en.text).toContain('Deadline for signing: 12 March 2026 at 14:30 (Norwegian time).');
  });

  it('puts the reminder deadline and the 7-day mailbox offer in Oslo time', () => {
    expect(renderSignerNotice(cases[1]!).text).toContain('Fristen går ut 12. mars 2026 kl. 14:30.');
    expect(renderSignerNotice({ ...cases[4]!, locale: 'en' }).text).toContain(
      'If you create one by 12 March 2026 at 14:30 (Norwegian time), the signed document will be sent there.',
    );
  });

  it('speaks of "a document" when no title may be shown', () => {
    const out = renderSignerNotice({
      ...common,
      title: undefined,
      kind: 'ACTIVATION',
      deadline: WINTER_DEADLINE,
      link: LINK,
    });
    expect(out.text).toContain('Oslo kommune har sendt deg et dokument til signering.');
    expect(out.sms).not.toContain('«');
    expect(
      renderSignerNotice({ ...common, title: undefined, kind: 'CANCELLATION', locale: 'en' }).subject,
    ).toBe('The signing of a document from Oslo kommune has been cancelled');
  });

  it('gives a signer addressed by e-mail or mobile the unique link, says how the code comes, and never carries a code', () => {
    const unique = 'https://signering.example.no/s/Zm9vYmFy';
    const notice = (codeBy: 'SMS' | 'EMAIL' | 'NONE', locale: 'no' | 'en' = 'no') =>
      renderSignerNotice({
        ...common,
        locale,
        kind: 'ACTIVATION',
        deadline: WINTER_DEADLINE,
        link: unique,
        codeBy,
      });
    const bySms = notice('SMS');
    expect(bySms.text).toContain(`Gå til dokumentet: ${unique}`);
    expect(bySms.text).toContain('Når du åpner lenken, får du en engangskode på SMS.');
    expect(bySms.html).toContain('får du en engangskode på SMS');
    expect(notice('EMAIL', 'en').sms).toContain(
      `${unique} When you open the link, you get a one-time code by e-mail.`,
    );
    // One channel only: no code, and the notice names the proof instead.
    expect(notice('NONE', 'en').text).toContain('You confirm who you are with your electronic ID.');
    for (const codeBy of ['SMS', 'EMAIL', 'NONE'] as const) {
      const out = notice(codeBy);
      expect(`${out.text} ${out.sms}`).not.toMatch(/\b\d{6}\b|Engangskode:/);
    }
    expect(
      renderSignerNotice({ ...common, kind: 'ACTIVATION', deadline: WINTER_DEADLINE, link: LINK }).text,
    ).not.toContain('engangskode');
  });

  it('renders the one-time code message in both languages, naming the sender and not the document', () => {
    const no = renderOneTimeCode({ senderName: 'Oslo kommune', code: '482913' });
    expect(no.sms).toBe('Engangskode for signering hos Oslo kommune: 482913. Ikke del koden med noen.');
    expect(no.subject).toBe('Engangskode for signering');
    expect(no.text).toContain('Engangskode: 482913');
    expect(no.html).toContain('482913');
    const en = renderOneTimeCode({ senderName: 'Oslo kommune', code: '000123', locale: 'en' });
    expect(en.sms).toBe('One-time code for signing with Oslo kommune: 000123. Do not share it with anyone.');
    expect(en.text).toContain('If you did not ask for it, you can ignore this message.');
  });

  it('escapes everything the sender typed in the HTML, and refuses non-http links', () => {
    const out = renderSignerNotice({
      kind: 'ACTIVATION',
      senderName: 'Evil <script>alert(1)</script> & Co',
      title: '"><img src=x onerror=alert(2)>',
      deadline: WINTER_DEADLINE,
      link: 'javascript:alert(3)',
    });
    expect(out.html).not.toMatch(/<script|<img|onerror=alert\(2\)>|href="javascript/);
    expect(out.html).toContain('Evil &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
    expect(out.html).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    // The plain text keeps the characters as typed: it is not HTML.
    expect(out.text).toContain('Evil <script>alert(1)</script> & Co');
  });
});

describe('html helpers', () => {
  it('escapes the five HTML specials and allows only http(s) hrefs', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(safeHref('https://example.com/a?b=1&c=2')).toBe('https://example.com/a?b=1&amp;c=2');
    expect(safeHref('data:text/html,hi')).toBeUndefined();
    expect(safeHref('not a url')).toBeUndefined();
  });
});

describe('sender notices', () => {
  const base = { title: 'Leieavtale <Storgata 1>', reference: 'sak-17', link: LINK, signed: 1, signers: 2 };

  it('tells of a status change with the full title and the progress', () => {
    const no = renderSenderNotice({ ...base, kind: 'STATUS_CHANGED', status: 'COMPLETED_SUCCESSFULLY' });
    expect(no.subject).toBe('Signeringsoppdraget «Leieavtale <Storgata 1>»: fullført');
    expect(no.text).toContain('(referanse sak-17) har status: fullført.');
    expect(no.text).toContain('1 av 2 har signert.');
    expect(no.html).toContain('«Leieavtale &lt;Storgata 1&gt;»');
    const en = renderSenderNotice({ ...base, kind: 'STATUS_CHANGED', status: 'FAILED', locale: 'en' });
    expect(en.subject).toBe('Signature job "Leieavtale <Storgata 1>": failed');
  });

  it('warns of the deadline and of deletion in Oslo time', () => {
    const deadline = renderSenderNotice({ ...base, kind: 'DEADLINE_SOON', deadline: WINTER_DEADLINE });
    expect(deadline.subject).toBe('Fristen for «Leieavtale <Storgata 1>» går ut om 24 timer');
    expect(deadline.text).toContain('går ut 12. mars 2026 kl. 14:30.');
    const expiry = renderSenderNotice({
      ...base,
      kind: 'DOCUMENTS_EXPIRE_SOON',
      expiresAt: SUMMER_DEADLINE,
      locale: 'en',
    });
    expect(expiry.subject).toBe('The documents of "Leieavtale <Storgata 1>" will be deleted in 4 days');
    expect(expiry.text).toContain('will be deleted 1 July 2026 at 23:05 (Norwegian time).');
    expect(expiry.text).toContain(`View the job: ${LINK}`);
  });
});

describe('sender notice timing', () => {
  const activated = new Date('2026-03-01T08:00:00Z');
  const hours = (h: number) => new Date(activated.getTime() + h * 3_600_000);

  it('warns 24 hours before a deadline only when the deadline was over 48 hours away', () => {
    expect(deadlineWarningAt(activated, hours(48))).toBeUndefined();
    expect(deadlineWarningAt(activated, hours(49))).toEqual(hours(25));
    expect(deadlineWarningAt(activated, hours(30 * 24))).toEqual(hours(29 * 24));
  });

  it('warns 4 days before the documents are deleted', () => {
    expect(documentsExpiryWarningAt(hours(40 * 24))).toEqual(hours(36 * 24));
  });
});
