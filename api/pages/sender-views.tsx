/** The sender portal's pages: the job list, the new-job form and a job's status. */
import type { Context } from 'hono';
import type { Child, FC } from 'hono/jsx';
import type { SignerActivity } from '../../src/db/job-reads.js';
import { DAY_SECONDS, MAX_SIGNERS } from '../../src/job/model.js';
import type { KeptFile } from '../../src/portal/kept-uploads.js';
import type { JobForm, JobListFilter, SignerFormRow } from '../../src/portal/sender-jobs.js';
import { JOB_OUTCOMES, type JobOutcome } from '../../src/rules/outcome.js';
import { DeadlineRefusedError, JobConflictError, type JobRecord } from '../../src/services/signature-jobs.js';
import type { PageEnv } from './context.js';
import { statusText, type TextKey, type Translate } from './i18n.js';
import { CsrfField, formatTime, Layout, Notice, type PageNotice } from './layout.js';
import { NextStepLine } from './next-step-view.js';
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
  jobs: {
    id: string;
    flow: string;
    title: string;
    reference: string | null;
    outcome: JobOutcome;
    createdAt: Date;
  }[];
}> = ({ c, org, mayCreate, filter, jobs }) => {
  const t = c.get('t');
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
      <form method="get" action={senderPath(org.org)} class="filters" aria-label={t('filterSearch')}>
        <div>
          <label for="status">{t('filterStatus')}</label>
          <select id="status" name="status">
            <option value="">{t('filterAll')}</option>
            {JOB_LIST_STATUSES.map((st) => (
              <option value={st} selected={filter.outcome === st}>
                {statusText(t, 'outcome', st)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="q">{t('filterSearch')}</label>
          <input type="search" id="q" name="q" value={filter.search ?? ''} maxlength={100} />
        </div>
        <div>
          <button type="submit" class="secondary">
            {t('filterButton')}
          </button>
        </div>
      </form>
      {jobs.length === 0 ? (
        <p>{filtered ? t('noMatches') : t('noJobs')}</p>
      ) : (
        <div class="table-wrap">
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
                    {j.flow === 'direct' ? (
                      <span class="state-time">{statusText(t, 'flow', j.flow)}</span>
                    ) : null}
                  </td>
                  <td>{j.reference ?? ''}</td>
                  <td data-outcome={j.outcome}>{statusText(t, 'outcome', j.outcome)}</td>
                  <td>{formatTime(c.get('lang'), j.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
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
  activity: SignerActivity | undefined,
  activeOrder: number | undefined,
): string {
  if (s.status !== 'WAITING') return statusText(t, 'signer', s.status);
  if (activeOrder === undefined || s.order !== activeOrder) return t('stateNotStarted');
  if (activity?.viewedAt) return t('stateViewed');
  return activity?.notifiedAt ? t('stateNotified') : t('stateAwaitingNotice');
}

export const JobStatusPage: FC<{
  c: Context<PageEnv>;
  org: string;
  rec: JobRecord;
  activity: Map<string, SignerActivity>;
  /** A name for a signer the sender addressed by identity number, before the eID gave one. */
  knownName: (pid: string) => string | undefined;
  mayAct: boolean;
  csrfToken: string;
  notice?: PageNotice;
  /** A refused extension: shown at the days field, with the number that was entered. */
  extendError?: { message: string; days: string };
}> = ({ c, org, rec, activity, knownName, mayAct, csrfToken, notice, extendError }) => {
  const t = c.get('t');
  const lang = c.get('lang');
  const path = senderJobPath(org, rec.job.id);
  const running = rec.job.status === 'IN_PROGRESS';
  // Only portal jobs have a sender's cancel and deadline (the direct flow's live 30 days).
  const actions = mayAct && running && rec.job.flow === 'portal';
  const orders = [...new Set(rec.signers.map((s) => s.order))].sort((a, b) => a - b);
  const when = (at: Date | null) => (at ? formatTime(lang, at) : '–');
  return (
    <Layout c={c} title={rec.job.title}>
      {notice ? <Notice kind={notice.kind}>{notice.text}</Notice> : null}
      <h2>{t('jobStatusHeading')}</h2>
      <p>
        <strong class="job-outcome" data-outcome={rec.job.outcome}>
          {statusText(t, 'outcome', rec.job.outcome)}
        </strong>
        {rec.job.flow === 'direct' ? ` · ${statusText(t, 'flow', rec.job.flow)}` : ''}
        {rec.job.deadline ? ` · ${t('deadline', { date: formatTime(lang, rec.job.deadline) })}` : ''}
        {rec.job.reference ? ` · ${rec.job.reference}` : ''}
      </p>
      <NextStepLine t={t} lang={lang} step={rec.next} />
      <h2>{t('signersHeading')}</h2>
      <ul class="jobs signers">
        {rec.signers.map((s) => {
          const a = activity.get(s.id);
          const name = a?.name ?? (/^\d{11}$/.test(s.identifier) ? knownName(s.identifier) : undefined);
          const ended = s.status === 'REJECTED' ? s.since : null;
          return (
            <li data-signer={s.id}>
              <strong class="signer-name">{name ?? s.identifier}</strong>
              {name ? (
                <span class="state-time">{s.identifier}</span>
              ) : (
                <span class="state-time">{t('nameUnknown')}</span>
              )}
              <div>
                {orders.length > 1 ? `${t('colGroup')} ${orders.indexOf(s.order) + 1} · ` : ''}
                <span class="signer-state">{signerState(t, s, a, rec.job.activeOrder ?? undefined)}</span>
              </div>
              {s.status === 'REJECTED' ? (
                <p class="rejection-reason">
                  {s.rejectionReason
                    ? t('rejectionReason', { reason: s.rejectionReason })
                    : t('noRejectionReason')}
                </p>
              ) : null}
              <dl class="signer-events">
                <div>
                  <dt>{t('eventNotified')}</dt>
                  <dd>{when(a?.notifiedAt ?? null)}</dd>
                </div>
                <div>
                  <dt>{t('eventViewed')}</dt>
                  <dd>{when(a?.viewedAt ?? null)}</dd>
                </div>
                <div>
                  <dt>{ended ? t('eventRejected') : t('eventSigned')}</dt>
                  <dd>{when(ended ?? a?.signedAt ?? null)}</dd>
                </div>
              </dl>
              {rec.xadesSignerIds.has(s.id) ? (
                <a href={`${path}/signers/${s.id}/xades`}>{t('downloadXades')}</a>
              ) : null}
            </li>
          );
        })}
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
