/**
 * The signing portal: the logged-in person's jobs (those waiting for them now, and signed ones to
 * download), and the way in for signers addressed by e-mail or mobile: their unique link and the
 * one-time code. Too many wrong codes block the signer, which ends the job (signerFailed BLOCKED).
 */
import { type Context, Hono } from 'hono';
import { recordCeremonyStep } from '../../src/portal/ceremony.js';
import { listPersonJobs, type PersonJob } from '../../src/portal/person-jobs.js';
import { addGrant } from '../../src/portal/sessions.js';
import { checkSignerCode, SIGNER_LINK_PATH, signerLinkState } from '../../src/portal/signer-links.js';
import { failSigner, JobConflictError } from '../../src/services/signature-jobs.js';
import { textField } from '../form-body.js';
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
          {waiting.map((job) => (
            <li>
              <a href={ceremonyPath(job.jobId, job.signerId)}>
                <strong>{titleOf(job)}</strong>
              </a>
              <div>{t('fromSender', { sender: job.senderName })}</div>
              {job.deadline ? <div>{t('deadline', { date: formatTime(lang, job.deadline) })}</div> : null}
              {job.requiredAuthentication > level ? (
                <div>{t('requiresLevel', { level: job.requiredAuthentication })}</div>
              ) : null}
            </li>
          ))}
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
                  {job.progress ? (
                    <ProgressLine t={t} progress={job.progress} senderName={job.senderName} />
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
                  <a href={signedPdfPath(job.jobId, job.signerId)}>{t('downloadSigned')}</a>
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </Layout>,
    );
  });

  const codeForm = (c: Context<PageEnv>, csrfToken: string, error?: string) => {
    const t = c.get('t');
    return renderPage(
      c,
      <Layout c={c} title={t('codeTitle')}>
        <p>{t('codeIntro')}</p>
        {error ? <Notice kind="error">{error}</Notice> : null}
        <form method="post" action={c.req.path}>
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
      </Layout>,
      error ? 400 : 200,
    );
  };

  const blocked = (c: Context<PageEnv>) =>
    messagePage(c, 403, c.get('t')('codeBlockedTitle'), c.get('t')('codeBlockedText'));
  const gone = (c: Context<PageEnv>) =>
    messagePage(c, 404, c.get('t')('linkGoneTitle'), c.get('t')('linkGoneText'));

  app.get(`${SIGNER_LINK_PATH}/:token`, async (c) => {
    const session = await ensureSession(c, deps);
    const link = await signerLinkState(deps.db, c.req.param('token'));
    if (link.state === 'UNKNOWN') return gone(c);
    if (link.state === 'BLOCKED') return blocked(c);
    if (session.grants.some((g) => g.signerId === link.signerId))
      return c.redirect(ceremonyPath(link.jobId, link.signerId), 303);
    return codeForm(c, session.csrfToken);
  });

  app.post(`${SIGNER_LINK_PATH}/:token`, async (c) => {
    const session = c.get('session')!;
    const code = textField(c.get('form'), 'code');
    const check = await checkSignerCode(deps.db, c.req.param('token'), code);
    const origin = c.get('origin');
    if (check.ok) {
      await addGrant(deps.db, session, { jobId: check.jobId, signerId: check.signerId, via: 'LINK' });
      await recordCeremonyStep(deps.db, check, 'LINK_CODE_ACCEPTED', origin);
      return c.redirect(ceremonyPath(check.jobId, check.signerId), 303);
    }
    if (check.reason === 'UNKNOWN') return gone(c);
    if (check.reason === 'BLOCKED') {
      if (check.justBlocked) {
        await recordCeremonyStep(deps.db, check, 'SIGNER_BLOCKED', origin);
        try {
          await failSigner(jobDeps, check.jobId, { signerId: check.signerId, status: 'BLOCKED' });
        } catch (err) {
          // The job may have ended meanwhile; the signer is blocked here either way.
          if (!(err instanceof JobConflictError)) throw err;
        }
      }
      return blocked(c);
    }
    await recordCeremonyStep(deps.db, check, 'LINK_CODE_REJECTED', origin, {
      attemptsLeft: check.attemptsLeft,
    });
    return codeForm(c, session.csrfToken, c.get('t')('codeWrong', { n: check.attemptsLeft }));
  });

  return app;
}
