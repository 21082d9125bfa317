/**
 * Bad input through HTTP, table-driven: each case asserts the status, the error code and the
 * field named in `details`. Then property-based fuzzing of the job JSON: no input yields a 5xx.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createJob,
  devAct,
  directJob,
  type ErrorBody,
  expectError,
  jobsPath,
  pid,
} from '../helpers/api/http.js';
import { createForm, portalJob, samplePdf } from '../helpers/requests.js';
import { ORG, PRIVATE_ORG, type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
let pdf: Uint8Array;
let portalJobId: string;
beforeAll(async () => {
  [stack, pdf] = await Promise.all([startStack(), samplePdf()]);
  portalJobId = (await createJob(stack, 'portal', portalJob(), { 'contract.pdf': pdf })).id;
});
afterAll(async () => stack?.stop());

type Flow = 'direct' | 'portal';
type Files = Record<string, Uint8Array | string>;

interface BadInput {
  name: string;
  send: () => Promise<Response>;
  status: number;
  code: string;
  /** A detail must name this field, with `detailCode` when given. */
  path?: string;
  detailCode?: string;
}

const text = (s: string) => new TextEncoder().encode(s);
const pdfWith = (header: string) => {
  const copy = pdf.slice();
  copy.set(text(header), 0);
  return copy;
};
const encryptedPdf = () => new Uint8Array([...pdf, ...text('\ntrailer\n<< /Encrypt 9 0 R >>\n')]);

/** POST a create request: the job of `flow` with `overrides`, the contract PDF unless `files` given. */
function create(
  flow: Flow,
  overrides: Record<string, unknown>,
  opts: { files?: Files; key?: string; org?: string } = {},
) {
  const job = flow === 'portal' ? portalJob(overrides) : directJob(overrides);
  const files = opts.files ?? { 'contract.pdf': pdf };
  return stack.api(jobsPath(flow, opts.org), {
    method: 'POST',
    body: createForm(job, files),
    headers: opts.key ? { authorization: `Bearer ${opts.key}` } : {},
  });
}

function createRaw(body: BodyInit, headers: Record<string, string> = {}) {
  return stack.api(jobsPath('portal'), { method: 'POST', body, headers });
}

/** A job-JSON case: 400 VALIDATION_FAILED naming `path` with `detailCode`. */
function invalid(
  name: string,
  flow: Flow,
  overrides: Record<string, unknown>,
  path: string,
  detailCode: string,
): BadInput {
  return {
    name,
    send: () => create(flow, overrides),
    status: 400,
    code: 'VALIDATION_FAILED',
    path,
    detailCode,
  };
}

const portalSigner = (extra: Record<string, unknown>) => ({
  signers: [{ personalIdentificationNumber: pid(0), ...extra }],
});
const directSigner = (extra: Record<string, unknown>) => ({
  signers: [{ personalIdentificationNumber: pid(0), ...extra }],
});
const doc = (extra: Record<string, unknown>) => ({
  documents: [{ title: 'Contract', fileName: 'contract.pdf', mimeType: 'application/pdf', ...extra }],
});
const exitUrls = (extra: Record<string, unknown>) => ({
  exitUrls: { ...directJob().exitUrls, ...extra },
});

