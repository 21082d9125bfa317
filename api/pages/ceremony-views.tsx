/** The ceremony page's parts: the documents to read, and the sign and reject forms. */
import type { Context } from 'hono';
import type { FC } from 'hono/jsx';
import type { CeremonyJob } from '../../src/portal/ceremony.js';
import { isWaitingStage, progressStateKey } from '../../src/portal/progress.js';
import type { PageEnv } from './context.js';
import { statusText } from './i18n.js';
import { CsrfField, formatTime, Layout, Notice, type PageNotice } from './layout.js';
import { NextStepLine } from './next-step-view.js';
import {
  ceremonyPath,
  DOCUMENT_VIEWER_PATH,
  documentPath,
  PORTAL_PATH,
  PROGRESS_WATCH_PATH,
  progressStatePath,
  signedPdfPath,
} from './paths.js';
import { ProgressLine } from './progress-view.js';

export interface CeremonyPageProps {
  c: Context<PageEnv>;
  job: CeremonyJob;
  title: string;
  csrfToken: string;
  /** The text of each text/plain document, by document id. */
  texts: Map<string, string>;
  notice?: PageNotice;
  /** Remote signing services the signer picks from (SIGNING_KEYS=csc, advanced signatures). */
  signingProviders?: string[];
}

const DocumentView: FC<{
  c: Context<PageEnv>;
  job: CeremonyJob;
  doc: CeremonyJob['documents'][number];
  text?: string;
}> = ({ c, job, doc, text }) => {
  const t = c.get('t');
  const src = documentPath(job.jobId, job.signerId, doc.id);
  const open = (
    <p>
      <a href={src} target="_blank" rel="noopener">
        {t('documentOpen', { title: doc.title })}
      </a>
    </p>
  );
  if (!doc.available) {
    return (
      <section class="document" aria-labelledby={`doc-${doc.id}`}>
        <h3 id={`doc-${doc.id}`}>{doc.title}</h3>
        <p>{t('documentDeleted')}</p>
      </section>
    );
  }
  if (doc.mimeType === 'text/plain') {
    return (
      <section class="document" aria-labelledby={`doc-${doc.id}`}>
        <h3 id={`doc-${doc.id}`}>{doc.title}</h3>
        <pre tabindex={0}>{text ?? ''}</pre>
        {open}
      </section>
    );
  }
  // Rendered page by page by the document viewer script (pdf.js) at the page's width; without
  // scripts the browser's own viewer shows it (inside <noscript>, so a browser running the script
  // does not fetch the document twice), and the link opens it in a tab either way.
  return (
    <section class="document" aria-labelledby={`doc-${doc.id}`}>
      <h3 id={`doc-${doc.id}`}>{doc.title}</h3>
      <p class="page-count" aria-live="polite" />
      <div
        class="pdf-view"
        data-pdf={src}
        data-pages-one={t('pageCountOne')}
        data-pages-many={t('pageCount', { n: '{n}' })}
        data-loading={t('documentLoading')}
        data-failed={t('documentRenderFailed')}
        data-page-label={t('pageLabel', { title: doc.title, n: '{n}', of: '{of}' })}
        data-frame-title={t('documentFrameTitle', { title: doc.title })}
      >
        <noscript>
          <object data={src} type="application/pdf" title={t('documentFrameTitle', { title: doc.title })}>
            {open}
          </object>
        </noscript>
      </div>
      {open}
    </section>
  );
};

/** The job's deadline while it runs, and who else signs with what status. */
const OtherSigners: FC<{ c: Context<PageEnv>; job: CeremonyJob }> = ({ c, job }) => {
  const t = c.get('t');
  const { others } = job.progress;
  const running = job.jobStatus === 'IN_PROGRESS';
  if (others.length === 0 && !(running && job.deadline)) return null;
  return (
    <section class="card signers" aria-labelledby="signers-heading">
      <h2 id="signers-heading">{t('otherSignersHeading')}</h2>
      {running && job.deadline ? (
        <p class="deadline">{t('signDeadline', { date: formatTime(c.get('lang'), job.deadline) })}</p>
      ) : null}
      {others.length > 0 ? (
        <ul class="other-signers">
          {others.map((o) => (
            <li data-other-signer={o.number}>
              {o.name ?? t('signerNumber', { n: o.number })}
              {job.progress.groups > 1
                ? ` (${t('progressGroup', { group: o.group, groups: job.progress.groups })})`
                : ''}
              {': '}
              <span class="other-status">{statusText(t, 'signer', o.status)}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
};

export const CeremonyPage: FC<CeremonyPageProps> = ({
  c,
  job,
  title,
  csrfToken,
  texts,
  notice,
  signingProviders,
}) => {
  const t = c.get('t');
  const base = ceremonyPath(job.jobId, job.signerId);
  const hasPdf = job.documents.some((d) => d.available && d.mimeType === 'application/pdf');
  const watch = isWaitingStage(job.progress);
  const scripts = [...(hasPdf ? [DOCUMENT_VIEWER_PATH] : []), ...(watch ? [PROGRESS_WATCH_PATH] : [])];
  return (
    <Layout c={c} title={title} scripts={scripts}>
      <p>{t('fromSender', { sender: job.senderName })}</p>
      {notice ? <Notice kind={notice.kind}>{notice.text}</Notice> : null}
      <div
        data-state={progressStateKey(job.progress)}
        {...(watch ? { 'data-watch': progressStatePath(job.jobId, job.signerId) } : {})}
      >
        <ProgressLine t={t} lang={c.get('lang')} progress={job.progress} senderName={job.senderName} />
        {watch ? (
          <p class="hint" data-updates-itself>
            {t('pageUpdatesItself')}
          </p>
        ) : null}
        <NextStepLine t={t} lang={c.get('lang')} step={job.next} />
        <OtherSigners c={c} job={job} />
      </div>
      {job.hasPades ? (
        <p>
          <a class="button" href={signedPdfPath(job.jobId, job.signerId)}>
            {t('downloadSigned')}
          </a>
        </p>
      ) : null}
      {job.description ? <p class="card">{job.description}</p> : null}
      <h2>{t('documentsHeading')}</h2>
      {job.documents.map((doc) => (
        <DocumentView c={c} job={job} doc={doc} text={texts.get(doc.id)} />
      ))}
      {job.signer.mayAct ? (
        <>
          <form method="post" action={`${base}/sign`} class="card sign">
            <h2>{t('signHeading')}</h2>
            <CsrfField token={csrfToken} />
            <p>{t('signExplain')}</p>
            {signingProviders && signingProviders.length > 0 ? (
              signingProviders.map((provider) => (
                <button type="submit" name="provider" value={provider}>
                  {t('signWithProvider', { provider })}
                </button>
              ))
            ) : (
              <button type="submit">{t('signButton')}</button>
            )}
          </form>
          {/* Rejecting is possible but not the way forward: behind a disclosure, a plain button. */}
          <details class="reject">
            <summary>{t('rejectHeading')}</summary>
            <form method="post" action={`${base}/reject`}>
              <CsrfField token={csrfToken} />
              <label for="reason">{t('reasonLabel')}</label>
              <textarea id="reason" name="reason" maxlength={500} />
              <button type="submit" class="secondary">
                {t('rejectButton')}
              </button>
            </form>
          </details>
        </>
      ) : job.progress.stage === 'STOPPED' ? (
        <p>{t('signerStatusText', { status: statusText(t, 'signer', job.signer.status) })}</p>
      ) : null}
      {job.flow === 'portal' ? (
        <p>
          <a href={PORTAL_PATH}>{t('toPortal')}</a>
        </p>
      ) : null}
    </Layout>
  );
};
