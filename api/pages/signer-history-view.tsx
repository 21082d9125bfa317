/** A signer's history on the sender's job page, in words (src/rules/signer-history.ts orders it). */
import type { FC } from 'hono/jsx';
import type { HistoryEntry } from '../../src/rules/signer-history.js';
import { type Lang, statusText, type Translate } from './i18n.js';
import { formatTime } from './layout.js';

/** One entry as a sentence, in the page's language. */
export function historyText(t: Translate, lang: Lang, e: HistoryEntry): string {
  const date = 'at' in e && e.at ? formatTime(lang, e.at) : '';
  switch (e.kind) {
    case 'NOTIFIED': {
      const channel = t(e.channel === 'EMAIL' ? 'channel_EMAIL' : 'channel_SMS');
      const key =
        e.notice === 'FIRST' ? 'histNotified' : e.notice === 'REMINDER' ? 'histReminded' : 'histCancelNotice';
      return t(key, { date, channel });
    }
    case 'OPENED':
      return t('histOpened', { date });
    case 'LOGGED_IN': {
      const vars = { date, level: e.level ?? '?', provider: e.provider ?? '?' };
      return e.eid ? t('histLoggedIn', { ...vars, eid: e.eid }) : t('histLoggedInNoEid', vars);
    }
    case 'SIGNED':
      return t('histSigned', { date });
    case 'REJECTED':
      return e.reason ? t('histRejected', { date, reason: e.reason }) : t('histRejectedNoReason', { date });
    case 'ENDED':
      if (e.status === 'EXPIRED') return t('histExpired', { date });
      if (e.status === 'CANCELLED') return t('histCancelled', { date });
      return t('histEnded', { date, status: statusText(t, 'signer', e.status) });
    case 'COPY_DELIVERED':
      return e.at ? t('histCopyDelivered', { date }) : t('histCopyDeliveredUndated');
    case 'COPY_OFFERED':
      return t('histCopyOffered', { date: formatTime(lang, e.until) });
    case 'COPY_NOT_DELIVERED':
      return t('histCopyNotDelivered', { date: formatTime(lang, e.until) });
    case 'HELD':
      return t('histHeld', { time: formatTime(lang, e.until) });
  }
}

export const SignerHistory: FC<{ t: Translate; lang: Lang; entries: HistoryEntry[] }> = ({
  t,
  lang,
  entries,
}) => (
  <details class="signer-history" open>
    <summary>{t('historyHeading')}</summary>
    {entries.length === 0 ? (
      <p>{t('historyEmpty')}</p>
    ) : (
      <ol>
        {entries.map((e) => (
          <li data-event={e.kind}>{historyText(t, lang, e)}</li>
        ))}
      </ol>
    )}
  </details>
);
