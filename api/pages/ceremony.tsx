/**
 * The signing ceremony, both flows: the direct flow's one-time redirect URL lets this browser in
 * and sends it on to the ceremony page; portal signers come from their list or link. The page
 * shows the documents and the sign and reject forms once the right person is logged in at the
 * job's level. A direct ceremony ends at the sender's exit URL with its status_query_token.
 */
import { type Context, Hono } from 'hono';
import { artifactMadeAt } from '../../src/db/job-reads.js';
import { CscError } from '../../src/eid/csc/client.js';
import { documentViewedKey } from '../../src/portal/audit.js';
import {
  type CeremonyAccess,
  type CeremonyJob,
  ceremonyAccess,
  loadCeremonyJob,
  recordCeremonyStep,
  rejectInBrowser,
  rememberSignerLanguage,
  signInBrowser,
  visibleTitle,
} from '../../src/portal/ceremony.js';
import { isWaitingStage, progressStateKey } from '../../src/portal/progress.js';
import {
  beginRemoteSigning,
  chooseProvider,
  finishRemoteSigning,
  pendingRemoteSigning,
  RemoteSigningExpiredError,
} from '../../src/portal/remote-signing.js';
import { addGrant } from '../../src/portal/sessions.js';
import { contentDisposition, signedPdfName } from '../../src/rules/download-name.js';
import { DIRECT_CEREMONY_PATH, redeemRedirectToken } from '../../src/services/direct-signers.js';
import { JobConflictError } from '../../src/services/job-service.js';
import { findArtifact } from '../../src/signatures/artifacts.js';
import { documentKey } from '../../src/storage/index.js';
import { type FormBody, textField } from '../http/form-body.js';
import { CeremonyPage } from './ceremony-views.js';
import { jobDepsOf, type PageDeps, type PageEnv } from './context.js';
import { chosenLanguage } from './i18n.js';
import { messagePage, notFoundPage, type PageNotice, renderPage } from './layout.js';
import { loginUrl } from './login.js';
import { CEREMONY_BASE, ceremonyPath, REMOTE_SIGNING_CALLBACK_PATH } from './paths.js';
import { ensureSession, formTargetsOf, pageCsp, sessionTag } from './session.js';
import { usedDirectLinkPage } from './used-direct-link.js';

const MAX_REASON_LENGTH = 500;

