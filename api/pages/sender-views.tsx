/** The sender portal's pages: the job list, the new-job form and a job's status. */
import type { Context } from 'hono';
import type { Child, FC } from 'hono/jsx';
import type { SenderJobDetails } from '../../src/db/job-reads.js';
import { DAY_SECONDS, MAX_SIGNERS } from '../../src/job/model.js';
import type { KeptFile } from '../../src/portal/kept-uploads.js';
import {
  type JobForm,
  type JobListFilter,
  type JobListQueryIssue,
  MAX_LIST_QUERY_CHARS,
  type OrganisationJobRow,
  type SignerFormRow,
} from '../../src/portal/sender-jobs.js';
import { JOB_OUTCOMES } from '../../src/rules/outcome.js';
import { type SignerFacts, signerHistory } from '../../src/rules/signer-history.js';
import { DeadlineRefusedError } from '../../src/services/extend-deadline.js';
import type { JobRecord } from '../../src/services/find-job.js';
import { JobConflictError } from '../../src/services/job-service.js';
import type { PageEnv } from './context.js';
import { statusText, type TextKey, type Translate } from './i18n.js';
import { CsrfField, formatTime, Layout, Notice, type PageNotice } from './layout.js';
import { NextStepLine } from './next-step-view.js';
import { senderJobPath, senderPath } from './paths.js';
import { SignerHistory } from './signer-history-view.js';

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

/** The form's mistakes by field id, and the first field in the form's order (it gets the focus). */
export interface FormErrors {
  byField: Map<string, string[]>;
  first?: string;
}

/** Field ids in the order the form shows them. */
function formOrder(): string[] {
  const top = [
    'title',
    'nonsensitiveTitle',
    'description',
    'reference',
    'requiredAuthentication',
    'documents',
  ];
  const signerFields: (keyof SignerFormRow)[] = [
    'identifier',
    'order',
    'email',
    'mobile',
    'signatureType',
    'onBehalfOf',
  ];
  const signers = Array.from({ length: MAX_SIGNERS }, (_, row) =>
    signerFields.map((f) => signerFieldName(row, f)),
  );
  return [...top, ...signers.flat(), 'activation', 'availableDays'];
}

export function formErrors(issues: { field: string; message: string }[]): FormErrors {
  const byField = new Map<string, string[]>();
  for (const i of issues) byField.set(i.field, [...(byField.get(i.field) ?? []), i.message]);
  const first = formOrder().find((f) => byField.has(f)) ?? issues[0]?.field;
  return { byField, ...(first ? { first } : {}) };
}

const NO_ERRORS: FormErrors = { byField: new Map() };

/** The attributes and message that tie a field to its mistakes (read out with the field). */
function errorOf(errors: FormErrors, id: string, hint?: boolean) {
  const messages = errors.byField.get(id);
  const describedBy = [hint ? `${id}-hint` : '', messages ? `${id}-error` : ''].filter(Boolean).join(' ');
  return {
    attrs: {
      'aria-invalid': messages ? 'true' : undefined,
      'aria-describedby': describedBy || undefined,
      autofocus: errors.first === id ? true : undefined,
    },
    message: messages ? (
      <p class="field-error" id={`${id}-error`}>
        {messages.join(' ')}
      </p>
    ) : null,
  };
}

/** A field's label, hint and mistakes above it; `control` gets the attributes tying them together. */
const Field: FC<{
  id: string;
  label: string;
  hint?: string | undefined;
  errors: FormErrors;
  control: (attrs: ReturnType<typeof errorOf>['attrs']) => Child;
}> = ({ id, label, hint, errors, control }) => {
  const err = errorOf(errors, id, Boolean(hint));
  return (
    <>
      <label for={id}>{label}</label>
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {err.message}
      {control(err.attrs)}
    </>
  );
};

const TextField: FC<{
  id: string;
  label: string;
  value: string;
  type?: string;
  required?: boolean;
  hint?: string;
  errors?: FormErrors;
}> = ({ id, label, value, type = 'text', required, hint, errors = NO_ERRORS }) => (
  <Field
    id={id}
    label={label}
    hint={hint}
    errors={errors}
    control={(attrs) => <input type={type} id={id} name={id} value={value} required={required} {...attrs} />}
  />
);