const cases: BadInput[] = [
  // The job's own fields.
  invalid('title missing', 'portal', { title: undefined }, 'title', 'REQUIRED'),
  invalid('title empty', 'portal', { title: '  ' }, 'title', 'REQUIRED'),
  invalid('title of 81 characters', 'portal', { title: 'x'.repeat(81) }, 'title', 'TOO_LONG'),
  invalid('title with a line break', 'direct', { title: 'a\nb' }, 'title', 'INVALID_CHARACTERS'),
  invalid('title a number', 'portal', { title: 42 }, 'title', 'INVALID_TYPE'),
  invalid(
    'nonsensitiveTitle of 81',
    'portal',
    { nonsensitiveTitle: 'x'.repeat(81) },
    'nonsensitiveTitle',
    'TOO_LONG',
  ),
  invalid('description of 221', 'portal', { description: 'x'.repeat(221) }, 'description', 'TOO_LONG'),
  invalid('reference of 51', 'portal', { reference: 'x'.repeat(51) }, 'reference', 'TOO_LONG'),
  invalid(
    'identity number in the reference',
    'direct',
    { reference: `case ${pid(3)}` },
    'reference',
    'PERSONAL_DATA_IN_REFERENCE',
  ),
  invalid(
    'pollingQueue with a space',
    'portal',
    { pollingQueue: 'hr system' },
    'pollingQueue',
    'INVALID_FORMAT',
  ),
  invalid('pollingQueue of 101', 'portal', { pollingQueue: 'q'.repeat(101) }, 'pollingQueue', 'TOO_LONG'),
  invalid('unknown field', 'portal', { colour: 'blue' }, 'colour', 'UNKNOWN_FIELD'),
  invalid(
    'requiredAuthentication 2',
    'portal',
    { requiredAuthentication: 2 },
    'requiredAuthentication',
    'INVALID_ENUM',
  ),
  invalid(
    'identifierInSignedDocuments unknown',
    'portal',
    { identifierInSignedDocuments: 'SHOE_SIZE' },
    'identifierInSignedDocuments',
    'INVALID_ENUM',
  ),
  invalid(
    'longTermStorage a string',
    'portal',
    { longTermStorage: 'yes' },
    'longTermStorage',
    'INVALID_TYPE',
  ),
  invalid(
    'callbackUrl javascript:',
    'portal',
    { callbackUrl: 'javascript:alert(1)' },
    'callbackUrl',
    'INVALID_URL',
  ),
  // Documents.
  invalid('documents missing', 'portal', { documents: undefined }, 'documents', 'REQUIRED'),
  invalid('documents empty', 'portal', { documents: [] }, 'documents', 'NO_DOCUMENTS'),
  invalid(
    'document MIME type Word',
    'portal',
    doc({ mimeType: 'application/msword' }),
    'documents[0].mimeType',
    'INVALID_ENUM',
  ),
  invalid(
    'document file name with a path',
    'portal',
    doc({ fileName: '../contract.pdf' }),
    'documents[0].fileName',
    'INVALID_FILE_NAME',
  ),
  invalid(
    'document named like the job part',
    'portal',
    doc({ fileName: 'job' }),
    'documents[0].fileName',
    'INVALID_FILE_NAME',
  ),
  invalid('document title missing', 'portal', doc({ title: undefined }), 'documents[0].title', 'REQUIRED'),
  invalid('document unknown field', 'portal', doc({ pages: 3 }), 'documents[0].pages', 'UNKNOWN_FIELD'),
  invalid(
    'two documents with one file name',
    'portal',
    { documents: [doc({}).documents[0], doc({ title: 'Again' }).documents[0]] },
    'documents[1].fileName',
    'DUPLICATE_FILE_NAME',
  ),
  // Signers.
  invalid('signers missing', 'portal', { signers: undefined }, 'signers', 'REQUIRED'),
  invalid('no signers', 'direct', { signers: [] }, 'signers', 'NO_SIGNERS'),
  invalid(
    'eleven signers',
    'portal',
    { signers: Array.from({ length: 11 }, (_, i) => ({ personalIdentificationNumber: pid(i) })) },
    'signers',
    'TOO_MANY_SIGNERS',
  ),
  invalid(
    'identity number with a wrong check digit',
    'portal',
    portalSigner({ personalIdentificationNumber: '01819010002' }),
    'signers[0].personalIdentificationNumber',
    'INVALID_PERSONAL_IDENTIFICATION_NUMBER',
  ),
  invalid(
    'identity number of 10 digits',
    'direct',
    directSigner({ personalIdentificationNumber: '0181901000' }),
    'signers[0].personalIdentificationNumber',
    'INVALID_PERSONAL_IDENTIFICATION_NUMBER',
  ),
  invalid(
    'the same signer twice',
    'portal',
    { signers: [{ personalIdentificationNumber: pid(1) }, { personalIdentificationNumber: pid(1) }] },
    'signers[1].personalIdentificationNumber',
    'DUPLICATE_SIGNER',
  ),
  invalid(
    'signer e-mail invalid',
    'portal',
    { signers: [{ email: 'not-an-email' }] },
    'signers[0].email',
    'INVALID_EMAIL',
  ),
  invalid(
    'signer mobile invalid',
    'portal',
    { signers: [{ mobile: 'call me' }] },
    'signers[0].mobile',
    'INVALID_MOBILE',
  ),
  invalid(
    'notification e-mail invalid',
    'portal',
    portalSigner({ notifications: { email: 'a@' } }),
    'signers[0].notifications.email',
    'INVALID_EMAIL',
  ),
  invalid(
    'notification mobile invalid',
    'portal',
    portalSigner({ notifications: { mobile: '12' } }),
    'signers[0].notifications.mobile',
    'INVALID_MOBILE',
  ),
  invalid(
    'notifications empty',
    'portal',
    portalSigner({ notifications: {} }),
    'signers[0].notifications',
    'REQUIRED',
  ),
  invalid('order 10', 'portal', portalSigner({ order: 10 }), 'signers[0].order', 'OUT_OF_RANGE'),
  invalid('order -1', 'portal', portalSigner({ order: -1 }), 'signers[0].order', 'OUT_OF_RANGE'),
  invalid('order 1.5', 'portal', portalSigner({ order: 1.5 }), 'signers[0].order', 'INVALID_TYPE'),
  invalid(
    'signatureType unknown',
    'portal',
    portalSigner({ signatureType: 'WET_INK' }),
    'signers[0].signatureType',
    'INVALID_ENUM',
  ),
  invalid(
    'onBehalfOf unknown',
    'direct',
    directSigner({ onBehalfOf: 'NOBODY' }),
    'signers[0].onBehalfOf',
    'INVALID_ENUM',
  ),
  invalid(
    'signer language in lower case',
    'portal',
    portalSigner({ language: 'en' }),
    'signers[0].language',
    'INVALID_ENUM',
  ),
  invalid(
    'notificationLanguage unknown',
    'portal',
    { notificationLanguage: 'DE' },
    'notificationLanguage',
    'INVALID_ENUM',
  ),
  invalid(
    'portal signer without identifier',
    'portal',
    { signers: [{ order: 0 }] },
    'signers[0]',
    'MISSING_SIGNER_IDENTIFIER',
  ),
  invalid(
    'portal signer by number and e-mail',
    'portal',
    portalSigner({ email: 'kari@example.com' }),
    'signers[0].email',
    'AMBIGUOUS_SIGNER_IDENTIFIER',
  ),
  invalid(
    'direct signer without identifier',
    'direct',
    { signers: [{ onBehalfOf: 'SELF' }] },
    'signers[0]',
    'MISSING_SIGNER_IDENTIFIER',
  ),
  invalid(
    'direct signer by number and custom id',
    'direct',
    directSigner({ customIdentifier: 'kari' }),
    'signers[0].customIdentifier',
    'AMBIGUOUS_SIGNER_IDENTIFIER',
  ),
  invalid(
    'signer on behalf of OTHER without notifications',
    'portal',
    portalSigner({ onBehalfOf: 'OTHER' }),
    'signers[0].notifications',
    'REQUIRED',
  ),
  invalid(
    'notifications on an e-mail signer',
    'portal',
    { signers: [{ email: 'kari@example.com', notifications: { email: 'kari@example.com' } }] },
    'signers[0].notifications',
    'NOT_ALLOWED_FOR_SIGNER',
  ),
  // Fields of the other flow.
  invalid(
    'order in the direct flow',
    'direct',
    directSigner({ order: 1 }),
    'signers[0].order',
    'NOT_ALLOWED_IN_FLOW',
  ),
  invalid(
    'e-mail signer in the direct flow',
    'direct',
    { signers: [{ email: 'kari@example.com' }] },
    'signers[0].email',
    'NOT_ALLOWED_IN_FLOW',
  ),
  invalid(
    'customIdentifier in the portal flow',
    'portal',
    { signers: [{ customIdentifier: 'kari' }] },
    'signers[0].customIdentifier',
    'NOT_ALLOWED_IN_FLOW',
  ),
  invalid(
    'exitUrls in the portal flow',
    'portal',
    { exitUrls: directJob().exitUrls },
    'exitUrls',
    'NOT_ALLOWED_IN_FLOW',
  ),
  invalid(
    'statusRetrievalMethod in the portal flow',
    'portal',
    { statusRetrievalMethod: 'POLLING' },
    'statusRetrievalMethod',
    'NOT_ALLOWED_IN_FLOW',
  ),
  invalid(
    'signer language in the direct flow',
    'direct',
    directSigner({ language: 'EN' }),
    'signers[0].language',
    'NOT_ALLOWED_IN_FLOW',
  ),
  invalid(
    'availability in the direct flow',
    'direct',
    { availability: { availableSeconds: 60 } },
    'availability',
    'NOT_ALLOWED_IN_FLOW',
  ),
  invalid(
    'nonsensitiveTitle in the direct flow',
    'direct',
    { nonsensitiveTitle: 'Contract' },
    'nonsensitiveTitle',
    'NOT_ALLOWED_IN_FLOW',
  ),
  // Direct-only fields.
  invalid('exitUrls missing', 'direct', { exitUrls: undefined }, 'exitUrls', 'REQUIRED'),
  invalid(
    'completionUrl ftp',
    'direct',
    exitUrls({ completionUrl: 'ftp://sender.example/ok' }),
    'exitUrls.completionUrl',
    'INVALID_URL',
  ),
  invalid(
    'errorUrl relative',
    'direct',
    exitUrls({ errorUrl: '/error' }),
    'exitUrls.errorUrl',
    'INVALID_URL',
  ),
  invalid(
    'rejectionUrl with credentials',
    'direct',
    exitUrls({ rejectionUrl: 'https://u:p@sender.example/' }),
    'exitUrls.rejectionUrl',
    'INVALID_URL',
  ),
  invalid(
    'exitUrls unknown field',
    'direct',
    exitUrls({ cancelUrl: 'https://sender.example/c' }),
    'exitUrls.cancelUrl',
    'UNKNOWN_FIELD',
  ),
  invalid(
    'statusRetrievalMethod unknown',
    'direct',
    { statusRetrievalMethod: 'PUSH' },
    'statusRetrievalMethod',
    'INVALID_ENUM',
  ),
  // Portal-only fields.
  invalid(
    'availableSeconds 0',
    'portal',
    { availability: { availableSeconds: 0 } },
    'availability.availableSeconds',
    'OUT_OF_RANGE',
  ),
  invalid(
    'availableSeconds over 90 days',
    'portal',
    { availability: { availableSeconds: 7_776_001 } },
    'availability.availableSeconds',
    'OUT_OF_RANGE',
  ),
  invalid(
    'availableSeconds a string',
    'portal',
    { availability: { availableSeconds: '100' } },
    'availability.availableSeconds',
    'INVALID_TYPE',
  ),
  invalid(
    'activationTime in words',
    'portal',
    { availability: { activationTime: 'tomorrow' } },
    'availability.activationTime',
    'INVALID_DATE_TIME',
  ),
  invalid(
    'activationTime on a date that does not exist (not rolled over)',
    'portal',
    { availability: { activationTime: '2026-13-45T99:99:00Z' } },
    'availability.activationTime',
    'INVALID_DATE_TIME',
  ),
  invalid(
    'activationTime on 29 February of a common year',
    'portal',
    { availability: { activationTime: '2027-02-29T08:00:00+01:00' } },
    'availability.activationTime',
    'INVALID_DATE_TIME',
  ),
  invalid(
    'activationTime without offset',
    'portal',
    { availability: { activationTime: '2026-12-01T08:00:00' } },
    'availability.activationTime',
    'INVALID_DATE_TIME',
  ),
  // The sender's sector.
  {
    name: 'private sender with security level 3',
    send: () =>
      create(
        'portal',
        {
          requiredAuthentication: 3,
          ...portalSigner({ signatureType: 'ADVANCED_SIGNATURE', notifications: { email: 'k@example.com' } }),
        },
        { key: stack.privateApiKey, org: PRIVATE_ORG },
      ),
    status: 400,
    code: 'VALIDATION_FAILED',
    path: 'requiredAuthentication',
    detailCode: 'NOT_ALLOWED_FOR_SECTOR',
  },
  {
    name: 'private sender with an authenticated signature',
    send: () =>
      create(
        'portal',
        portalSigner({ signatureType: 'AUTHENTICATED_SIGNATURE', notifications: { email: 'k@example.com' } }),
        { key: stack.privateApiKey, org: PRIVATE_ORG },
      ),
    status: 400,
    code: 'VALIDATION_FAILED',
    path: 'signers[0].signatureType',
    detailCode: 'NOT_ALLOWED_FOR_SECTOR',
  },
  {
    name: 'private sender, signer by number without notifications',
    send: () =>
      create('portal', portalSigner({ signatureType: 'ADVANCED_SIGNATURE' }), {
        key: stack.privateApiKey,
        org: PRIVATE_ORG,
      }),
    status: 400,
    code: 'VALIDATION_FAILED',
    path: 'signers[0].notifications',
    detailCode: 'REQUIRED',
  },
  // The multipart body and the documents in it.
  {
    name: 'a JSON body instead of multipart',
    send: () => createRaw(JSON.stringify(portalJob()), { 'content-type': 'application/json' }),
    status: 400,
    code: 'INVALID_CONTENT_TYPE',
    path: 'Content-Type',
  },
  {
    name: 'no job part',
    send: () => {
      const form = new FormData();
      form.append('contract.pdf', new Blob([pdf as BlobPart]), 'contract.pdf');
      return createRaw(form);
    },
    status: 400,
    code: 'MISSING_JOB_PART',
    path: 'job',
  },
  {
    name: 'two job parts',
    send: () => {
      const form = createForm(portalJob(), { 'contract.pdf': pdf });
      form.append('job', JSON.stringify(portalJob()));
      return createRaw(form);
    },
    status: 400,
    code: 'DUPLICATE_PART',
    path: 'job',
  },
  {
    name: 'job part not JSON',
    send: () => createRaw(createForm('{"title":', { 'contract.pdf': pdf })),
    status: 400,
    code: 'INVALID_JSON',
    path: 'job',
  },
  {
    name: 'job part a JSON array',
    send: () => createRaw(createForm('[]', { 'contract.pdf': pdf })),
    status: 400,
    code: 'VALIDATION_FAILED',
    path: '',
    detailCode: 'INVALID_TYPE',
  },
  {
    name: 'document part missing',
    send: () => create('portal', {}, { files: {} }),
    status: 400,
    code: 'INVALID_DOCUMENT',
    path: 'documents[0].fileName',
    detailCode: 'MISSING_DOCUMENT_PART',
  },
  {
    name: 'a part no document names',
    send: () => create('portal', {}, { files: { 'contract.pdf': pdf, 'extra.pdf': pdf } }),
    status: 400,
    code: 'UNEXPECTED_PART',
    path: 'extra.pdf',
  },
  {
    name: 'document sent as a plain field',
    send: () => {
      const form = createForm(portalJob(), {});
      form.append('contract.pdf', 'not a file');
      return createRaw(form);
    },
    status: 400,
    code: 'NOT_A_FILE',
    path: 'contract.pdf',
  },
  {
    name: 'document over 3 MB',
    send: () => create('portal', {}, { files: { 'contract.pdf': new Uint8Array(3_145_729) } }),
    status: 413,
    code: 'DOCUMENT_TOO_LARGE',
    path: 'contract.pdf',
  },
  {
    name: 'empty document',
    send: () => create('portal', {}, { files: { 'contract.pdf': new Uint8Array(0) } }),
    status: 400,
    code: 'INVALID_DOCUMENT',
    path: 'contract.pdf',
    detailCode: 'DOCUMENT_EMPTY',
  },
  {
    name: 'text declared as PDF',
    send: () => create('portal', {}, { files: { 'contract.pdf': 'just text' } }),
    status: 400,
    code: 'INVALID_DOCUMENT',
    path: 'contract.pdf',
    detailCode: 'MIME_TYPE_MISMATCH',
  },
  {
    name: 'PDF declared as text',
    send: () =>
      create(
        'portal',
        { documents: [{ title: 'T', fileName: 'letter.txt', mimeType: 'text/plain' }] },
        { files: { 'letter.txt': pdf } },
      ),
    status: 400,
    code: 'INVALID_DOCUMENT',
    path: 'letter.txt',
    detailCode: 'MIME_TYPE_MISMATCH',
  },
  {
    name: 'text not UTF-8',
    send: () =>
      create(
        'portal',
        { documents: [{ title: 'T', fileName: 'letter.txt', mimeType: 'text/plain' }] },
        { files: { 'letter.txt': new Uint8Array([0x68, 0xe6, 0x72]) } },
      ),
    status: 400,
    code: 'INVALID_DOCUMENT',
    path: 'letter.txt',
    detailCode: 'INVALID_TEXT_ENCODING',
  },
  {
    name: 'PDF 2.0',
    send: () => create('portal', {}, { files: { 'contract.pdf': pdfWith('%PDF-2.0') } }),
    status: 400,
    code: 'INVALID_DOCUMENT',
    path: 'contract.pdf',
    detailCode: 'UNSUPPORTED_PDF_VERSION',
  },
  {
    name: 'encrypted PDF',
    send: () => create('portal', {}, { files: { 'contract.pdf': encryptedPdf() } }),
    status: 400,
    code: 'INVALID_DOCUMENT',
    path: 'contract.pdf',
    detailCode: 'ENCRYPTED_PDF',
  },
  {
    name: 'unparsable PDF',
    send: () => create('portal', {}, { files: { 'contract.pdf': text('%PDF-1.7\n garbage') } }),
    status: 400,
    code: 'INVALID_DOCUMENT',
    path: 'contract.pdf',
    detailCode: 'UNPARSABLE_PDF',
  },
  {
    name: 'body over the limit',
    send: () =>
      createRaw(new Uint8Array(34 * 1024 * 1024 + 1), { 'content-type': 'multipart/form-data; boundary=x' }),
    status: 413,
    code: 'BODY_TOO_LARGE',
  },
  {
    name: 'Idempotency-Key too long',
    send: () =>
      createRaw(createForm(portalJob(), { 'contract.pdf': pdf }), { 'idempotency-key': 'k'.repeat(256) }),
    status: 400,
    code: 'INVALID_IDEMPOTENCY_KEY',
    path: 'Idempotency-Key',
  },
  // Other endpoints.
  {
    name: 'an unknown flow',
    send: () => stack.api(`/api/${ORG}/express/signature-jobs`),
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'deadline of 0 seconds',
    send: () =>
      stack.api(`${jobsPath('portal')}/${portalJobId}/deadline`, {
        method: 'POST',
        body: '{"availableSeconds":0}',
      }),
    status: 400,
    code: 'VALIDATION_FAILED',
    path: 'availableSeconds',
  },
  {
    name: 'deadline body not JSON',
    send: () => stack.api(`${jobsPath('portal')}/${portalJobId}/deadline`, { method: 'POST', body: '{' }),
    status: 400,
    code: 'INVALID_JSON',
  },
  {
    name: 'deadline body with an unknown field',
    send: () =>
      stack.api(`${jobsPath('portal')}/${portalJobId}/deadline`, {
        method: 'POST',
        body: '{"availableSeconds":60,"x":1}',
      }),
    status: 400,
    code: 'VALIDATION_FAILED',
    path: 'x',
    detailCode: 'UNKNOWN_FIELD',
  },
  {
    name: 'deadline body over 16 KB',
    send: () =>
      stack.api(`${jobsPath('portal')}/${portalJobId}/deadline`, {
        method: 'POST',
        body: ' '.repeat(20_000),
      }),
    status: 413,
    code: 'BODY_TOO_LARGE',
  },
  {
    name: 'polling_queue with a slash',
    send: () => stack.api(`${jobsPath('portal')}?polling_queue=a/b`),
    status: 400,
    code: 'VALIDATION_FAILED',
    path: 'polling_queue',
  },
  {
    name: 'confirming a change id that is no number',
    send: () => stack.api(`${jobsPath('portal')}/${portalJobId}/complete?change=abc`, { method: 'POST' }),
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'status of an unknown job',
    send: () => stack.api(`${jobsPath('direct')}/x/status?status_query_token=t`),
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'dev sign at level 2',
    send: () => devAct(stack, portalJobId, 'nobody', 'sign', { authenticationLevel: 2 }),
    status: 400,
    code: 'VALIDATION_FAILED',
    path: 'authenticationLevel',
  },
];

