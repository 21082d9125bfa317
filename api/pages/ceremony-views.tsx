/**
 * The ceremony page's parts: the list of documents with their marks, the documents to read (pages
 * or reading mode, drawn by the viewer script), and the bar with the sign and reject forms that
 * stays at the foot of the screen.
 */
import type { Context } from 'hono';
import type { Child, FC } from 'hono/jsx';
import { type CeremonyJob, type DocumentMark, documentMark } from '../../src/portal/ceremony.js';
import { isWaitingStage, progressStateKey } from '../../src/portal/progress.js';
import type { PageEnv } from './context.js';
import { statusText, type TextKey } from './i18n.js';
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

type Doc = CeremonyJob['documents'][number];

const MARK_TEXT = {
  SIGNED: 'docMarkSigned',
  REJECTED: 'docMarkRejected',
  OPENED: 'docMarkOpened',
  NOT_OPENED: 'docMarkNotOpened',
  DELETED: 'docMarkDeleted',
} as const satisfies Record<DocumentMark, TextKey>;

const docAnchor = (doc: Doc) => `doc-${doc.id}`;

/**
 * One document: "Document n of N" where there are several, its title, and its content (the PDF
 * drawn by the viewer script; text documents as text), the link to open it, and the way on to the
 * next document.
 */
const DocumentView: FC<{
  c: Context<PageEnv>;
  job: CeremonyJob;
  doc: Doc;
  index: number;
  text?: string;
}> = ({ c, job, doc, index, text }) => {
  const t = c.get('t');
  const src = documentPath(job.jobId, job.signerId, doc.id);
  const count = job.documents.length;
  const next = job.documents[index + 1];
  const open = (
    <p>
      <a href={src} target="_blank" rel="noopener">
        {t('documentOpen', { title: doc.title })}
      </a>
    </p>
  );
  const heading = (
    <>
      {count > 1 ? <p class="doc-n">{t('documentNofN', { n: index + 1, of: count })}</p> : null}
      <h3 id={`${docAnchor(doc)}-title`}>{doc.title}</h3>
    </>
  );
  const nextLink = next ? (
    <p class="next-doc">
      <a href={`#${docAnchor(next)}`}>{t('nextDocument', { title: next.title })}</a>
    </p>
  ) : null;
  const section = (body: Child) => (
    <section
      class="document"
      id={docAnchor(doc)}
      aria-labelledby={`${docAnchor(doc)}-title`}
      data-doc={index + 1}
      data-doc-id={doc.id}
    >
      {heading}
      {body}
      {nextLink}
    </section>
  );
  if (!doc.available) return section(<p>{t('documentDeleted')}</p>);
  if (doc.mimeType === 'text/plain') {
    return section(
      <>
        <pre tabindex={0}>{text ?? ''}</pre>
        {open}
      </>,
    );
  }
  // Drawn by the document viewer script (pdf.js): pages with a text layer, or the text in reading
  // mode. Without scripts the browser's own viewer shows it (inside <noscript>, so a browser
  // running the script does not fetch the document twice), and the link opens it either way.
  return section(
    <>
      <p class="page-count" aria-live="polite" />
      <div
        class="pdf-view"
        data-pdf={src}
        data-title={doc.title}
        data-pages-one={t('pageCountOne')}
        data-pages-many={t('pageCount', { n: '{n}' })}
        data-loading={t('documentLoading')}
        data-failed={t('documentRenderFailed')}
        data-page-label={t('pageLabel', { title: doc.title, n: '{n}', of: '{of}' })}
        data-page-of={t('pageNofN', { n: '{n}', of: '{of}' })}
        data-frame-title={t('documentFrameTitle', { title: doc.title })}
      >
        <noscript>
          <object data={src} type="application/pdf" title={t('documentFrameTitle', { title: doc.title })}>
            {open}
          </object>
        </noscript>
      </div>
      {open}
    </>,
  );
};

/** The job's documents, each with "Document n of N" and its mark (opened, signed), as links. */
const DocumentList: FC<{ c: Context<PageEnv>; job: CeremonyJob }> = ({ c, job }) => {
  const t = c.get('t');
  const count = job.documents.length;
  if (count < 2) return null;
  return (
    <nav class="doc-list" aria-label={t('documentListLabel')}>
      <ol>
        {job.documents.map((doc, i) => {
          const mark = documentMark(doc, job.signer.status);
          return (
            <li data-doc-mark={mark} data-mark-for={doc.id}>
              <a href={`#${docAnchor(doc)}`}>
                <span class="doc-n">{t('documentNofN', { n: i + 1, of: count })}</span> {doc.title}
              </a>{' '}
              <span class="doc-mark" data-opened={t('docMarkOpened')}>
                {t(MARK_TEXT[mark])}
              </span>
            </li>
          );
        })}
      </ol>
    </nav>
  );
};

