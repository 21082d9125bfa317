/** The sender portal's pages: the job list, the new-job form and a job's status. */
import type { Context } from 'hono';
import type { FC } from 'hono/jsx';
import { MAX_SIGNERS } from '../../src/job/model.js';
import type { JobForm, SignerFormRow } from '../../src/portal/sender-jobs.js';
import type { JobRecord } from '../../src/services/signature-jobs.js';
import type { PageEnv } from './context.js';
import { statusText, type TextKey } from './i18n.js';
import { CsrfField, formatTime, Layout, Notice, type PageNotice } from './layout.js';
import { senderJobPath, senderPath } from './paths.js';

/** Signer rows shown open; the rest are behind "More signers". */
const OPEN_SIGNER_ROWS = 2;

export const emptySignerRow = (): SignerFormRow => ({
  identifier: '',
  order: '',
  email: '',
  mobile: '',
  signatureType: '',
  onBehalfOf: '',
});

export const emptyJobForm = (): JobForm => ({
  title: '',
  nonsensitiveTitle: '',
  description: '',
  reference: '',
  requiredAuthentication: '4',
  availableDays: '',
  activation: '',
  signers: Array.from({ length: MAX_SIGNERS }, emptySignerRow),
});

export const signerFieldName = (row: number, field: keyof SignerFormRow) => `signer-${row}-${field}`;

/** The form field an issue of the API's validation is about, for the error summary's links. */
export function fieldOfIssue(path: string, signerRows: number[]): string {
  const signer = /^signers\[(\d+)\]\.?(.*)$/.exec(path);
  if (signer) {
    // The issue's index counts the filled-in rows only; `signerRows` maps it back to the form's row.
    const row = signerRows[Number(signer[1])] ?? 0;
    return signerFieldName(row, SIGNER_FIELD_OF_ISSUE[signer[2] ?? ''] ?? 'identifier');
  }
  if (path.startsWith('availability.activationTime')) return 'activation';
  if (path.startsWith('availability')) return 'availableDays';
  if (/^(title|nonsensitiveTitle|description|reference|requiredAuthentication)$/.test(path)) return path;
  return 'documents';
}

/** A signer's fields in the API's job JSON and their form fields; the rest is the identifier. */
const SIGNER_FIELD_OF_ISSUE: Record<string, keyof SignerFormRow> = {
  order: 'order',
  signatureType: 'signatureType',
  onBehalfOf: 'onBehalfOf',
  'notifications.email': 'email',
  'notifications.mobile': 'mobile',
};

const TextField: FC<{
  id: string;
  label: string;
  value: string;
  type?: string;
  required?: boolean;
  hint?: string;
}> = ({ id, label, value, type = 'text', required, hint }) => (
  <>
    <label for={id}>{label}</label>
    {hint ? (
      <p class="hint" id={`${id}-hint`}>
        {hint}
      </p>
    ) : null}
    <input
      type={type}
      id={id}
      name={id}
      value={value}
      required={required}
      aria-describedby={hint ? `${id}-hint` : undefined}
    />
  </>
);

const Select: FC<{ id: string; label: string; value: string; options: [string, string][] }> = ({
  id,
  label,
  value,
  options,
}) => (
  <>
    <label for={id}>{label}</label>
    <select id={id} name={id}>
      {options.map(([v, text]) => (
        <option value={v} selected={v === value}>
          {text}
        </option>
      ))}
    </select>
  </>
);

