/**
 * The sender portal's jobs: a job entered in a form goes through the very validation and creation
 * the API uses (parseJobRequest, inspectDocument, createSignatureJob); this module only turns the
 * form into the API's `job` JSON and the uploads into its document parts.
 */

import type { JobListFilter } from '../db/job-reads.js';
import { inspectDocument } from '../job/documents.js';
import type { DocumentMimeType, FieldIssue, JobRequest, Sector } from '../job/model.js';
import { DAY_SECONDS } from '../job/model.js';
import { parseJobRequest } from '../job/schema.js';
import { isExistingDate } from '../rules/identity.js';
import { osloInstant } from '../rules/oslo-time.js';
import { JOB_OUTCOMES } from '../rules/outcome.js';
import { isStorableText } from '../rules/storable-text.js';
import { createSignatureJob } from '../services/create-job.js';
import { JobInputError, type JobServiceDeps } from '../services/job-service.js';
import type { DocumentStore } from '../storage/index.js';

export interface UploadedFile {
  fileName: string;
  /** What the browser said the file is. */
  type: string;
  bytes: Uint8Array;
}

/** One signer row of the form; empty rows are left out. */
export interface SignerFormRow {
  /** Identity number, e-mail address or mobile number: which one is told by its shape. */
  identifier: string;
  order: string;
  email: string;
  mobile: string;
  signatureType: string;
  onBehalfOf: string;
}

export interface JobForm {
  title: string;
  nonsensitiveTitle: string;
  description: string;
  reference: string;
  requiredAuthentication: string;
  /** Lifetime of each group in days. */
  availableDays: string;
  /** `YYYY-MM-DDTHH:mm` (an <input type=datetime-local>), Norwegian time; empty for now. */
  activation: string;
  signers: SignerFormRow[];
}

const blankToUndefined = (s: string) => (s.trim() === '' ? undefined : s.trim());
const numberOrText = (s: string) => (/^\d+$/.test(s.trim()) ? Number(s.trim()) : s.trim());

/** The declared type of an upload: the PDF inspection then tells whether it really is one. */
function mimeTypeOf(file: UploadedFile): DocumentMimeType {
  return file.type === 'application/pdf' || /\.pdf$/i.test(file.fileName) ? 'application/pdf' : 'text/plain';
}

/** The title of a document: its file name without the extension. */
const documentTitle = (fileName: string) => fileName.replace(/\.[^.]+$/, '').slice(0, 80) || fileName;

/**
 * A Norwegian wall-clock time from a datetime-local field, as RFC 3339 UTC; the text itself if
 * malformed or naming a date or time that does not exist, so the job's validation refuses it by
 * name (osloInstant would roll a 13th month over into the next year).
 */
export function osloLocalToRfc3339(local: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local.trim());
  if (!m) return local.trim();
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  if (!isExistingDate({ year: y, month: mo, day: d }) || h > 23 || mi > 59) return local.trim();
  return new Date(osloInstant(y, mo, d, h).getTime() + mi * 60_000).toISOString();
}

function signerOf(row: SignerFormRow): Record<string, unknown> {
  const id = row.identifier.trim();
  const addressedBy = /^\d{11}$/.test(id)
    ? { personalIdentificationNumber: id }
    : id.includes('@')
      ? { email: id }
      : { mobile: id };
  const email = blankToUndefined(row.email);
  const mobile = blankToUndefined(row.mobile);
  return {
    ...addressedBy,
    ...(row.order.trim() ? { order: numberOrText(row.order) } : {}),
    ...(row.signatureType ? { signatureType: row.signatureType } : {}),
    ...(row.onBehalfOf ? { onBehalfOf: row.onBehalfOf } : {}),
    ...(email || mobile
      ? { notifications: { ...(email ? { email } : {}), ...(mobile ? { mobile } : {}) } }
      : {}),
  };
}

/** The form as the API's `job` JSON (before validation, so every mistake is reported as the API would). */
export function jobJsonFromForm(form: JobForm, files: UploadedFile[]): Record<string, unknown> {
  const days = form.availableDays.trim();
  const activation = blankToUndefined(form.activation);
  return {
    title: form.title.trim(),
    ...(blankToUndefined(form.nonsensitiveTitle) ? { nonsensitiveTitle: form.nonsensitiveTitle.trim() } : {}),
    ...(blankToUndefined(form.description) ? { description: form.description.trim() } : {}),
    ...(blankToUndefined(form.reference) ? { reference: form.reference.trim() } : {}),
    ...(form.requiredAuthentication
      ? { requiredAuthentication: numberOrText(form.requiredAuthentication) }
      : {}),
    documents: files.map((f) => ({
      title: documentTitle(f.fileName),
      fileName: f.fileName,
      mimeType: mimeTypeOf(f),
    })),
    signers: form.signers.filter((s) => s.identifier.trim() !== '').map(signerOf),
    ...(days || activation
      ? {
          availability: {
            ...(activation ? { activationTime: osloLocalToRfc3339(activation) } : {}),
            ...(days ? { availableSeconds: /^\d+$/.test(days) ? Number(days) * DAY_SECONDS : days } : {}),
          },
        }
      : {}),
  };
}

