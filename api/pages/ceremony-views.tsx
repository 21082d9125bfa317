/** The ceremony page's parts: the documents to read, and the sign and reject forms. */
import type { Context } from 'hono';
import type { FC } from 'hono/jsx';
import type { CeremonyJob } from '../../src/portal/ceremony.js';
import type { PageEnv } from './context.js';
import { statusText } from './i18n.js';
import { CsrfField, Layout, Notice, type PageNotice } from './layout.js';
import { ceremonyPath, documentPath, signedPdfPath } from './paths.js';

export interface CeremonyPageProps {
  c: Context<PageEnv>;
  job: CeremonyJob;
  title: string;
  csrfToken: string;
  /** The text of each text/plain document, by document id. */
  texts: Map<string, string>;
  notice?: PageNotice;
}

const DocumentView: FC<{
  c: Context<PageEnv>;
  job: CeremonyJob;
  doc: CeremonyJob['documents'][number];
  text?: string;
}> = ({ c, job, doc, text }) => {
  const t = c.get('t');
  const src = documentPath(job.jobId, job.signerId, doc.id);
  return (
    <section class="document" aria-labelledby={`doc-${doc.id}`}>
      <h3 id={`doc-${doc.id}`}>{doc.title}</h3>
      {!doc.available ? (
        <p>{t('documentDeleted')}</p>
      ) : doc.mimeType === 'text/plain' ? (
        <pre tabindex={0}>{text ?? ''}</pre>
      ) : (
        <object data={src} type="application/pdf" title={t('documentFrameTitle', { title: doc.title })}>
          <p>
            <a href={src} target="_blank" rel="noopener">
              {t('documentOpen', { title: doc.title })}
            </a>
          </p>
        </object>
      )}
      {doc.available ? (
        <p>
          <a href={src} target="_blank" rel="noopener">
            {t('documentOpen', { title: doc.title })}
          </a>
        </p>
      ) : null}
      <p class="digest">
        {doc.fileName} · SHA-256 {doc.sha256}
      </p>
    </section>
  );
};

export const CeremonyPage: FC<CeremonyPageProps> = ({ c, job, title, csrfToken, texts, notice }) => {
  const t = c.get('t');
  const base = ceremonyPath(job.jobId, job.signerId);
  return (
    <Layout c={c} title={title}>
      <p>{t('fromSender', { sender: job.senderName })}</p>
      {notice ? <Notice kind={notice.kind}>{notice.text}</Notice> : null}
      {job.description ? <p class="card">{job.description}</p> : null}
      <h2>{t('documentsHeading')}</h2>
      {job.documents.map((doc) => (
        <DocumentView c={c} job={job} doc={doc} text={texts.get(doc.id)} />
      ))}
      {job.signer.mayAct ? (
        <div class="actions">
          <form method="post" action={`${base}/sign`} class="card">
            <h2>{t('signHeading')}</h2>
            <CsrfField token={csrfToken} />
            <p>{t('signExplain')}</p>
            <button type="submit">{t('signButton')}</button>
          </form>
          <form method="post" action={`${base}/reject`} class="card">
            <h2>{t('rejectHeading')}</h2>
            <CsrfField token={csrfToken} />
            <label for="reason">{t('reasonLabel')}</label>
            <textarea id="reason" name="reason" maxlength={500} />
            <button type="submit" class="danger">
              {t('rejectButton')}
            </button>
          </form>
        </div>
      ) : (
        <>
          <p>{t('signerStatusText', { status: statusText(t, 'signer', job.signer.status) })}</p>
          {job.signer.status === 'WAITING' ? <p>{t('mayNotActText')}</p> : null}
        </>
      )}
      {job.hasPades ? (
        <p>
          <a class="button" href={signedPdfPath(job.jobId, job.signerId)}>
            {t('downloadSigned')}
          </a>
        </p>
      ) : null}
    </Layout>
  );
};
