/** The progress line of every signer screen: where the signer is, who is still to sign, what comes next. */
import type { FC } from 'hono/jsx';
import type { SignerProgress } from '../../src/portal/progress.js';
import type { Translate } from './i18n.js';

/** The short texts of a signer's progress, in reading order. */
export function progressTexts(t: Translate, p: SignerProgress, senderName: string): string[] {
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
  if (p.stage === 'COMPLETED' && p.delivery === 'MAILBOX') texts.push(t('copyMailboxDone'));
  if (p.stage === 'NOT_YET' || p.stage === 'YOUR_TURN' || p.stage === 'SIGNED_WAITING') {
    texts.push(
      p.delivery === 'MAILBOX'
        ? t('copyMailbox')
        : p.delivery === 'DOWNLOAD'
          ? t('copyDownload')
          : t('copySender', { sender: senderName }),
    );
  }
  return texts;
}

export const ProgressLine: FC<{ t: Translate; progress: SignerProgress; senderName: string }> = ({
  t,
  progress,
  senderName,
}) => (
  <section class="progress" aria-label={t('progressLabel')} data-stage={progress.stage}>
    {progressTexts(t, progress, senderName).map((text) => (
      <p>{text}</p>
    ))}
  </section>
);