/**
 * Inspects every listed document's bytes: the one check the API's create request
 * (api/http/multipart.ts) and the sender portal's form both use.
 */
export async function inspectJobDocuments(
  job: JobRequest,
  files: Map<string, Uint8Array>,
): Promise<{ issues: FieldIssue[]; pageCounts: Map<string, number> }> {
  const issues: FieldIssue[] = [];
  // The pages of each PDF, as inspection counted them: kept with the document for the sender's page.
  const pageCounts = new Map<string, number>();
  for (const [i, doc] of job.documents.entries()) {
    const bytes = files.get(doc.fileName);
    if (!bytes) {
      issues.push({
        path: `documents[${i}].fileName`,
        code: 'MISSING_DOCUMENT_PART',
        message: 'no file uploaded',
      });
      continue;
    }
    const inspected = await inspectDocument(bytes, doc.mimeType);
    if (!inspected.ok) issues.push({ path: doc.fileName, code: inspected.code, message: inspected.message });
    else if (inspected.pageCount !== undefined) pageCounts.set(doc.fileName, inspected.pageCount);
  }
  return { issues, pageCounts };
}

export type CreateFromPortalResult = { ok: true; jobId: string } | { ok: false; issues: FieldIssue[] };

export async function createJobFromPortal(
  deps: JobServiceDeps & { storage: DocumentStore },
  input: { org: string; sector: Sector; form: JobForm; files: UploadedFile[]; idempotencyKey: string },
): Promise<CreateFromPortalResult> {
  const raw = jobJsonFromForm(input.form, input.files);
  const parsed = parseJobRequest('portal', raw, { sector: input.sector }, new Date());
  if (!parsed.ok) return { ok: false, issues: parsed.issues };
  const files = new Map(input.files.map((f) => [f.fileName, f.bytes]));
  const { issues: documentIssues, pageCounts } = await inspectJobDocuments(parsed.job, files);
  if (documentIssues.length > 0) return { ok: false, issues: documentIssues };
  try {
    const { jobId } = await createSignatureJob(deps, {
      org: input.org,
      flow: 'portal',
      job: parsed.job,
      requestJson: raw,
      files,
      pageCounts,
      idempotencyKey: input.idempotencyKey,
    });
    return { ok: true, jobId };
  } catch (err) {
    if (err instanceof JobInputError) return { ok: false, issues: err.issues };
    throw err;
  }
}

/** The organisation's jobs: read from the one read model. */
export { type JobListFilter, listOrganisationJobs, type OrganisationJobRow } from '../db/job-reads.js';

/** The longest search the job list takes (a title is at most 255; names and addresses are shorter). */
export const MAX_LIST_QUERY_CHARS = 100;

/** A list query refused, by its field: too long a search, or a status the list does not know. */
export type JobListQueryIssue =
  | { field: 'q'; code: 'TOO_LONG' | 'UNREADABLE' }
  | { field: 'status'; code: 'UNKNOWN_STATUS'; value: string };

/**
 * The job list's filter from the URL's `status` and `q`: a known outcome (empty for all) and at
 * most MAX_LIST_QUERY_CHARS of search; anything else is refused by field, never cut silently.
 */
export function parseJobListQuery(
  status: string | undefined,
  search: string | undefined,
): { ok: true; filter: JobListFilter } | { ok: false; issue: JobListQueryIssue } {
  const words = search?.trim() ?? '';
  if (!isStorableText(words)) return { ok: false, issue: { field: 'q', code: 'UNREADABLE' } };
  if ([...words].length > MAX_LIST_QUERY_CHARS) return { ok: false, issue: { field: 'q', code: 'TOO_LONG' } };
  const wanted = status?.trim() ?? '';
  const outcome = JOB_OUTCOMES.find((o) => o === wanted);
  if (wanted !== '' && !outcome)
    return { ok: false, issue: { field: 'status', code: 'UNKNOWN_STATUS', value: wanted.slice(0, 40) } };
  return { ok: true, filter: { ...(outcome ? { outcome } : {}), ...(words ? { search: words } : {}) } };
}
