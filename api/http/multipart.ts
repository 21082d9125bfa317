/**
 * Reading a create request: a `multipart/form-data` body with a `job` JSON part and one part per
 * document, named by the document's `fileName`. Every problem becomes a 4xx naming the part.
 */
import type { Context } from 'hono';
import { type Flow, type JobRequest, MAX_DOCUMENT_BYTES, type Sector } from '../../src/job/model.js';
import { parseJobRequest } from '../../src/job/schema.js';
import { inspectJobDocuments } from '../../src/portal/sender-jobs.js';
import { isPdfLimitCode, pdfLimitStatus } from '../../src/signing/pdf/limits.js';
import { ApiError, badRequest, refuseUnstorableStrings } from './errors.js';
import { type FormBody, FormBodyError, type FormLimits, readFormBody } from './form-body.js';

/**
 * The create request's body: the job JSON and the documents, read by the bounded streaming reader.
 * The whole body as the app's MAX_BODY_BYTES (34 MB: ten documents of 3 MB with the JSON; not
 * imported, as the app imports the routes); a file part up to a document's limit.
 */
const CREATE_FORM_LIMITS: FormLimits = {
  maxBytes: 34 * 1024 * 1024,
  maxFields: 100,
  maxNameBytes: 1024,
  maxValueBytes: 1024 * 1024,
  maxFiles: 100,
  maxFileBytes: MAX_DOCUMENT_BYTES,
};

export interface CreateRequest {
  job: JobRequest;
  /** The `job` part as sent (before defaults): what an idempotent retry must repeat. */
  requestJson: unknown;
  files: Map<string, Uint8Array>;
  /** Each PDF's pages as inspection counted them, by file name. */
  pageCounts: Map<string, number>;
}

export async function readCreateRequest(c: Context, flow: Flow, sector: Sector): Promise<CreateRequest> {
  const contentType = c.req.header('content-type') ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType) || !/boundary=/i.test(contentType)) {
    throw badRequest('INVALID_CONTENT_TYPE', 'the body must be multipart/form-data with a boundary', [
      { path: 'Content-Type', code: 'INVALID_CONTENT_TYPE', message: `got ${contentType || 'none'}` },
    ]);
  }
  let form: FormBody;
  try {
    form = await readFormBody(c.req.raw.body, contentType, CREATE_FORM_LIMITS);
  } catch (err) {
    if (!(err instanceof FormBodyError)) throw err;
    if (err.code === 'MALFORMED_FORM') throw badRequest('MALFORMED_MULTIPART', err.message);
    if (err.code === 'INVALID_UTF8') {
      throw badRequest('INVALID_UTF8', err.message, [
        { path: err.field ?? '(body)', code: 'INVALID_UTF8', message: 'text parts must be encoded as UTF-8' },
      ]);
    }
    const code = err.code === 'FILE_TOO_LARGE' ? 'DOCUMENT_TOO_LARGE' : err.code;
    const path = err.field ?? '(body)';
    throw new ApiError(err.status, code, err.message, [{ path, code, message: err.message }]);
  }

  const jobPart = form.job;
  if (jobPart === undefined) {
    throw badRequest('MISSING_JOB_PART', 'the body has no `job` part', [
      { path: 'job', code: 'REQUIRED', message: 'a part named `job` holding the job as JSON is required' },
    ]);
  }
  if (Array.isArray(jobPart)) {
    throw badRequest('DUPLICATE_PART', 'the body has more than one `job` part', [
      { path: 'job', code: 'DUPLICATE_PART', message: 'exactly one `job` part is allowed' },
    ]);
  }
  const jobText =
    typeof jobPart === 'string' ? jobPart : jobFileText(new Uint8Array(await jobPart.arrayBuffer()));
  let raw: unknown;
  try {
    raw = JSON.parse(jobText);
  } catch (err) {
    throw badRequest('INVALID_JSON', 'the `job` part is not valid JSON', [
      { path: 'job', code: 'INVALID_JSON', message: (err as Error).message },
    ]);
  }
  const job = validateJobRequest(flow, sector, raw);

  const files = new Map<string, Uint8Array>();
  const listed = new Set(job.documents.map((d) => d.fileName));
  for (const [name, value] of Object.entries(form)) {
    if (name === 'job') continue;
    if (!listed.has(name)) {
      throw badRequest('UNEXPECTED_PART', `the part \`${name}\` is not a document of the job`, [
        { path: name, code: 'UNEXPECTED_PART', message: 'every part but `job` must be a listed document' },
      ]);
    }
    if (Array.isArray(value)) {
      throw badRequest('DUPLICATE_PART', `more than one part is named \`${name}\``, [
        { path: name, code: 'DUPLICATE_PART', message: 'one part per document' },
      ]);
    }
    if (typeof value === 'string') {
      throw badRequest('NOT_A_FILE', `the part \`${name}\` is not a file`, [
        { path: name, code: 'NOT_A_FILE', message: 'send the document as a file part (with a filename)' },
      ]);
    }
    if (value.size > MAX_DOCUMENT_BYTES) {
      throw new ApiError(
        413,
        'DOCUMENT_TOO_LARGE',
        `the document \`${name}\` is larger than ${MAX_DOCUMENT_BYTES} bytes`,
        [
          {
            path: name,
            code: 'DOCUMENT_TOO_LARGE',
            message: `${value.size} bytes; at most ${MAX_DOCUMENT_BYTES}`,
          },
        ],
      );
    }
    files.set(name, new Uint8Array(await value.arrayBuffer()));
  }

  const pageCounts = await validateJobDocuments(job, files);
  return { job, requestJson: raw, files, pageCounts };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The `job` part sent as a file, refused (400 naming it) unless it is valid UTF-8: decoded
 * leniently, bad bytes would become U+FFFD and be stored as if the sender had written that. A text
 * part was decoded strictly by the form reader already.
 */
function jobFileText(bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw badRequest('INVALID_UTF8', 'the `job` part is not valid UTF-8', [
      { path: 'job', code: 'INVALID_UTF8', message: 'the job JSON must be encoded as UTF-8' },
    ]);
  }
}

/** The job object of a create request, validated with every default filled in (JSON and XML API). */
export function validateJobRequest(flow: Flow, sector: Sector, raw: unknown): JobRequest {
  refuseUnstorableStrings(raw);
  const parsed = parseJobRequest(flow, raw, { sector }, new Date());
  if (!parsed.ok) throw badRequest('VALIDATION_FAILED', 'the job is not valid', parsed.issues);
  return parsed.job;
}

/**
 * Every listed document present and acceptable (type, size, parsable), or 400 naming each. A PDF
 * that breaks a limit on reading it is answered as /api/verify answers it: 413 or 422 with the
 * limit's code (PDF_STREAM_TOO_LARGE, ...), the document named in the details.
 */
export async function validateJobDocuments(
  job: JobRequest,
  files: Map<string, Uint8Array>,
): Promise<Map<string, number>> {
  const { issues, pageCounts } = await inspectJobDocuments(job, files);
  for (const { code, path } of issues) {
    if (isPdfLimitCode(code))
      throw new ApiError(
        pdfLimitStatus(code),
        code,
        `the document \`${path}\` breaks a limit on PDFs`,
        issues,
      );
  }
  if (issues.length > 0)
    throw badRequest('INVALID_DOCUMENT', 'a document is missing or not acceptable', issues);
  return pageCounts;
}