export function ceremonyRoutes(deps: PageDeps) {
  const app = new Hono<PageEnv>();
  const jobDeps = jobDepsOf(deps);

  app.get(`${DIRECT_CEREMONY_PATH}/:token`, async (c) => {
    const session = await ensureSession(c, deps);
    const token = c.req.param('token');
    const signer = token.length > 100 ? null : await redeemRedirectToken(deps.db, token);
    if (!signer) return usedDirectLinkPage(c, deps, token);
    await addGrant(deps.db, session, { ...signer, via: 'DIRECT' });
    await recordCeremonyStep(deps.db, signer, 'CEREMONY_OPENED', c.get('origin'), { via: 'DIRECT' });
    return c.redirect(ceremonyPath(signer.jobId, signer.signerId), 303);
  });

  /**
   * The job, if this browser may act for the signer; otherwise the answer to send (login, refusal
   * or not found). Every route below starts here, so none can skip a check.
   */
  const authorise = async (c: Context<PageEnv>): Promise<{ job: CeremonyJob } | { response: Response }> => {
    const t = c.get('t');
    const job = await loadCeremonyJob(jobDeps, c.req.param('jobId') ?? '', c.req.param('signerId') ?? '');
    const session = c.get('session');
    const access: CeremonyAccess = job
      ? ceremonyAccess(job, session ?? { identity: null, grants: [] })
      : { ok: false, reason: 'NOT_FOUND' };
    if (access.ok && job) return { job };
    if (!job || access.ok || access.reason === 'NOT_FOUND') {
      return { response: await notFoundPage(c) };
    }
    const here = ceremonyPath(job.jobId, job.signerId);
    if (access.reason === 'LOGIN_REQUIRED')
      return { response: c.redirect(loginUrl(here, job.requiredAuthentication), 303) };
    const again = (
      <p>
        <a class="button" href={loginUrl(here, job.requiredAuthentication)}>
          {t('loginAgainAt', { level: job.requiredAuthentication })}
        </a>
      </p>
    );
    if (access.reason === 'LEVEL_TOO_LOW') {
      await recordCeremonyStep(deps.db, job, 'LOGIN_LEVEL_TOO_LOW', c.get('origin'), {
        level: session?.identity?.level,
        required: job.requiredAuthentication,
      });
      const title = t('levelTooLowTitle', { level: job.requiredAuthentication });
      const text = t('levelTooLowText', {
        level: job.requiredAuthentication,
        current: session?.identity?.level ?? '-',
      });
      // Logged in at level 3: only the non-sensitive title may be shown.
      const seen =
        visibleTitle(job, session?.identity?.level) ?? t('nonsensitiveFallback', { sender: job.senderName });
      return {
        response: await messagePage(
          c,
          403,
          title,
          text,
          <>
            {
              <p>
                <strong>{seen}</strong>
              </p>
            }
            {again}
          </>,
        ),
      };
    }
    await recordCeremonyStep(deps.db, job, 'LOGIN_IDENTITY_MISMATCH', c.get('origin'));
    return {
      response: await messagePage(c, 403, t('identityMismatchTitle'), t('identityMismatchText'), again),
    };
  };

  const showCeremony = async (
    c: Context<PageEnv>,
    job: CeremonyJob,
    notice?: PageNotice,
    status: 200 | 409 = 200,
  ) => {
    const session = c.get('session')!;
    const level = session.identity?.level;
    const texts = new Map<string, string>();
    for (const doc of job.documents.filter((d) => d.mimeType === 'text/plain' && d.available)) {
      const bytes = await deps.storage.get(documentKey(job.jobId, doc.id), doc.sha256);
      texts.set(doc.id, bytes ? new TextDecoder().decode(bytes) : '');
    }
    if (job.flow === 'direct')
      c.header('Content-Security-Policy', pageCsp([...job.exitOrigins, ...formTargetsOf(deps)]));
    const title = visibleTitle(job, level) ?? c.get('t')('nonsensitiveFallback', { sender: job.senderName });
    return renderPage(
      c,
      <CeremonyPage
        c={c}
        job={job}
        title={title}
        csrfToken={session.csrfToken}
        texts={texts}
        {...(notice ? { notice } : {})}
        {...(remoteSigningFor(job) ? { signingProviders: [...deps.signingKeys.remote!.keys()] } : {})}
      />,
      status,
    );
  };

  const base = `${CEREMONY_BASE}/:jobId{[0-9a-f-]{36}}/:signerId{[0-9a-f-]{36}}`;

  app.get(base, async (c) => {
    const allowed = await authorise(c);
    if ('response' in allowed) return allowed.response;
    // A language the signer picked (the switch on this page, or earlier in this browser) is also
    // the one their later notices use. Only on the page of a signer this browser may act for.
    const chosen = chosenLanguage(c);
    if (chosen) await rememberSignerLanguage(deps.db, allowed.job, chosen === 'en' ? 'EN' : 'NB');
    const t = c.get('t');
    const done = c.req.query('done');
    const notice =
      done === 'signed'
        ? { kind: 'success' as const, text: `${t('signedTitle')}.` }
        : done === 'rejected'
          ? { kind: 'info' as const, text: `${t('rejectedTitle')}. ${t('rejectedText')}` }
          : undefined;
    return showCeremony(c, allowed.job, notice);
  });

  // What the waiting page's script polls (progress-watch.js): it reloads the page when this
  // changes, so the signer sees the job complete without reloading by hand.
  app.get(`${base}/progress`, async (c) => {
    const allowed = await authorise(c);
    if ('response' in allowed) return allowed.response;
    const { progress } = allowed.job;
    c.header('Cache-Control', 'no-store');
    return c.json({ state: progressStateKey(progress), waiting: isWaitingStage(progress) });
  });

  app.get(`${base}/documents/:documentId`, async (c) => {
    const allowed = await authorise(c);
    if ('response' in allowed) return allowed.response;
    const doc = await deps.db
      .selectFrom('documents')
      .select(['id', 'file_name', 'mime_type', 'sha256'])
      .where('id', '=', c.req.param('documentId'))
      .where('job_id', '=', allowed.job.jobId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    const content = doc ? await deps.storage.get(documentKey(allowed.job.jobId, doc.id), doc.sha256) : null;
    if (!doc || !content) return notFoundPage(c);
    // One "viewed" per document and browser session: the viewer script, a reload or a new tab
    // fetch the same document again without the signer reading it anew (atomic: two fetches at
    // once still record one).
    const session = sessionTag(c.get('session'));
    await recordCeremonyStep(
      deps.db,
      allowed.job,
      'DOCUMENT_VIEWED',
      c.get('origin'),
      { document: { fileName: doc.file_name, sha256: doc.sha256 }, session },
      documentViewedKey(allowed.job.signerId, session, doc.id),
    );
    // Shown inside our own ceremony page only; the file name is ASCII-escaped for the header.
    c.header('Content-Security-Policy', "frame-ancestors 'self'");
    c.header('Content-Disposition', `inline; filename="${doc.file_name.replace(/[^\w.-]/g, '_')}"`);
    const type = doc.mime_type === 'text/plain' ? 'text/plain; charset=utf-8' : doc.mime_type;
    return c.body(new Uint8Array(content), 200, { 'Content-Type': type });
  });

  app.get(`${base}/signed.pdf`, async (c) => {
    const allowed = await authorise(c);
    if ('response' in allowed) return allowed.response;
    const pades = await findArtifact(deps, allowed.job.jobId, 'PADES');
    if (!pades) return notFoundPage(c);
    await recordCeremonyStep(deps.db, allowed.job, 'SIGNED_DOCUMENT_DOWNLOADED', c.get('origin'));
    // Named for the job as this login may see it, and the day it was sealed.
    const title = visibleTitle(allowed.job, c.get('session')?.identity?.level) ?? '';
    const sealedAt = (await artifactMadeAt(deps.db, allowed.job.jobId, 'PADES')) ?? new Date();
    c.header('Content-Disposition', contentDisposition('attachment', signedPdfName(title, sealedAt)));
    return c.body(new Uint8Array(pades), 200, { 'Content-Type': 'application/pdf' });
  });

  /** Where the signer goes once signed or rejected: the sender's exit URL, or the page again. */
  const afterAction = (
    c: Context<PageEnv>,
    job: CeremonyJob,
    kind: 'sign' | 'reject',
    redirectUrl?: string,
  ) =>
    c.redirect(
      redirectUrl ??
        `${ceremonyPath(job.jobId, job.signerId)}?done=${kind === 'sign' ? 'signed' : 'rejected'}`,
      303,
    );

  /** A refusal by the workflow (too late, already done) shows the page again. */
  const refused = async (c: Context<PageEnv>, job: CeremonyJob, err: JobConflictError) => {
    const fresh = (await loadCeremonyJob(jobDeps, job.jobId, job.signerId)) ?? job;
    return showCeremony(
      c,
      fresh,
      { kind: 'error', text: c.get('t')('actionRefused', { message: err.message }) },
      409,
    );
  };

  /** An advanced signature at a remote signing service: nothing is signed; the way back is shown. */
  const remoteFailurePage = (c: Context<PageEnv>, job: { jobId: string; signerId: string }, err: unknown) => {
    const t = c.get('t');
    const back = (
      <p>
        <a class="button" href={ceremonyPath(job.jobId, job.signerId)}>
          {t('backToDocument')}
        </a>
      </p>
    );
    if (!(err instanceof CscError)) {
      return messagePage(c, 410, t('remoteSigningGoneTitle'), t('remoteSigningGoneText'), back);
    }
    const text = {
      refused: 'remoteSigningRefused',
      unavailable: 'remoteSigningUnavailable',
      'wrong-person': 'remoteSigningWrongPerson',
      'wrong-signature': 'remoteSigningWrongSignature',
      'no-credential': 'remoteSigningNoCredential',
      protocol: 'remoteSigningError',
    } as const;
    return messagePage(
      c,
      err.failure === 'unavailable' ? 502 : 409,
      t('remoteSigningFailedTitle'),
      t(text[err.failure], { provider: err.provider }),
      back,
    );
  };

  const remoteSigningFor = (job: CeremonyJob) =>
    deps.signingKeys.remote !== undefined && job.signer.signatureType === 'ADVANCED_SIGNATURE';
  const remoteCallbackUrl = `${deps.config.PUBLIC_URL.replace(/\/+$/, '')}${REMOTE_SIGNING_CALLBACK_PATH}`;

  /** Runs sign or reject through the one signer path. */
  const act = async (c: Context<PageEnv>, kind: 'sign' | 'reject') => {
    const allowed = await authorise(c);
    if ('response' in allowed) return allowed.response;
    const { job } = allowed;
    const ctx = { deps: jobDeps, signingKeys: deps.signingKeys, origin: c.get('origin') };
    const session = c.get('session')!;
    const identity = session.identity!;
    try {
      if (kind === 'sign' && remoteSigningFor(job)) {
        // Off to the provider: the signature is made when the person comes back (the callback).
        if (!job.signer.mayAct) throw new JobConflictError('NOT_ACTIVE', c.get('t')('mayNotActText'));
        const url = await beginRemoteSigning(ctx, job, identity, {
          client: chooseProvider(deps.signingKeys.remote!, textField(c.get('form'), 'provider')),
          redirectUri: remoteCallbackUrl,
          sessionTag: sessionTag(session),
          description: `${visibleTitle(job, identity.level) ?? job.senderName} (${job.senderName})`,
        });
        return c.redirect(url, 303);
      }
      const result =
        kind === 'sign'
          ? await signInBrowser(ctx, job, identity)
          : await rejectInBrowser(ctx, job, reasonOf(c.get('form')));
      return afterAction(c, job, kind, result.redirectUrl);
    } catch (err) {
      if (err instanceof CscError) return remoteFailurePage(c, job, err);
      if (!(err instanceof JobConflictError)) throw err;
      return refused(c, job, err);
    }
  };

  app.post(`${base}/sign`, (c) => act(c, 'sign'));
  app.post(`${base}/reject`, (c) => act(c, 'reject'));

  // Back from the remote signing service's approval page (OAuth 2.0 redirect URI).
  app.get(REMOTE_SIGNING_CALLBACK_PATH, async (c) => {
    const session = c.get('session');
    const remote = deps.signingKeys.remote;
    const pending =
      session && remote
        ? await pendingRemoteSigning(deps.db, c.req.query('state') ?? '', sessionTag(session))
        : undefined;
    if (!session?.identity || !remote || !pending) {
      const t = c.get('t');
      return messagePage(c, 410, t('remoteSigningGoneTitle'), t('remoteSigningGoneText'));
    }
    const job = await loadCeremonyJob(jobDeps, pending.job_id, pending.signer_id);
    if (!job || !ceremonyAccess(job, session).ok) return notFoundPage(c);
    const client = remote.get(pending.provider);
    if (!client) return remoteFailurePage(c, job, new RemoteSigningExpiredError());
    const ctx = { deps: jobDeps, signingKeys: deps.signingKeys, origin: c.get('origin') };
    const query = { code: c.req.query('code'), error: c.req.query('error') };
    try {
      const result = await finishRemoteSigning(ctx, job, session.identity, {
        pending,
        client,
        query: {
          ...(query.code ? { code: query.code } : {}),
          ...(query.error ? { error: query.error } : {}),
        },
        redirectUri: remoteCallbackUrl,
      });
      return afterAction(c, job, 'sign', result.redirectUrl);
    } catch (err) {
      if (err instanceof CscError || err instanceof RemoteSigningExpiredError)
        return remoteFailurePage(c, job, err);
      if (!(err instanceof JobConflictError)) throw err;
      return refused(c, job, err);
    }
  });

  return app;
}

function reasonOf(form: FormBody): string | undefined {
  const reason = textField(form, 'reason').trim();
  return reason ? reason.slice(0, MAX_REASON_LENGTH) : undefined;
}