const SignerFields: FC<{ c: Context<PageEnv>; row: number; value: SignerFormRow }> = ({ c, row, value }) => {
  const t = c.get('t');
  const name = (f: keyof SignerFormRow) => signerFieldName(row, f);
  return (
    <fieldset>
      <legend>{t('signerN', { n: row + 1 })}</legend>
      <div class="signer-row">
        <div>
          <TextField id={name('identifier')} label={t('fieldIdentifier')} value={value.identifier} />
        </div>
        <div>
          <TextField id={name('order')} label={t('fieldOrder')} value={value.order} type="number" />
        </div>
        <div>
          <TextField id={name('email')} label={t('fieldNotifyEmail')} value={value.email} type="email" />
        </div>
        <div>
          <TextField id={name('mobile')} label={t('fieldNotifyMobile')} value={value.mobile} type="tel" />
        </div>
        <div>
          <Select
            id={name('signatureType')}
            label={t('fieldSignatureType')}
            value={value.signatureType}
            options={[
              ['', t('signatureDefault')],
              ['AUTHENTICATED_SIGNATURE', t('signatureAuthenticated')],
              ['ADVANCED_SIGNATURE', t('signatureAdvanced')],
            ]}
          />
        </div>
        <div>
          <Select
            id={name('onBehalfOf')}
            label={t('fieldOnBehalfOf')}
            value={value.onBehalfOf}
            options={[
              ['', t('signatureDefault')],
              ['SELF', t('onBehalfSelf')],
              ['OTHER', t('onBehalfOther')],
            ]}
          />
        </div>
      </div>
    </fieldset>
  );
};

export const NewJobPage: FC<{
  c: Context<PageEnv>;
  org: string;
  form: JobForm;
  csrfToken: string;
  nonce: string;
  issues: { field: string; message: string }[];
}> = ({ c, org, form, csrfToken, nonce, issues }) => {
  const t = c.get('t');
  return (
    <Layout c={c} title={t('newJob')}>
      {issues.length > 0 ? (
        <Notice kind="error">
          <p>{t('errorSummary')}</p>
          <ul>
            {issues.map((i) => (
              <li>
                <a href={`#${i.field}`}>{i.message}</a>
              </li>
            ))}
          </ul>
        </Notice>
      ) : null}
      <form method="post" action={`${senderPath(org)}/jobs`} enctype="multipart/form-data">
        <CsrfField token={csrfToken} />
        <input type="hidden" name="nonce" value={nonce} />
        <TextField id="title" label={t('fieldTitle')} value={form.title} required />
        <TextField
          id="nonsensitiveTitle"
          label={t('fieldNonsensitiveTitle')}
          value={form.nonsensitiveTitle}
        />
        <label for="description">{t('fieldDescription')}</label>
        <textarea id="description" name="description" maxlength={220}>
          {form.description}
        </textarea>
        <TextField id="reference" label={t('fieldReference')} value={form.reference} />
        <Select
          id="requiredAuthentication"
          label={t('fieldRequiredAuthentication')}
          value={form.requiredAuthentication}
          options={[
            ['4', t('level4')],
            ['3', t('level3')],
          ]}
        />
        <label for="documents">{t('fieldDocuments')}</label>
        <input
          type="file"
          id="documents"
          name="documents"
          multiple
          accept="application/pdf,text/plain,.pdf,.txt"
          required
        />
        <h2>{t('signersHeading')}</h2>
        <p class="hint">{t('signersHint')}</p>
        {form.signers.slice(0, OPEN_SIGNER_ROWS).map((s, row) => (
          <SignerFields c={c} row={row} value={s} />
        ))}
        <details open={form.signers.slice(OPEN_SIGNER_ROWS).some((s) => s.identifier !== '')}>
          <summary>{t('moreSigners')}</summary>
          {form.signers.slice(OPEN_SIGNER_ROWS).map((s, i) => (
            <SignerFields c={c} row={i + OPEN_SIGNER_ROWS} value={s} />
          ))}
        </details>
        <h2>{t('availabilityHeading')}</h2>
        <TextField
          id="activation"
          label={t('fieldActivation')}
          value={form.activation}
          type="datetime-local"
        />
        <TextField
          id="availableDays"
          label={t('fieldAvailableDays')}
          value={form.availableDays}
          type="number"
        />
        <button type="submit">{t('createJob')}</button>
      </form>
    </Layout>
  );
};

