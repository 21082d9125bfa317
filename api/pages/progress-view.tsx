/** The progress line of every signer screen: where the signer is, who is still to sign, what comes next. */
import type { FC } from 'hono/jsx';
import type { SignerProgress } from '../../src/portal/progress.js';
import type { Lang, Translate } from './i18n.js';
import { formatTime } from './layout.js';

/** What the signer is told about their copy: each sentence only as true as the recorded state. */
export function copyTexts(t: Translate, lang: Lang, p: SignerProgress, senderName: string): string[] {
  const download = p.downloadUntil
    ? t('copyDownloadUntil', { date: formatTime(lang, p.downloadUntil) })
    : t('copyDownloadHere');
  switch (p.copy.kind) {
    case 'SENDER':
      return p.stage === 'COMPLETED' || p.stage === 'STOPPED'
        ? []
        : [t('copySender', { sender: senderName })];
    case 'DOWNLOAD':
      return p.stage === 'COMPLETED' ? [download] : p.stage === 'STOPPED' ? [] : [t('copyDownload')];
    case 'MAILBOX_LATER':
      return p.stage === 'STOPPED' ? [] : [t('copyMailbox')];
    case 'NO_MAILBOX':
      return p.stage === 'STOPPED' ? [] : [t('copyNoMailbox')];
    case 'MAILBOX_IF_ANY':
      return p.stage === 'STOPPED' ? [] : [t('copyMailboxIfAny')];
    case 'MAILBOX_SENDING':
      return [t('copyMailboxSending'), download];
    case 'MAILBOX_SENT':
      return [t('copyMailboxDone'), download];
    case 'MAILBOX_OFFERED':
      return [t('copyMailboxOffered', { date: formatTime(lang, p.copy.until) }), download];
    case 'MAILBOX_NONE':
      return [t('copyMailboxNone'), download];
  }
}

/** The short texts of a signer's progress, in reading order. */
export function progressTexts(t: Translate, lang: Lang, p: SignerProgress, senderName: string): string[] {
  const texts: string[] = [];
  const head: string[] = [];
  if (p.groups > 1) head.push(t('progressGroup', { group: p.group, groups: p.groups }));
  if (p.stage === 'YOUR_TURN' || p.stage === 'NOT_YET') {
    if (p.othersLeft === 1) head.push(t('progressOthersOne'));
    else if (p.othersLeft > 1) head.push(t('progressOthersMany', { n: p.othersLeft }));
  }
  if (head.length > 0) texts.push(head.join(' · '));
  const next = {
    NOT_YET: t('progressNotYet'),
    YOUR_TURN: t('progressYourTurn'),
    SIGNED_WAITING:
      p.othersLeft === 1
        ? t('progressSignedWaitingOne')
        : t('progressSignedWaitingMany', { n: p.othersLeft }),
    SEALING: t('progressSealing'),
    COMPLETED: t('progressCompleted'),
    STOPPED: t('progressStopped'),
  }[p.stage];
  texts.push(next);
  texts.push(...copyTexts(t, lang, p, senderName));
  return texts;
}

export const ProgressLine: FC<{ t: Translate; lang: Lang; progress: SignerProgress; senderName: string }> = ({
  t,
  lang,
  progress,
  senderName,
}) => (
  <section
    class="progress"
    aria-label={t('progressLabel')}
    data-stage={progress.stage}
    data-copy={progress.copy.kind}
  >
    {progressTexts(t, lang, progress, senderName).map((text) => (
      <p>{text}</p>
    ))}
  </section>
);
