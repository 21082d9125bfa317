/**
 * The page for a direct-flow link opened again after use (or after it was replaced or expired):
 * it says how the signer's part went and leads back to the sender's site, where the signer came
 * from, through the job's exit URL for that outcome; never to the signing portal, which a direct
 * signer has no use for. The job's title is not shown: opening a link proves no identity.
 */
import type { Context } from 'hono';
import { readSignerJob } from '../../src/db/job-reads.js';
import { redirectTokenSigner, usedLinkExit } from '../../src/services/direct-signers.js';
import type { PageDeps, PageEnv } from './context.js';
import { messagePage } from './layout.js';

export async function usedDirectLinkPage(c: Context<PageEnv>, deps: PageDeps, token: string) {
  const t = c.get('t');
  const signer = token.length > 100 ? null : await redirectTokenSigner(deps.db, token);
  const job = signer ? await readSignerJob(deps.db, signer.jobId, signer.signerId) : undefined;
  const exitUrls = job?.flow === 'direct' ? job.request.exitUrls : undefined;
  if (!job || !exitUrls) return messagePage(c, 410, t('linkGoneTitle'), t('linkGoneText'));
  const exit = usedLinkExit(job.signer.status, exitUrls);
  const text =
    exit.outcome === 'SIGNED'
      ? t('usedLinkSigned')
      : exit.outcome === 'REJECTED'
        ? t('usedLinkRejected')
        : t('linkGoneText');
  const back = (
    <p class="way-on">
      <a class="button" href={exit.url}>
        {t('backToSender', { sender: job.senderName })}
      </a>
    </p>
  );
  return messagePage(c, 410, t('linkGoneTitle'), text, undefined, back);
}