/**
 * How the documents are shown, for the viewer script (hidden until it runs): as text at a
 * readable size (reading mode) or as pages, and how large. In the bar, so it is at hand while
 * reading; the note above the documents says which view is shown and why.
 */
const ViewerTools: FC<{ c: Context<PageEnv> }> = ({ c }) => {
  const t = c.get('t');
  return (
    <div class="viewer-tools" hidden>
      <fieldset class="tool-group" aria-describedby="view-note">
        <legend class="sr-only">{t('viewAs')}</legend>
        <button type="button" class="secondary" data-view="text" aria-pressed="false">
          {t('viewText')}
        </button>
        <button type="button" class="secondary" data-view="pages" aria-pressed="false">
          {t('viewPages')}
        </button>
      </fieldset>
      <fieldset class="tool-group">
        <legend class="sr-only">{t('zoomLabel')}</legend>
        <button type="button" class="secondary" data-zoom="-1" aria-label={t('zoomOut')}>
          −
        </button>
        <span class="zoom-level">100 %</span>
        <button type="button" class="secondary" data-zoom="1" aria-label={t('zoomIn')}>
          +
        </button>
      </fieldset>
    </div>
  );
};

/** Which view the documents are shown in, and why (filled in by the viewer script). */
const ViewNote: FC<{ c: Context<PageEnv> }> = ({ c }) => {
  const t = c.get('t');
  return (
    <p
      class="view-note hint"
      id="view-note"
      hidden
      data-note-reading={t('readingModeNote')}
      data-note-reading-chosen={t('readingModeChosenNote')}
      data-note-pages={t('pagesModeNote')}
    />
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

/**
 * The bar at the foot of the screen while reading (sticky): where the reader is ("Document 2 of
 * 3 · Page 5 of 24", set by the viewer script) and the Sign and Reject actions, so they are never
 * a long scroll away. It takes its own place in the page, so it hides nothing at the end.
 */
const ActionBar: FC<{
  c: Context<PageEnv>;
  job: CeremonyJob;
  base: string;
  csrfToken: string;
  signingProviders: string[] | undefined;
  hasPdf: boolean;
}> = ({ c, job, base, csrfToken, signingProviders, hasPdf }) => {
  const t = c.get('t');
  return (
    <section class="action-bar" aria-label={t('actionBarLabel')}>
      <div class="bar-where">
        <p
          class="where"
          hidden
          data-doc-of={t('documentNofN', { n: '{n}', of: '{of}' })}
          data-doc-count={job.documents.length}
        />
        {hasPdf ? <ViewerTools c={c} /> : null}
      </div>
      {job.signer.mayAct ? (
        <div class="bar-actions">
          <form method="post" action={`${base}/sign`} class="sign">
            <CsrfField token={csrfToken} />
            {signingProviders && signingProviders.length > 0 ? (
              signingProviders.map((provider) => (
                <button type="submit" name="provider" value={provider} aria-describedby="sign-explain">
                  {t('signWithProvider', { provider })}
                </button>
              ))
            ) : (
              <button type="submit" aria-describedby="sign-explain">
                {t('signButton')}
              </button>
            )}
          </form>
          {/* Rejecting is possible but not the way forward: behind a disclosure, a plain button. */}
          <details class="reject">
            <summary>{t('rejectOpen')}</summary>
            <form method="post" action={`${base}/reject`}>
              <CsrfField token={csrfToken} />
              <p class="reject-title">{t('rejectHeading')}</p>
              <label for="reason">{t('reasonLabel')}</label>
              <textarea id="reason" name="reason" maxlength={500} />
              <button type="submit" class="danger">
                {t('rejectButton')}
              </button>
            </form>
          </details>
        </div>
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
      <DocumentList c={c} job={job} />
      {hasPdf ? <ViewNote c={c} /> : null}
      {job.documents.map((doc, i) => (
        <DocumentView c={c} job={job} doc={doc} index={i} text={texts.get(doc.id)} />
      ))}
      {job.signer.mayAct ? (
        <section class="card sign" aria-labelledby="sign-heading">
          <h2 id="sign-heading">{t('signHeading')}</h2>
          <p id="sign-explain">{t('signExplain')}</p>
        </section>
      ) : job.progress.stage === 'STOPPED' ? (
        <p>{t('signerStatusText', { status: statusText(t, 'signer', job.signer.status) })}</p>
      ) : null}
      {job.flow === 'portal' ? (
        <p>
          <a href={PORTAL_PATH}>{t('toPortal')}</a>
        </p>
      ) : null}
      {job.signer.mayAct || hasPdf ? (
        <ActionBar
          c={c}
          job={job}
          base={base}
          csrfToken={csrfToken}
          signingProviders={signingProviders}
          hasPdf={hasPdf}
        />
      ) : null}
    </Layout>
  );
};