export const JobListPage: FC<{
  c: Context<PageEnv>;
  org: { org: string; name: string };
  mayCreate: boolean;
  jobs: { id: string; title: string; reference: string | null; status: string; createdAt: Date }[];
}> = ({ c, org, mayCreate, jobs }) => {
  const t = c.get('t');
  return (
    <Layout c={c} title={`${t('senderTitle')}: ${org.name}`}>
      {mayCreate ? (
        <p>
          <a class="button" href={`${senderPath(org.org)}/jobs/new`}>
            {t('newJob')}
          </a>
        </p>
      ) : null}
      <h2>{t('jobsHeading')}</h2>
      {jobs.length === 0 ? (
        <p>{t('noJobs')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('colTitle')}</th>
              <th scope="col">{t('colReference')}</th>
              <th scope="col">{t('colStatus')}</th>
              <th scope="col">{t('colCreated')}</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((j) => (
              <tr>
                <td>
                  <a href={senderJobPath(org.org, j.id)}>{j.title}</a>
                </td>
                <td>{j.reference ?? ''}</td>
                <td>{statusText(t, 'job', j.status)}</td>
                <td>{formatTime(c.get('lang'), j.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
};

export const JobStatusPage: FC<{
  c: Context<PageEnv>;
  org: string;
  rec: JobRecord;
  mayAct: boolean;
  csrfToken: string;
  notice?: PageNotice;
}> = ({ c, org, rec, mayAct, csrfToken, notice }) => {
  const t = c.get('t');
  const lang = c.get('lang');
  const path = senderJobPath(org, rec.job.id);
  const running = rec.job.status === 'IN_PROGRESS';
  return (
    <Layout c={c} title={rec.job.title}>
      {notice ? <Notice kind={notice.kind}>{notice.text}</Notice> : null}
      <h2>{t('jobStatusHeading')}</h2>
      <p>
        <strong>{statusText(t, 'job', rec.job.status)}</strong>
        {rec.job.deadline ? ` · ${t('deadline', { date: formatTime(lang, rec.job.deadline) })}` : ''}
        {rec.job.reference ? ` · ${rec.job.reference}` : ''}
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('colSigner')}</th>
            <th scope="col">{t('colOrder')}</th>
            <th scope="col">{t('colStatus')}</th>
            <th scope="col">{t('colSince')}</th>
            <th scope="col">{t('colResult')}</th>
          </tr>
        </thead>
        <tbody>
          {rec.signers.map((s) => (
            <tr>
              <td>{s.identifier}</td>
              <td>{s.order}</td>
              <td>{statusText(t, 'signer', s.status)}</td>
              <td>{formatTime(lang, s.since)}</td>
              <td>
                {rec.xadesSignerIds.has(s.id) ? (
                  <a href={`${path}/signers/${s.id}/xades`}>{t('downloadXades')}</a>
                ) : (
                  ''
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rec.hasPades ? (
        <p>
          <a class="button" href={`${path}/pades`}>
            {t('downloadPades')}
          </a>
        </p>
      ) : running ? (
        <p>{t('resultsPending')}</p>
      ) : null}
      {mayAct && running ? (
        <div class="actions">
          <form method="post" action={`${path}/deadline`} class="card">
            <h2>{t('extendHeading')}</h2>
            <CsrfField token={csrfToken} />
            <label for="days">{t('extendDays')}</label>
            <input type="number" id="days" name="days" min={1} max={90} required />
            <button type="submit">{t('extendButton')}</button>
          </form>
          <form method="post" action={`${path}/cancel`} class="card">
            <h2>{t('cancelJob')}</h2>
            <CsrfField token={csrfToken} />
            <button type="submit" class="danger">
              {t('cancelJob')}
            </button>
          </form>
        </div>
      ) : null}
      <p>
        <a href={senderPath(org)}>{t('back' satisfies TextKey)}</a>
      </p>
    </Layout>
  );
};
