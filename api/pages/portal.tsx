/**
 * The signing portal: the logged-in person's jobs (those waiting for them now, and signed ones to
 * download), and the way in for signers addressed by e-mail or mobile: their unique link and the
 * one-time code, sent on request over the other channel than the link (or none where the sender
 * gave one channel only). Wrong codes delay the next try; they never end the job.
 */
import { type Context, Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { recordCeremonyStep } from '../../src/portal/ceremony.js';
import { codeDestination, sendSignerCode } from '../../src/portal/code-delivery.js';
import type { CodeChannel } from '../../src/portal/code-rules.js';
import { listPersonJobs, type PersonJob } from '../../src/portal/person-jobs.js';
import { addGrant } from '../../src/portal/sessions.js';
import {
  checkSignerCode,
  type OpenLink,
  SIGNER_LINK_PATH,
  signerLinkState,
} from '../../src/portal/signer-links.js';
import { textField } from '../http/form-body.js';
import { jobDepsOf, type PageDeps, type PageEnv } from './context.js';
import { CsrfField, formatTime, Layout, messagePage, Notice, renderPage } from './layout.js';
import { loginUrl } from './login.js';
import { ceremonyPath, PORTAL_PATH, signedPdfPath } from './paths.js';
import { ProgressLine } from './progress-view.js';
import { ensureSession } from './session.js';

export function portalRoutes(deps: PageDeps) {
  const app = new Hono<PageEnv>();
  const jobDeps = jobDepsOf(deps);

  app.get(PORTAL_PATH, async (c) => {
    const session = c.get('session');
    if (!session?.identity) return c.redirect(loginUrl(PORTAL_PATH), 303);
    const t = c.get('t');
    const lang = c.get('lang');
    const level = session.identity.level;
    const { waiting, signed, completed } = await listPersonJobs(jobDeps, {
      pid: session.identity.pid,
      grants: session.grants,
    });
    // At level 3 a job is listed by its non-sensitive title only.
    const titleOf = (job: PersonJob) =>
      level === 4
        ? job.title
        : (job.nonsensitiveTitle ?? t('nonsensitiveFallback', { sender: job.senderName }));
    return renderPage(
      c,
      <Layout c={c} title={t('portalTitle')}>
        <h2>{t('waitingHeading')}</h2>
        {waiting.length === 0 ? <p>{t('noneWaiting')}</p> : null}
        <ul class="jobs">
          {waiting.map((job) => {
            // A job that needs a higher level than this login's leads straight to a login at that
            // level, which returns to the job (not to a refusal and a second login).
            const stepUp = job.requiredAuthentication > level;
            const href = stepUp
              ? loginUrl(ceremonyPath(job.jobId, job.signerId), job.requiredAuthentication)
              : ceremonyPath(job.jobId, job.signerId);
            return (
              <li>
                <a href={href}>
                  <strong>{titleOf(job)}</strong>
                </a>
                <div>{t('fromSender', { sender: job.senderName })}</div>
                {job.deadline ? <div>{t('deadline', { date: formatTime(lang, job.deadline) })}</div> : null}
                {stepUp ? (
                  <div>
                    {t('requiresLevel', { level: job.requiredAuthentication })}:{' '}
                    <a class="step-up" href={href}>
                      {t('loginAgainAt', { level: job.requiredAuthentication })}
                    </a>
                  </div>
                ) : null}
              </li>
            );
          })}
        </ul>
        {signed.length > 0 ? (
          <>
            <h2>{t('signedWaitingHeading')}</h2>
            <ul class="jobs">
              {signed.map((job) => (
                <li>
                  <a href={ceremonyPath(job.jobId, job.signerId)}>
                    <strong>{titleOf(job)}</strong>
                  </a>
                  <div>{t('fromSender', { sender: job.senderName })}</div>
                  <SignedItemDates c={c} job={job} />
                  {job.progress ? (
                    <ProgressLine t={t} lang={lang} progress={job.progress} senderName={job.senderName} />
                  ) : null}
                </li>
              ))}
            </ul>
          </>
        ) : null}
        {completed.length > 0 ? (
          <>
            <h2>{t('completedHeading')}</h2>
            <ul class="jobs">
              {completed.map((job) => (
                <li>
                  <strong>{titleOf(job)}</strong>
                  <div>{t('fromSender', { sender: job.senderName })}</div>
                  <SignedItemDates c={c} job={job} />
                  <a href={signedPdfPath(job.jobId, job.signerId)}>{t('downloadSigned')}</a>
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </Layout>,
    );
  });

  /** A time on the page to the second (waits are seconds to an hour), Oslo time. */
  const clock = (c: Context<PageEnv>, at: Date) =>
    new Intl.DateTimeFormat(c.get('lang') === 'nb' ? 'nb-NO' : 'en-GB', {
      timeZone: 'Europe/Oslo',
      timeStyle: 'medium',
    }).format(at);

  /**
   * The link's page where a code is needed: how the code comes (asked for here, sent over the
   * other channel at once), when one was sent, the wait after wrong codes, and the code field.
   */
  const codePage = async (
    c: Context<PageEnv>,
    link: OpenLink,
    csrfToken: string,
    error?: { text: string; status: 400 | 429 | 503 },
  ) => {
    const t = c.get('t');
    const path = `${SIGNER_LINK_PATH}/${c.req.param('token')}`;
    const sends = link.codeChannel === 'SMS' || link.codeChannel === 'EMAIL';
    const where = sends
      ? await codeDestination(deps.db, link.signerId, link.codeChannel as CodeChannel)
      : null;
    const intro = !sends
      ? t('codeIntro')
      : where && 'end' in where
        ? t('codeIntroSms', { end: where.end })
        : t('codeIntroEmail', { address: where && 'address' in where ? where.address : '…' });
    const mayResend = link.nextSendAt !== null && link.nextSendAt <= link.now;
    return renderPage(
      c,
      <Layout c={c} title={t('codeTitle')}>
        <p>{intro}</p>
        {error ? <Notice kind="error">{error.text}</Notice> : null}
        {!error && link.nextTryAt ? (
          <Notice>{t('codeWait', { time: clock(c, link.nextTryAt) })}</Notice>
        ) : null}
        {sends && link.codeSentAt ? <p>{t('codeSentAt', { time: clock(c, link.codeSentAt) })}</p> : null}
        {sends && link.nextSendAt === null ? <p>{t('codeNoMoreSends')}</p> : null}
        {sends && link.nextSendAt && !mayResend ? (
          <p>{t('codeResendAt', { time: clock(c, link.nextSendAt) })}</p>
        ) : null}
        {sends && mayResend ? (
          <form method="post" action={`${path}/send-code`}>
            <CsrfField token={csrfToken} />
            <button type="submit">{t(link.codesSent > 0 ? 'codeResendButton' : 'codeSendButton')}</button>
          </form>
        ) : null}
        {link.hasCode ? (
          <form method="post" action={path}>
            <CsrfField token={csrfToken} />
            <label for="code">{t('codeLabel')}</label>
            <input
              type="text"
              id="code"
              name="code"
              inputmode="numeric"
              autocomplete="one-time-code"
              maxlength={6}
              required
            />
            <button type="submit">{t('codeButton')}</button>
          </form>
        ) : null}
      </Layout>,
      error?.status ?? 200,
    );
  };

  /**
   * The link's page where the sender gave one channel only: no code (it would travel with the
   * link), and the page says what proves the signer instead: the eID login that follows.
   */
  const linkOnlyPage = (c: Context<PageEnv>, csrfToken: string) => {
    const t = c.get('t');
    return renderPage(
      c,
      <Layout c={c} title={t('linkOnlyTitle')}>
        <p>{t('linkOnlyText')}</p>
        <form method="post" action={`${SIGNER_LINK_PATH}/${c.req.param('token')}/continue`}>
          <CsrfField token={csrfToken} />
          <button type="submit">{t('linkOnlyButton')}</button>
        </form>
      </Layout>,
    );
  };

  const gone = (c: Context<PageEnv>) =>
    messagePage(c, 404, c.get('t')('linkGoneTitle'), c.get('t')('linkGoneText'));

  /** The page for an open link, with an error of the last action if any. */
  const linkPage = (
    c: Context<PageEnv>,
    link: OpenLink,
    csrfToken: string,
    error?: { text: string; status: 400 | 429 | 503 },
  ) => (link.codeChannel === 'NONE' ? linkOnlyPage(c, csrfToken) : codePage(c, link, csrfToken, error));

  app.get(`${SIGNER_LINK_PATH}/:token`, async (c) => {
    const session = await ensureSession(c, deps);
    const link = await signerLinkState(deps.db, c.req.param('token'));
    if (link.state === 'UNKNOWN') return gone(c);
    if (session.grants.some((g) => g.signerId === link.signerId))
      return c.redirect(ceremonyPath(link.jobId, link.signerId), 303);
    return linkPage(c, link, session.csrfToken);
  });

  /** Sends a (new) code over the link's code channel, then shows the page again. */
  app.post(`${SIGNER_LINK_PATH}/:token/send-code`, async (c) => {
    const session = c.get('session')!;
    const token = c.req.param('token');
    const t = c.get('t');
    const sent = await sendSignerCode(
      {
        db: deps.db,
        ...(deps.notifications ? { notifications: deps.notifications } : {}),
        ...(deps.prices ? { prices: deps.prices } : {}),
      },
      token,
      c.get('lang') === 'nb' ? 'no' : 'en',
    );
    if (sent.ok) {
      await recordCeremonyStep(deps.db, sent, 'LINK_CODE_SENT', c.get('origin'), { channel: sent.channel });
      return c.redirect(`${SIGNER_LINK_PATH}/${token}`, 303);
    }
    const link = await signerLinkState(deps.db, token);
    if (sent.reason === 'UNKNOWN' || link.state === 'UNKNOWN') return gone(c);
    if (sent.reason === 'NOT_NOW') {
      const text = sent.nextSendAt
        ? t('codeResendAt', { time: clock(c, sent.nextSendAt) })
        : t('codeNoMoreSends');
      return linkPage(c, link, session.csrfToken, { text, status: 429 });
    }
    if (sent.reason === 'NOT_SENT')
      return linkPage(c, link, session.csrfToken, { text: t('codeNotSent'), status: 503 });
    return linkPage(c, link, session.csrfToken);
  });

  /** A link without a code (one channel only): possession of the link, then the eID login. */
  app.post(`${SIGNER_LINK_PATH}/:token/continue`, async (c) => {
    const session = c.get('session')!;
    const token = c.req.param('token');
    const link = await signerLinkState(deps.db, token);
    if (link.state === 'UNKNOWN') return gone(c);
    if (link.codeChannel !== 'NONE') return c.redirect(`${SIGNER_LINK_PATH}/${token}`, 303);
    await addGrant(deps.db, session, { jobId: link.jobId, signerId: link.signerId, via: 'LINK' });
    await recordCeremonyStep(deps.db, link, 'LINK_ACCEPTED_WITHOUT_CODE', c.get('origin'));
    return c.redirect(ceremonyPath(link.jobId, link.signerId), 303);
  });

  app.post(`${SIGNER_LINK_PATH}/:token`, async (c) => {
    const session = c.get('session')!;
    const token = c.req.param('token');
    const t = c.get('t');
    const code = textField(c.get('form'), 'code');
    const check = await checkSignerCode(deps.db, token, code);
    const origin = c.get('origin');
    if (check.ok) {
      await addGrant(deps.db, session, { jobId: check.jobId, signerId: check.signerId, via: 'LINK' });
      await recordCeremonyStep(deps.db, check, 'LINK_CODE_ACCEPTED', origin);
      return c.redirect(ceremonyPath(check.jobId, check.signerId), 303);
    }
    const link = await signerLinkState(deps.db, token);
    if (check.reason === 'UNKNOWN' || link.state === 'UNKNOWN') return gone(c);
    switch (check.reason) {
      case 'MALFORMED':
        return linkPage(c, link, session.csrfToken, { text: t('codeMalformed'), status: 400 });
      case 'NO_CODE':
        return linkPage(c, link, session.csrfToken, { text: t('codeAskFirst'), status: 400 });
      case 'WAIT':
        c.header(
          'Retry-After',
          String(Math.max(1, Math.ceil((check.nextTryAt.getTime() - link.now.getTime()) / 1000))),
        );
        return linkPage(c, link, session.csrfToken, {
          text: t('codeWait', { time: clock(c, check.nextTryAt) }),
          status: 429,
        });
      case 'WRONG_CODE': {
        await recordCeremonyStep(deps.db, check, 'LINK_CODE_REJECTED', origin, {
          failedAttempts: check.failedAttempts,
          ...(check.nextTryAt ? { nextTryAt: check.nextTryAt.toISOString() } : {}),
        });
        const text = check.nextTryAt
          ? t('codeWrongWait', { time: clock(c, check.nextTryAt) })
          : t('codeWrong');
        return linkPage(c, link, session.csrfToken, { text, status: 400 });
      }
    }
  });

  return app;
}

/** A signed item's dates, from the recorded state: signed on, and the deadline or the completion. */
const SignedItemDates: FC<{ c: Context<PageEnv>; job: PersonJob }> = ({ c, job }) => {
  const t = c.get('t');
  const lang = c.get('lang');
  const lines = [
    job.signedAt ? t('signedOn', { date: formatTime(lang, job.signedAt) }) : null,
    job.completedAt ? t('completedOn', { date: formatTime(lang, job.completedAt) }) : null,
    job.jobDeadline ? t('othersDeadline', { date: formatTime(lang, job.jobDeadline) }) : null,
  ].filter((l) => l !== null);
  return lines.length === 0 ? null : (
    <div class="item-dates">
      {lines.map((l) => (
        <div>{l}</div>
      ))}
    </div>
  );
};