const Select: FC<{
  id: string;
  label: string;
  value: string;
  options: [string, string][];
  hint?: string;
  errors?: FormErrors;
}> = ({ id, label, value, options, hint, errors = NO_ERRORS }) => (
  <Field
    id={id}
    label={label}
    hint={hint}
    errors={errors}
    control={(attrs) => (
      <select id={id} name={id} {...attrs}>
        {options.map(([v, text]) => (
          <option value={v} selected={v === value}>
            {text}
          </option>
        ))}
      </select>
    )}
  />
);

const SignerFields: FC<{
  c: Context<PageEnv>;
  row: number;
  value: SignerFormRow;
  sector: 'PUBLIC' | 'PRIVATE';
  errors: FormErrors;
}> = ({ c, row, value, sector, errors }) => {
  const t = c.get('t');
  const name = (f: keyof SignerFormRow) => signerFieldName(row, f);
  return (
    <fieldset>
      <legend>{t('signerN', { n: row + 1 })}</legend>
      <div class="signer-row">
        <div>
          <TextField
            id={name('identifier')}
            label={t('fieldIdentifier')}
            value={value.identifier}
            errors={errors}
          />
        </div>
        <div>
          <TextField
            id={name('order')}
            label={t('fieldOrder')}
            value={value.order}
            type="number"
            hint={t('fieldOrderHint')}
            errors={errors}
          />
        </div>
        <div>
          <TextField
            id={name('email')}
            label={t('fieldNotifyEmail')}
            value={value.email}
            type="email"
            errors={errors}
          />
        </div>
        <div>
          <TextField
            id={name('mobile')}
            label={t('fieldNotifyMobile')}
            value={value.mobile}
            type="tel"
            errors={errors}
          />
        </div>
        <div>
          <Select
            id={name('signatureType')}
            label={t('fieldSignatureType')}
            value={value.signatureType}
            hint={t('signatureTypeHint')}
            errors={errors}
            options={[
              ['', t(sector === 'PUBLIC' ? 'signatureDefaultPublic' : 'signatureDefaultPrivate')],
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
            hint={t('onBehalfHint')}
            errors={errors}
            options={[
              ['', t('onBehalfDefault')],
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
  sector: 'PUBLIC' | 'PRIVATE';
  form: JobForm;
  csrfToken: string;
  nonce: string;
  issues: { field: string; message: string }[];
  /** Files of the last attempt, kept so they need not be chosen again. */
  kept: KeptFile[];
}> = ({ c, org, sector, form, csrfToken, nonce, issues, kept }) => {
  const t = c.get('t');
  const errors = formErrors(issues);
  const docs = errorOf(errors, 'documents', kept.length > 0);
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
      <form method="post" action={`${senderPath(org)}/jobs`} enctype="multipart/form-data" novalidate>
        <CsrfField token={csrfToken} />
        <input type="hidden" name="nonce" value={nonce} />
        {kept.map((k) => (
          <input type="hidden" name="kept" value={k.id} />
        ))}
        <TextField id="title" label={t('fieldTitle')} value={form.title} required errors={errors} />
        <TextField
          id="nonsensitiveTitle"
          label={t('fieldNonsensitiveTitle')}
          value={form.nonsensitiveTitle}
          errors={errors}
        />
        <Field
          id="description"
          label={t('fieldDescription')}
          errors={errors}
          control={(attrs) => (
            <textarea id="description" name="description" maxlength={220} {...attrs}>
              {form.description}
            </textarea>
          )}
        />
        <TextField id="reference" label={t('fieldReference')} value={form.reference} errors={errors} />
        <Select
          id="requiredAuthentication"
          label={t('fieldRequiredAuthentication')}
          value={form.requiredAuthentication}
          errors={errors}
          options={[
            ['4', t('level4')],
            ['3', t('level3')],
          ]}
        />
        <label for="documents">{t('fieldDocuments')}</label>
        {kept.length > 0 ? (
          <p class="hint kept-files" id="documents-hint">
            {t('keptFiles', { files: kept.map((k) => k.fileName).join(', ') })}
          </p>
        ) : null}
        {docs.message}
        <input
          type="file"
          id="documents"
          name="documents"
          multiple
          accept="application/pdf,text/plain,.pdf,.txt"
          required={kept.length === 0}
          {...docs.attrs}
        />
        <h2>{t('signersHeading')}</h2>
        <p class="hint">{t('signersHint')}</p>
        {form.signers.slice(0, OPEN_SIGNER_ROWS).map((s, row) => (
          <SignerFields c={c} row={row} value={s} sector={sector} errors={errors} />
        ))}
        <details
          open={form.signers
            .slice(OPEN_SIGNER_ROWS)
            .some(
              (s, i) =>
                s.identifier !== '' ||
                [...errors.byField.keys()].some((f) => f.startsWith(`signer-${i + OPEN_SIGNER_ROWS}-`)),
            )}
        >
          <summary>{t('moreSigners')}</summary>
          {form.signers.slice(OPEN_SIGNER_ROWS).map((s, i) => (
            <SignerFields c={c} row={i + OPEN_SIGNER_ROWS} value={s} sector={sector} errors={errors} />
          ))}
        </details>
        <h2>{t('availabilityHeading')}</h2>
        <TextField
          id="activation"
          label={t('fieldActivation')}
          value={form.activation}
          type="datetime-local"
          errors={errors}
        />
        <TextField
          id="availableDays"
          label={t('fieldAvailableDays')}
          value={form.availableDays}
          type="number"
          errors={errors}
        />
        <button type="submit">{t('createJob')}</button>
      </form>
    </Layout>
  );
};

/** The list's filter offers every outcome (`?status=`), each named apart. */
export const JOB_LIST_STATUSES = JOB_OUTCOMES;

export const JobListPage: FC<{
  c: Context<PageEnv>;
  org: { org: string; name: string };
  mayCreate: boolean;
  filter: JobListFilter;
  jobs: OrganisationJobRow[];
}> = ({ c, org, mayCreate, filter, jobs }) => {
  const t = c.get('t');
  const lang = c.get('lang');
  const filtered = Boolean(filter.outcome || filter.search);
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
      <JobListFilters c={c} org={org.org} filter={filter} />
      {jobs.length === 0 ? (
        <p>{filtered ? t('noMatches') : t('noJobs')}</p>
      ) : (
        // A table on wide screens; stacked cards, each cell with its heading, on narrow ones.
        <table class="stacked">
          <thead>
            <tr>
              <th scope="col">{t('colTitle')}</th>
              <th scope="col">{t('colReference')}</th>
              <th scope="col">{t('colStatus')}</th>
              <th scope="col">{t('colProgress')}</th>
              <th scope="col">{t('colDeadline')}</th>
              <th scope="col">{t('colCreated')}</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((j) => (
              <tr data-job={j.id}>
                <td>
                  <a href={senderJobPath(org.org, j.id)}>{j.title}</a>
                  {j.flow === 'direct' ? (
                    <span class="state-time">{statusText(t, 'flow', j.flow)}</span>
                  ) : null}
                </td>
                <td data-label={t('colReference')}>{j.reference ?? ''}</td>
                <td data-label={t('colStatus')} data-outcome={j.outcome}>
                  {statusText(t, 'outcome', j.outcome)}
                </td>
                <td data-label={t('colProgress')} class="job-progress">
                  {t('progressSigned', { signed: j.signed, total: j.signers })}
                </td>
                <td data-label={t('colDeadline')} class="job-deadline">
                  {j.deadline ? formatTime(lang, j.deadline) : t('noDeadline')}
                </td>
                <td data-label={t('colCreated')}>{formatTime(lang, j.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
};

/** The list's filter form; `error` is a refused query, shown at its field. */
const JobListFilters: FC<{
  c: Context<PageEnv>;
  org: string;
  filter: JobListFilter;
  error?: { field: 'status' | 'q'; message: string };
}> = ({ c, org, filter, error }) => {
  const t = c.get('t');
  const errors: FormErrors = error ? formErrors([error]) : NO_ERRORS;
  return (
    <form method="get" action={senderPath(org)} class="filters" aria-label={t('filterSearch')}>
      <div>
        <Select
          id="status"
          label={t('filterStatus')}
          value={filter.outcome ?? ''}
          errors={errors}
          options={[
            ['', t('filterAll')],
            ...JOB_LIST_STATUSES.map((st): [string, string] => [st, statusText(t, 'outcome', st)]),
          ]}
        />
      </div>
      <div>
        <Field
          id="q"
          label={t('filterSearch')}
          errors={errors}
          control={(attrs) => (
            <input
              type="search"
              id="q"
              name="q"
              value={filter.search ?? ''}
              maxlength={MAX_LIST_QUERY_CHARS}
              {...attrs}
            />
          )}
        />
      </div>
      <div>
        <button type="submit" class="secondary">
          {t('filterButton')}
        </button>
      </div>
    </form>
  );
};

/** A list query the page refuses (too long, an unknown status): the filter form with the mistake. */
export const JobListQueryRefused: FC<{
  c: Context<PageEnv>;
  org: { org: string; name: string };
  refusal: JobListQueryIssue;
}> = ({ c, org, refusal }) => {
  const t = c.get('t');
  const message =
    refusal.field === 'status'
      ? t('listStatusUnknown', { status: refusal.value })
      : refusal.code === 'TOO_LONG'
        ? t('listQueryTooLong', { max: MAX_LIST_QUERY_CHARS })
        : t('listQueryUnreadable');
  return (
    <Layout c={c} title={`${t('senderTitle')}: ${org.name}`}>
      <Notice kind="error">
        <p>{t('errorSummary')}</p>
        <ul>
          <li>
            <a href={`#${refusal.field}`}>{message}</a>
          </li>
        </ul>
      </Notice>
      <JobListFilters c={c} org={org.org} filter={{}} error={{ field: refusal.field, message }} />
    </Layout>
  );
};

/** A refused extension, to be shown at the days field with the number that was entered. */
export class ExtendRefusedError extends JobConflictError {
  constructor(
    readonly days: string,
    message: string,
  ) {
    super('EXTENSION_REFUSED', message);
  }
}

/** A number of days the form cannot take. */
export function invalidDays(c: Context<PageEnv>, days: string): ExtendRefusedError {
  return new ExtendRefusedError(days.slice(0, 10), c.get('t')('extendDaysInvalid'));
}

/**
 * Why `days` was refused, in the reader's words, when it would move the deadline earlier; a
 * refusal of another kind (the job ended meanwhile, too many extensions) passes through as it was.
 */
export function extendRefusal(c: Context<PageEnv>, days: string, err: unknown): unknown {
  if (!(err instanceof DeadlineRefusedError)) return err;
  const lang = c.get('lang');
  const requested = new Date(err.requestedDeadline);
  const activated = new Date(requested.getTime() - Number(days) * DAY_SECONDS * 1000);
  return new ExtendRefusedError(
    days,
    c.get('t')('deadlineEarlier', {
      current: formatTime(lang, err.currentDeadline),
      days,
      activated: formatTime(lang, activated),
      requested: formatTime(lang, requested),
    }),
  );
}

/**
 * The deadline's form: the number is the group's whole lifetime from its activation (as at
 * creation), so the label names that moment, and the hint the lifetime and deadline it has now.
 */
const ExtendForm: FC<{
  c: Context<PageEnv>;
  path: string;
  csrfToken: string;
  activatedAt: Date;
  deadline: Date;
  error?: { message: string; days: string };
}> = ({ c, path, csrfToken, activatedAt, deadline, error }) => {
  const t = c.get('t');
  const lang = c.get('lang');
  const days = Math.round((deadline.getTime() - activatedAt.getTime()) / (DAY_SECONDS * 1000));
  const errors: FormErrors = error ? formErrors([{ field: 'days', message: error.message }]) : NO_ERRORS;
  return (
    <form method="post" action={`${path}/deadline`} class="card">
      <h2>{t('extendHeading')}</h2>
      <CsrfField token={csrfToken} />
      <Field
        id="days"
        label={t('extendDays', { activated: formatTime(lang, activatedAt) })}
        hint={t('extendHint', { days, deadline: formatTime(lang, deadline) })}
        errors={errors}
        control={(attrs) => (
          <input
            type="number"
            id="days"
            name="days"
            min={1}
            max={90}
            required
            value={error?.days}
            {...attrs}
          />
        )}
      />
      <button type="submit">{t('extendButton')}</button>
    </form>
  );
};

/** A signer's line for the sender: the state in words, telling "notified" from "not started". */
function signerState(
  t: Translate,
  s: JobRecord['signers'][number],
  facts: SignerFacts | undefined,
  activeOrder: number | undefined,
): string {
  if (s.status !== 'WAITING') return statusText(t, 'signer', s.status);
  if (activeOrder === undefined || s.order !== activeOrder) return t('stateNotStarted');
  if (facts?.openedAt) return t('stateViewed');
  return facts?.notices.length ? t('stateNotified') : t('stateAwaitingNotice');
}

/** A document's size for people: whole kilobytes, at least 1. */
const kilobytes = (bytes: number) => Math.max(1, Math.round(bytes / 1024));

export const JobStatusPage: FC<{
  c: Context<PageEnv>;
  org: string;
  rec: JobRecord;
  details: SenderJobDetails;
  /** A name for a signer the sender addressed by identity number, before the eID gave one. */
  knownName: (pid: string) => string | undefined;
  mayAct: boolean;
  csrfToken: string;
  notice?: PageNotice;
  /** A refused extension: shown at the days field, with the number that was entered. */
  extendError?: { message: string; days: string };
}> = ({ c, org, rec, details, knownName, mayAct, csrfToken, notice, extendError }) => {
  const t = c.get('t');
  const lang = c.get('lang');
  const path = senderJobPath(org, rec.job.id);
  const running = rec.job.status === 'IN_PROGRESS';
  // Only portal jobs have a sender's cancel and deadline (the direct flow's live 30 days).
  const actions = mayAct && running && rec.job.flow === 'portal';
  const groups = new Set(rec.signers.map((s) => s.order)).size;
  const held = rec.next.kind === 'SIGNATURES' ? rec.next.held : [];
  return (
    <Layout c={c} title={rec.job.title}>
      {notice ? <Notice kind={notice.kind}>{notice.text}</Notice> : null}
      <h2>{t('jobStatusHeading')}</h2>
      <p>
        <strong class="job-outcome" data-outcome={rec.job.outcome}>
          {statusText(t, 'outcome', rec.job.outcome)}
        </strong>
        {rec.job.flow === 'direct' ? ` · ${statusText(t, 'flow', rec.job.flow)}` : ''}
        {rec.job.reference ? ` · ${rec.job.reference}` : ''}
      </p>
      <NextStepLine t={t} lang={lang} step={rec.next} naming="order" />
      <dl class="job-times">
        <div>
          <dt>{t('timeCreated')}</dt>
          <dd>{formatTime(lang, rec.job.createdAt)}</dd>
        </div>
        <div>
          <dt>{t('timeActivated')}</dt>
          <dd>{details.activatedAt ? formatTime(lang, details.activatedAt) : t('timeNotActivated')}</dd>
        </div>
        <div>
          <dt>{t('timeDeadline')}</dt>
          <dd class="job-deadline">
            {rec.job.deadline ? formatTime(lang, rec.job.deadline) : t('timeNoDeadline')}
          </dd>
        </div>
      </dl>
      <h2>{t('messageHeading')}</h2>
      <p class="job-message">{details.message ?? t('noMessage')}</p>
      <h2>{t('documentsHeading')}</h2>
      <ul class="job-documents">
        {details.documents.map((d) => (
          <li data-document={d.fileName}>
            <strong>{d.title}</strong> ({d.fileName},{' '}
            {d.pages !== null ? `${t('documentPages', { n: d.pages })}, ` : ''}
            {t('documentSize', { size: kilobytes(d.sizeBytes) })}
            {d.deleted ? `, ${t('documentDeletedNote')}` : ''})
          </li>
        ))}
      </ul>
      {rec.hasPades ? (
        <p>
          <a class="button" href={`${path}/pades`}>
            {t('downloadPades')}
          </a>
        </p>
      ) : running ? (
        <p>{t('resultsPending')}</p>
      ) : null}
      <h2>{t('signersHeading')}</h2>
      <ul class="jobs signers">
        {rec.signers.map((s) => {
          const entry = details.signers.get(s.id);
          const name = entry?.name ?? (/^\d{11}$/.test(s.identifier) ? knownName(s.identifier) : undefined);
          const hold = held.find((h) => h.signerId === s.id);
          const facts: SignerFacts | undefined = entry
            ? { ...entry.facts, held: hold ? { until: hold.until, reason: hold.reason } : null }
            : undefined;
          return (
            <li data-signer={s.id}>
              <strong class="signer-name">{name ?? s.identifier}</strong>
              {name ? (
                <span class="state-time">{s.identifier}</span>
              ) : (
                <span class="state-time">{t('nameUnknown')}</span>
              )}
              <div>
                {groups > 1 ? `${t('groupNumber', { order: s.order })} · ` : ''}
                <span class="signer-state">{signerState(t, s, facts, rec.job.activeOrder ?? undefined)}</span>
              </div>
              {s.status === 'REJECTED' ? (
                <p class="rejection-reason">
                  {s.rejectionReason
                    ? t('rejectionReason', { reason: s.rejectionReason })
                    : t('noRejectionReason')}
                </p>
              ) : null}
              <SignerHistory t={t} lang={lang} entries={facts ? signerHistory(facts) : []} />
              {rec.xadesSignerIds.has(s.id) ? (
                <a href={`${path}/signers/${s.id}/xades`}>{t('downloadXades')}</a>
              ) : null}
            </li>
          );
        })}
      </ul>
      {rec.pdfANotKept.length > 0 ? (
        <section class="pdfa-not-kept">
          <h2>{t('pdfANotKeptHeading')}</h2>
          <p>{t('pdfANotKept')}</p>
          <ul>
            {rec.pdfANotKept.map((d) => (
              <li data-file={d.fileName}>
                <strong>{d.title}</strong> ({d.fileName}): {d.problems.join('; ')}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {actions ? (
        <div class="actions">
          {rec.job.deadline && rec.job.groupActivatedAt ? (
            <ExtendForm
              c={c}
              path={path}
              csrfToken={csrfToken}
              activatedAt={rec.job.groupActivatedAt}
              deadline={rec.job.deadline}
              {...(extendError ? { error: extendError } : {})}
            />
          ) : null}
          <div class="card">
            <h2>{t('cancelJob')}</h2>
            {/* A link to a page asking for confirmation: works without scripts. */}
            <a class="button danger" href={`${path}/cancel`}>
              {t('cancelJob')}
            </a>
          </div>
        </div>
      ) : null}
      <p>
        <a href={senderPath(org)}>{t('back' satisfies TextKey)}</a>
      </p>
    </Layout>
  );
};

/** The cancel's confirmation: what cancelling does, and the one form that cancels. */
export const CancelConfirmPage: FC<{
  c: Context<PageEnv>;
  org: string;
  rec: JobRecord;
  csrfToken: string;
}> = ({ c, org, rec, csrfToken }) => {
  const t = c.get('t');
  const path = senderJobPath(org, rec.job.id);
  return (
    <Layout c={c} title={t('cancelConfirmTitle')}>
      <p>
        <strong>{rec.job.title}</strong>
        {rec.job.reference ? ` · ${rec.job.reference}` : ''}
      </p>
      <p>{t('cancelConfirmText')}</p>
      <form method="post" action={`${path}/cancel`}>
        <CsrfField token={csrfToken} />
        <input type="hidden" name="confirmed" value="yes" />
        <button type="submit" class="danger">
          {t('cancelConfirmButton')}
        </button>
      </form>
      <p>
        <a href={path}>{t('cancelKeep')}</a>
      </p>
    </Layout>
  );
};