describe('bad input, table-driven', () => {
  it('has at least 60 distinct cases', () => {
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  it.each(cases)('$name: $status $code', async (c) => {
    const res = await c.send();
    const body = await expectError(res, c.status, c.code, c.path);
    if (c.detailCode !== undefined) {
      expect(body.error.details).toContainEqual(
        expect.objectContaining({ path: c.path, code: c.detailCode }),
      );
    }
  });
});

describe('fuzzing the job JSON', () => {
  // Binary string units: NULs and lone surrogates too, which PostgreSQL cannot store.
  const jsonValue = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.jsonValue({ maxDepth: 2, stringUnit: 'binary' }),
  );
  /** A valid job with one field (or a signer's field) replaced, or extra keys, or any JSON at all. */
  const mutatedJob = fc.oneof(
    fc
      .record({
        base: fc.constantFrom<Flow>('portal', 'direct'),
        key: fc.string({ maxLength: 20 }),
        value: jsonValue,
      })
      .map(({ base, key, value }) => ({
        flow: base,
        job: { ...(base === 'portal' ? portalJob() : directJob()), [key]: value },
      })),
    fc
      .record({
        flow: fc.constantFrom<Flow>('portal', 'direct'),
        key: fc.constantFrom(
          'personalIdentificationNumber',
          'email',
          'mobile',
          'order',
          'notifications',
          'customIdentifier',
          'onBehalfOf',
          'signatureType',
        ),
        value: jsonValue,
      })
      .map(({ flow, key, value }) => ({
        flow,
        job: (flow === 'portal' ? portalJob : directJob)({ signers: [{ [key]: value }] }),
      })),
    fc.record({ flow: fc.constantFrom<Flow>('portal', 'direct'), job: jsonValue }),
  );

  it('never answers 5xx, and every refusal has the error shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        mutatedJob,
        fc.option(fc.string({ minLength: 1, maxLength: 12 })),
        async ({ flow, job }, extraPart) => {
          const files: Files = { 'contract.pdf': pdf };
          if (extraPart) files[extraPart] = 'x';
          const res = await stack.api(jobsPath(flow), { method: 'POST', body: createForm(job, files) });
          expect(res.status).toBeLessThan(500);
          const body = (await res.json()) as ErrorBody;
          if (res.status >= 400) {
            expect(typeof body.error.code).toBe('string');
            expect(Array.isArray(body.error.details)).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
