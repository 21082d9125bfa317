/**
 * The `job` JSON part of a create request: zod schemas (the single source for validation and for
 * the OpenAPI document) and `parseJobRequest`, which adds the rules that depend on the flow, the
 * sender's sector and several fields at once, and fills in every default.
 *
 * Two layers, on purpose:
 * 1. The zod schemas check shape and single fields (types, lengths, enums, check digits, formats)
 *    and know nothing of flow or sector, so one schema documents both flows.
 * 2. `parseJobRequest` checks which fields the flow allows (on the raw input, so this is reported
 *    even when other fields are malformed), then cross-field rules once the shape is right.
 * Each problem becomes a `FieldIssue` with a path like `signers[1].email` and an UPPER_SNAKE code.
 */

import { z } from 'zod';
import { isValidEmail, MAX_EMAIL_LENGTH, normaliseMobile } from '../rules/contact.js';
import { validatePersonalIdentificationNumber } from '../rules/identity.js';
import { parseRfc3339 } from '../rules/rfc3339.js';
import {
  type AuthenticationLevel,
  DEFAULT_AVAILABLE_SECONDS,
  DOCUMENT_MIME_TYPES,
  type DocumentRequest,
  type FieldIssue,
  type Flow,
  IDENTIFIERS_IN_SIGNED_DOCUMENTS,
  type IdentifierInSignedDocuments,
  type JobRequest,
  MAX_AVAILABLE_SECONDS,
  MAX_DESCRIPTION_LENGTH,
  MAX_REFERENCE_LENGTH,
  MAX_SIGNERS,
  MAX_TITLE_LENGTH,
  NOTIFICATION_LANGUAGES,
  type NotificationLanguage,
  ON_BEHALF_OF,
  type Sector,
  SIGNATURE_TYPES,
  type SignatureType,
  type SignerRequest,
  STATUS_RETRIEVAL_METHODS,
} from './model.js';

export const MAX_POLLING_QUEUE_LENGTH = 100;
/**
 * The queue a status poll names: the same rule as the job's `pollingQueue`, so every queue a job
 * can name can be polled (empty: the default queue). Both the JSON and the XML API poll with it.
 */
export const pollingQueueSchema = z
  .string()
  .max(MAX_POLLING_QUEUE_LENGTH)
  .regex(/^[A-Za-z0-9._-]*$/)
  .describe("The named status queue (the job's pollingQueue); empty or absent: the default queue.");
export const MAX_FILE_NAME_LENGTH = 255;
export const MAX_CUSTOM_IDENTIFIER_LENGTH = 100;
export const MAX_URL_LENGTH = 2048;
/** A hostile request could hold thousands of bad fields; the first hundred say enough. */
export const MAX_REPORTED_ISSUES = 100;
/** The multipart part that carries this JSON; a document may not take its name. */
export const JOB_PART_NAME = 'job';

/* ------------------------------------------------------------------------------------------------
 * Single-field rules, as zod refinements carrying our issue code in `params.code`.
 * --------------------------------------------------------------------------------------------- */

function withCode(code: string, message: string) {
  return { message, params: { code } };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_CHARACTERS_EXCEPT_LINE_BREAKS = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * A one-line text: no control characters, since these fields end up in e-mail subjects, SMS and
 * PDF signature pages, where a line break could forge content.
 */
/**
 * The refinements below, as JSON Schema patterns for /openapi.json (a refinement has no JSON
 * Schema of its own): no control characters; for required text, also something besides spaces.
 */
const NO_CONTROL_CHARACTERS_PATTERN = '^[^\\u0000-\\u001f\\u007f]*$';
const NOT_ONLY_SPACES_PATTERN =
  '^[^\\u0000-\\u001f\\u007f]*[^\\s\\u0000-\\u001f\\u007f][^\\u0000-\\u001f\\u007f]*$';

function singleLineText(max: number) {
  return z
    .string()
    .max(max)
    .refine(
      (s) => !CONTROL_CHARACTERS.test(s),
      withCode('INVALID_CHARACTERS', 'must not contain control characters'),
    )
    .meta({ pattern: NO_CONTROL_CHARACTERS_PATTERN });
}

function requiredSingleLineText(max: number) {
  return singleLineText(max)
    .refine((s) => s.trim().length > 0, withCode('REQUIRED', 'must not be empty'))
    .meta({ pattern: NOT_ONLY_SPACES_PATTERN });
}

/**
 * The examples' signer: a person of the development test population (Kari Nordmann, found in the
 * development register), so a job made from the examples in /docs runs in development. Written
 * out, so production code does not import the population; test/unit/schema.test.ts checks it.
 */
export const EXAMPLE_PID = '01818010083';

const personalIdentificationNumberSchema = z
  .string()
  .superRefine((value, ctx) => {
    const result = validatePersonalIdentificationNumber(value);
    if (!result.ok) {
      ctx.addIssue({
        code: 'custom',
        message: `is not a valid Norwegian national identity number (${result.reason})`,
        params: { code: 'INVALID_PERSONAL_IDENTIFICATION_NUMBER' },
      });
    }
  })
  .describe(
    'Norwegian national identity number (11 digits): birth number, D-number or synthetic test number (month +40 or +80).',
  )
  .meta({ example: EXAMPLE_PID });

const emailSchema = z
  .string()
  .max(MAX_EMAIL_LENGTH)
  .refine(isValidEmail, withCode('INVALID_EMAIL', 'is not a valid e-mail address'))
  .describe('E-mail address.')
  .meta({ example: 'kari@example.com' });

const mobileSchema = z
  .string()
  .max(32)
  .refine(
    (s) => normaliseMobile(s) !== null,
    withCode(
      'INVALID_MOBILE',
      'is not a valid mobile number: use +<country code><number>, or 8 digits starting with 4 or 9 for Norway',
    ),
  )
  .describe('Mobile number: E.164 (+4791234567), or a Norwegian 8-digit mobile number. Stored as E.164.')
  .meta({ example: '+4791234567' });

const notificationLanguageSchema = z
  .enum(NOTIFICATION_LANGUAGES)
  .describe('NB (Norwegian bokmål, the default) or EN (English).')
  .meta({ example: 'EN' });

/** Absolute http(s) URL without embedded credentials (they would end up in logs and the database). */
export function isAbsoluteHttpUrl(s: string): boolean {
  if (typeof s !== 'string' || s.length > MAX_URL_LENGTH || /\s/.test(s)) return false;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    url.hostname.length > 0 &&
    url.username === '' &&
    url.password === ''
  );
}

function urlSchema(description: string, example: string) {
  return z
    .string()
    .max(MAX_URL_LENGTH)
    .refine(
      isAbsoluteHttpUrl,
      withCode('INVALID_URL', 'must be an absolute http:// or https:// URL without user name or password'),
    )
    .describe(description)
    .meta({ example });
}

/**
 * A file name that is safe as a multipart field name and on any file system: no path separators,
 * no `.`/`..`, no control characters, and not the name of the `job` part itself.
 */
export function isSafeFileName(s: string): boolean {
  return (
    s.length > 0 &&
    s.length <= MAX_FILE_NAME_LENGTH &&
    !/[/\\]/.test(s) &&
    !CONTROL_CHARACTERS.test(s) &&
    s !== '.' &&
    s !== '..' &&
    s.trim() === s &&
    s !== JOB_PART_NAME
  );
}

/** True when some 11-digit run in the text is a valid identity number. */
function containsIdentityNumber(s: string): boolean {
  for (const match of s.matchAll(/(?<!\d)\d{11}(?!\d)/g)) {
    if (validatePersonalIdentificationNumber(match[0]).ok) return true;
  }
  return false;
}

/* ------------------------------------------------------------------------------------------------
 * Schemas of the request parts.
 * --------------------------------------------------------------------------------------------- */

export const documentSchema = z
  .strictObject({
    title: requiredSingleLineText(MAX_TITLE_LENGTH).describe('Title of the document, shown to signers.'),
    fileName: z
      .string()
      .max(MAX_FILE_NAME_LENGTH)
      .refine(
        isSafeFileName,
        withCode(
          'INVALID_FILE_NAME',
          `must be a plain file name: no path separators, control characters or surrounding spaces, not "." or ".." or "${JOB_PART_NAME}"`,
        ),
      )
      .describe('File name; the multipart part carrying the document must have this form field name.'),
    mimeType: z
      .enum(DOCUMENT_MIME_TYPES)
      .describe('application/pdf (PDF 1.1-1.7 or PDF/A) or text/plain (UTF-8).'),
  })
  .describe('A document to sign; its bytes come in the multipart part named by fileName.')
  .meta({ example: { title: 'Contract', fileName: 'contract.pdf', mimeType: 'application/pdf' } });

export const notificationsSchema = z
  .strictObject({
    email: emailSchema.optional(),
    mobile: mobileSchema.optional(),
  })
  .describe(
    'Portal only, for a signer addressed by identity number: where to send notices. Required for private senders and for signers on behalf of OTHER; for public senders it overrides the contact register.',
  );

const signerFields = {
  personalIdentificationNumber: personalIdentificationNumberSchema.optional(),
  customIdentifier: requiredSingleLineText(MAX_CUSTOM_IDENTIFIER_LENGTH)
    .optional()
    .describe('Direct only: the sender’s own identifier of a signer without identity number.'),
  email: emailSchema.optional().describe('Portal only: address a signer without identity number by e-mail.'),
  mobile: mobileSchema
    .optional()
    .describe('Portal only: address a signer without identity number by mobile.'),
  order: z
    .int()
    .min(0)
    .max(9)
    .optional()
    .describe(
      'Portal only: signing order 0-9 (default 0); equal orders sign in parallel, groups in ascending order.',
    ),
  signatureType: z
    .enum(SIGNATURE_TYPES)
    .optional()
    .describe(
      'Default AUTHENTICATED_SIGNATURE for public senders; private senders may only use ADVANCED_SIGNATURE.',
    ),
  onBehalfOf: z
    .enum(ON_BEHALF_OF)
    .optional()
    .describe(
      'SELF (default): as a private person. OTHER: in a role for an organisation (no contact register).',
    ),
  notifications: notificationsSchema.optional(),
  language: notificationLanguageSchema
    .optional()
    .describe(
      "Portal only: the language of this signer's notices (e-mail and SMS), NB (Norwegian bokmål) or EN (English); default the job's notificationLanguage, else NB. The signer may change it by choosing a language on the signing page.",
    ),
};

/** A signer of either flow (which fields a flow allows is checked by `parseJobRequest`). */
export const signerSchema = z
  .strictObject(signerFields)
  .describe(
    'A signer, addressed by exactly one of: personalIdentificationNumber; customIdentifier (direct); email and/or mobile (portal).',
  )
  .meta({ example: { personalIdentificationNumber: EXAMPLE_PID, order: 0, onBehalfOf: 'SELF' } });

export const directSignerSchema = z
  .strictObject({
    personalIdentificationNumber: signerFields.personalIdentificationNumber,
    customIdentifier: signerFields.customIdentifier,
    signatureType: signerFields.signatureType,
    onBehalfOf: signerFields.onBehalfOf,
  })
  .describe('A direct-flow signer: personalIdentificationNumber or customIdentifier.');

export const portalSignerSchema = z
  .strictObject({
    personalIdentificationNumber: signerFields.personalIdentificationNumber,
    email: signerFields.email,
    mobile: signerFields.mobile,
    order: signerFields.order,
    signatureType: signerFields.signatureType,
    onBehalfOf: signerFields.onBehalfOf,
    notifications: signerFields.notifications,
    language: signerFields.language,
  })
  .describe('A portal-flow signer: personalIdentificationNumber, or email and/or mobile.');

export const availabilitySchema = z
  .strictObject({
    activationTime: z
      .string()
      .refine(
        (s) => parseRfc3339(s) !== undefined,
        withCode('INVALID_DATE_TIME', 'must be an RFC 3339 date-time with offset, e.g. 2026-12-01T08:00:00Z'),
      )
      .optional()
      // No example value: any fixed date turns into one in the past; absent means at once.
      .describe(
        'When the job becomes available to the first group (RFC 3339 with offset, e.g. 2030-01-15T08:00:00+01:00). Absent or in the past: at once.',
      ),
    availableSeconds: z
      .int()
      .min(1)
      .max(MAX_AVAILABLE_SECONDS)
      .optional()
      .describe(
        `Lifetime of each group from its own activation, in seconds: 1-${MAX_AVAILABLE_SECONDS} (90 days); default ${DEFAULT_AVAILABLE_SECONDS} (30 days).`,
      )
      .meta({ example: 604800 }),
  })
  .describe('Portal only: when the job is activated and how long each group may sign.');

export const exitUrlsSchema = z
  .strictObject({
    completionUrl: urlSchema('Where the signer is sent after signing.', 'https://sender.example/ok'),
    rejectionUrl: urlSchema('Where the signer is sent after rejecting.', 'https://sender.example/rejected'),
    errorUrl: urlSchema('Where the signer is sent when the ceremony fails.', 'https://sender.example/error'),
  })
  .describe('Direct only (required there): where signers return to, with a status_query_token.');

const commonJobFields = {
  title: requiredSingleLineText(MAX_TITLE_LENGTH).describe('Title of the job (at most 80 characters).'),
  description: z
    .string()
    .max(MAX_DESCRIPTION_LENGTH)
    .refine(
      (s) => !CONTROL_CHARACTERS_EXCEPT_LINE_BREAKS.test(s),
      withCode('INVALID_CHARACTERS', 'must not contain control characters other than line breaks'),
    )
    .optional()
    .describe('Message to the signers (at most 220 characters).'),
  reference: singleLineText(MAX_REFERENCE_LENGTH)
    .refine(
      (s) => !containsIdentityNumber(s),
      withCode('PERSONAL_DATA_IN_REFERENCE', 'must not contain a national identity number'),
    )
    .optional()
    .describe('The sender’s own reference (at most 50 characters, no personal data).'),
  pollingQueue: z
    .string()
    .min(1)
    .max(MAX_POLLING_QUEUE_LENGTH)
    .regex(
      /^[A-Za-z0-9._-]+$/,
      withCode('INVALID_FORMAT', 'may only contain letters A-Z, digits, ".", "_" and "-"'),
    )
    .optional()
    .describe('Named status-change queue (default: the sender’s unnamed queue).'),
  documents: z
    .array(documentSchema)
    .min(1)
    .describe('The documents to sign (at least one; unique file names).'),
  requiredAuthentication: z
    .literal([3, 4])
    .optional()
    .describe('Security level of the signers’ login: 3 or 4 (default 4; private senders: always 4).'),
  identifierInSignedDocuments: z
    .enum(IDENTIFIERS_IN_SIGNED_DOCUMENTS)
    .optional()
    .describe(
      'How signers are identified in the signed documents (default PERSONAL_IDENTIFICATION_NUMBER_AND_NAME). Signers without identity number are shown by name (and date of birth when their eID gives it): their number is never printed.',
    ),
  callbackUrl: urlSchema(
    'Status changes are POSTed here (signed, retried). https recommended; http is accepted.',
    'https://sender.example/hooks/signing',
  ).optional(),
  longTermStorage: z
    .boolean()
    .optional()
    .describe('Keep the signed documents up to 50 years, re-time-stamped (default false: 40 days).'),
};

const directOnlyJobFields = {
  exitUrls: exitUrlsSchema,
  statusRetrievalMethod: z
    .enum(STATUS_RETRIEVAL_METHODS)
    .optional()
    .describe('Direct only: WAIT_FOR_CALLBACK (default; the redirect carries a token) or POLLING.'),
};

const portalOnlyJobFields = {
  nonsensitiveTitle: singleLineText(MAX_TITLE_LENGTH)
    .optional()
    .describe('Portal only: title used in notifications and for signers logged in at level 3.'),
  availability: availabilitySchema.optional(),
  notificationLanguage: notificationLanguageSchema
    .optional()
    .describe(
      "Portal only: the language of the signers' notices, NB (Norwegian bokmål, default) or EN (English), for every signer without a language of their own.",
    ),
};

const API_EXAMPLE = {
  title: 'Employment contract',
  nonsensitiveTitle: 'Contract',
  description: 'Please sign before Friday',
  reference: 'case-2026-17',
  documents: [{ title: 'Contract', fileName: 'contract.pdf', mimeType: 'application/pdf' }],
  signers: [
    {
      personalIdentificationNumber: EXAMPLE_PID,
      order: 0,
      signatureType: 'AUTHENTICATED_SIGNATURE',
      onBehalfOf: 'SELF',
    },
  ],
  requiredAuthentication: 4,
  // No activationTime: the job is activated at once (a fixed date in an example soon lies in the past).
  availability: { availableSeconds: 604800 },
};

/**
 * The `job` part for either flow, as `parseJobRequest` validates it. Flow-specific fields are all
 * optional here; which flow allows which is documented on the fields and enforced by the parser.
 */
export const jobRequestSchema = z
  .strictObject({
    ...commonJobFields,
    ...portalOnlyJobFields,
    signers: z.array(signerSchema).min(1).max(MAX_SIGNERS).describe('1 to 10 signers, each at most once.'),
    exitUrls: directOnlyJobFields.exitUrls.optional(),
    statusRetrievalMethod: directOnlyJobFields.statusRetrievalMethod,
  })
  .describe('A signature job (the `job` part of the multipart create request).')
  .meta({ example: API_EXAMPLE });

/** The `job` part of `POST /api/{org}/direct/signature-jobs` (for the OpenAPI document). */
export const directJobRequestSchema = z
  .strictObject({
    ...commonJobFields,
    ...directOnlyJobFields,
    signers: z
      .array(directSignerSchema)
      .min(1)
      .max(MAX_SIGNERS)
      .describe('1 to 10 signers, each at most once.'),
  })
  .describe('A direct-flow signature job.')
  .meta({
    example: {
      title: 'Employment contract',
      documents: API_EXAMPLE.documents,
      signers: [{ personalIdentificationNumber: EXAMPLE_PID }],
      exitUrls: {
        completionUrl: 'https://sender.example/ok',
        rejectionUrl: 'https://sender.example/rejected',
        errorUrl: 'https://sender.example/error',
      },
      statusRetrievalMethod: 'WAIT_FOR_CALLBACK',
    },
  });

/** The `job` part of `POST /api/{org}/portal/signature-jobs` (for the OpenAPI document). */
export const portalJobRequestSchema = z
  .strictObject({
    ...commonJobFields,
    ...portalOnlyJobFields,
    signers: z
      .array(portalSignerSchema)
      .min(1)
      .max(MAX_SIGNERS)
      .describe('1 to 10 signers, each at most once.'),
  })
  .describe('A portal-flow signature job.')
  .meta({ example: API_EXAMPLE });

/** The `job` JSON as a sender writes it (before defaults). */
export type JobRequestInput = z.infer<typeof jobRequestSchema>;
type SignerInput = JobRequestInput['signers'][number];

/* ------------------------------------------------------------------------------------------------
 * Issue paths and zod issue translation.
 * --------------------------------------------------------------------------------------------- */

/** `['signers', 1, 'email']` → `signers[1].email`; odd keys are quoted: `["a b"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The raw value at `path`, looking only at own properties (never the prototype chain). */
function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = raw;
  for (const key of path) {
    if (Array.isArray(current) && typeof key === 'number') current = current[key];
    else if (isPlainObject(current) && typeof key === 'string' && Object.hasOwn(current, key))
      current = current[key];
    else return undefined;
  }
  return current;
}

function describeExpected(expected: string): string {
  switch (expected) {
    case 'int':
      return 'an integer';
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    default:
      return `a ${expected}`;
  }
}

function issue(path: readonly PropertyKey[], code: string, message: string): FieldIssue {
  const formatted = formatPath(path);
  return { path: formatted, code, message: `${formatted || 'job'} ${message}` };
}

/** Translates one zod issue into our codes (one zod issue may name several unknown fields). */
function translateZodIssue(zodIssue: z.core.$ZodIssue, raw: unknown): FieldIssue[] {
  const path = zodIssue.path;
  const last = path[path.length - 1];
  switch (zodIssue.code) {
    case 'invalid_type':
      if (valueAt(raw, path) === undefined) return [issue(path, 'REQUIRED', 'is required')];
      return [issue(path, 'INVALID_TYPE', `must be ${describeExpected(zodIssue.expected)}`)];
    case 'too_big':
      if (zodIssue.origin === 'string') {
        return [issue(path, 'TOO_LONG', `must be at most ${zodIssue.maximum} characters`)];
      }
      if (zodIssue.origin === 'array') {
        const code = last === 'signers' ? 'TOO_MANY_SIGNERS' : 'TOO_MANY_ITEMS';
        return [issue(path, code, `may have at most ${zodIssue.maximum} entries`)];
      }
      return [issue(path, 'OUT_OF_RANGE', `must be at most ${zodIssue.maximum}`)];
    case 'too_small':
      if (zodIssue.origin === 'string') return [issue(path, 'REQUIRED', 'must not be empty')];
      if (zodIssue.origin === 'array') {
        if (last === 'signers') return [issue(path, 'NO_SIGNERS', 'must list at least one signer')];
        if (last === 'documents') return [issue(path, 'NO_DOCUMENTS', 'must list at least one document')];
        return [issue(path, 'REQUIRED', `must have at least ${zodIssue.minimum} entries`)];
      }
      return [issue(path, 'OUT_OF_RANGE', `must be at least ${zodIssue.minimum}`)];
    case 'invalid_value':
      return [
        issue(
          path,
          'INVALID_ENUM',
          `must be one of ${zodIssue.values.map((v) => JSON.stringify(v)).join(', ')}`,
        ),
      ];
    case 'unrecognized_keys':
      return zodIssue.keys.map((key) => issue([...path, key], 'UNKNOWN_FIELD', 'is not a known field'));
    case 'custom': {
      const code = typeof zodIssue.params?.code === 'string' ? zodIssue.params.code : 'INVALID_VALUE';
      return [issue(path, code, zodIssue.message)];
    }
    case 'invalid_format':
      return [issue(path, 'INVALID_FORMAT', zodIssue.message)];
    default:
      return [issue(path, 'INVALID_VALUE', 'is not valid')];
  }
}

/**
 * A value over its length limit also fails its format check (an over-long e-mail address is not a
 * valid one either); the sender needs to hear only that it is too long.
 */
function withoutFollowUpsOfTooLong(issues: FieldIssue[]): FieldIssue[] {
  const tooLong = new Set(issues.filter((i) => i.code === 'TOO_LONG').map((i) => i.path));
  return issues.filter((i) => i.code === 'TOO_LONG' || !tooLong.has(i.path));
}

/* ------------------------------------------------------------------------------------------------
 * Rules that depend on the flow (checked on the raw input).
 * --------------------------------------------------------------------------------------------- */

const FLOW_ONLY_JOB_FIELDS: Record<Flow, readonly string[]> = {
  direct: ['exitUrls', 'statusRetrievalMethod'],
  portal: ['nonsensitiveTitle', 'availability', 'notificationLanguage'],
};
const FLOW_ONLY_SIGNER_FIELDS: Record<Flow, readonly string[]> = {
  direct: ['customIdentifier'],
  portal: ['order', 'email', 'mobile', 'notifications', 'language'],
};

function otherFlow(flow: Flow): Flow {
  return flow === 'direct' ? 'portal' : 'direct';
}

/** Fields present in the raw job that belong to the other flow: NOT_ALLOWED_IN_FLOW each. */
function flowFieldIssues(flow: Flow, raw: unknown): FieldIssue[] {
  if (!isPlainObject(raw)) return [];
  const other = otherFlow(flow);
  const issues: FieldIssue[] = [];
  const notAllowed = (path: PropertyKey[]) =>
    issues.push(issue(path, 'NOT_ALLOWED_IN_FLOW', `applies to ${other} jobs only, not to ${flow} jobs`));
  for (const field of FLOW_ONLY_JOB_FIELDS[other]) {
    if (Object.hasOwn(raw, field)) notAllowed([field]);
  }
  const signers = Object.hasOwn(raw, 'signers') ? raw.signers : undefined;
  if (Array.isArray(signers)) {
    signers.slice(0, MAX_REPORTED_ISSUES).forEach((signer, index) => {
      if (!isPlainObject(signer)) return;
      for (const field of FLOW_ONLY_SIGNER_FIELDS[other]) {
        if (Object.hasOwn(signer, field)) notAllowed(['signers', index, field]);
      }
    });
  }
  return issues;
}

/* ------------------------------------------------------------------------------------------------
 * Cross-field rules on a well-shaped job.
 * --------------------------------------------------------------------------------------------- */

/** How a signer is addressed: the key that makes two signers the same person. */
function signerIdentity(signer: SignerInput): { field: keyof SignerInput; key: string } | undefined {
  if (signer.personalIdentificationNumber !== undefined) {
    return { field: 'personalIdentificationNumber', key: `pid:${signer.personalIdentificationNumber}` };
  }
  if (signer.customIdentifier !== undefined) {
    return { field: 'customIdentifier', key: `custom:${signer.customIdentifier}` };
  }
  if (signer.email !== undefined || signer.mobile !== undefined) {
    const email = signer.email?.toLowerCase() ?? '';
    const mobile = signer.mobile === undefined ? '' : (normaliseMobile(signer.mobile) ?? signer.mobile);
    return { field: signer.email !== undefined ? 'email' : 'mobile', key: `contact:${email}|${mobile}` };
  }
  return undefined;
}

function signerAddressingIssues(
  flow: Flow,
  sector: Sector,
  signer: SignerInput,
  index: number,
): FieldIssue[] {
  const at = (...rest: PropertyKey[]) => ['signers', index, ...rest];
  const issues: FieldIssue[] = [];
  const hasPid = signer.personalIdentificationNumber !== undefined;
  if (flow === 'direct') {
    const hasCustom = signer.customIdentifier !== undefined;
    if (!hasPid && !hasCustom) {
      issues.push(
        issue(at(), 'MISSING_SIGNER_IDENTIFIER', 'needs personalIdentificationNumber or customIdentifier'),
      );
    } else if (hasPid && hasCustom) {
      issues.push(
        issue(
          at('customIdentifier'),
          'AMBIGUOUS_SIGNER_IDENTIFIER',
          'cannot be combined with personalIdentificationNumber: a signer is addressed one way',
        ),
      );
    }
    return issues;
  }

  const contactField =
    signer.email !== undefined ? 'email' : signer.mobile !== undefined ? 'mobile' : undefined;
  if (!hasPid && contactField === undefined) {
    issues.push(
      issue(at(), 'MISSING_SIGNER_IDENTIFIER', 'needs personalIdentificationNumber, or email and/or mobile'),
    );
    return issues;
  }
  if (hasPid && contactField !== undefined) {
    issues.push(
      issue(
        at(contactField),
        'AMBIGUOUS_SIGNER_IDENTIFIER',
        'cannot be combined with personalIdentificationNumber; give the contact details of a signer addressed by identity number in notifications',
      ),
    );
    return issues;
  }
  if (!hasPid) {
    if (signer.notifications !== undefined) {
      issues.push(
        issue(
          at('notifications'),
          'NOT_ALLOWED_FOR_SIGNER',
          'applies only to signers addressed by identity number; this signer is notified at its email/mobile',
        ),
      );
    }
    return issues;
  }
  // Addressed by identity number. The contact register is used only for public senders and
  // signers on their own behalf; everyone else must be told where to send notices.
  const needsNotifications = sector === 'PRIVATE' || signer.onBehalfOf === 'OTHER';
  if (signer.notifications === undefined) {
    if (needsNotifications) {
      const why = sector === 'PRIVATE' ? 'private senders' : 'signers on behalf of OTHER';
      issues.push(
        issue(
          at('notifications'),
          'REQUIRED',
          `is required for ${why}: the contact register is not used, so give email and/or mobile`,
        ),
      );
    }
  } else if (signer.notifications.email === undefined && signer.notifications.mobile === undefined) {
    issues.push(issue(at('notifications'), 'REQUIRED', 'needs email and/or mobile'));
  }
  return issues;
}

function crossFieldIssues(flow: Flow, sector: Sector, job: JobRequestInput): FieldIssue[] {
  const issues: FieldIssue[] = [];

  if (flow === 'direct' && job.exitUrls === undefined) {
    issues.push(issue(['exitUrls'], 'REQUIRED', 'is required for direct jobs'));
  }
  if (sector === 'PRIVATE' && job.requiredAuthentication === 3) {
    issues.push(issue(['requiredAuthentication'], 'NOT_ALLOWED_FOR_SECTOR', 'must be 4 for private senders'));
  }

  const seenSigners = new Map<string, number>();
  job.signers.forEach((signer, index) => {
    issues.push(...signerAddressingIssues(flow, sector, signer, index));
    if (sector === 'PRIVATE' && signer.signatureType === 'AUTHENTICATED_SIGNATURE') {
      issues.push(
        issue(
          ['signers', index, 'signatureType'],
          'NOT_ALLOWED_FOR_SECTOR',
          'must be ADVANCED_SIGNATURE for private senders',
        ),
      );
    }
    const identity = signerIdentity(signer);
    if (identity) {
      const first = seenSigners.get(identity.key);
      if (first === undefined) seenSigners.set(identity.key, index);
      else {
        issues.push(
          issue(
            ['signers', index, identity.field],
            'DUPLICATE_SIGNER',
            `is the same signer as signers[${first}]`,
          ),
        );
      }
    }
  });

  const seenFiles = new Map<string, number>();
  job.documents.forEach((document, index) => {
    const first = seenFiles.get(document.fileName);
    if (first === undefined) seenFiles.set(document.fileName, index);
    else {
      issues.push(
        issue(
          ['documents', index, 'fileName'],
          'DUPLICATE_FILE_NAME',
          `is already used by documents[${first}]; file names must be unique`,
        ),
      );
    }
  });

  return issues;
}

/* ------------------------------------------------------------------------------------------------
 * Defaults.
 * --------------------------------------------------------------------------------------------- */

function defaultSignatureType(sector: Sector): SignatureType {
  return sector === 'PRIVATE' ? 'ADVANCED_SIGNATURE' : 'AUTHENTICATED_SIGNATURE';
}

function buildSigner(
  flow: Flow,
  sector: Sector,
  input: SignerInput,
  jobLanguage: NotificationLanguage | undefined,
): SignerRequest {
  const signer: SignerRequest = {
    order: flow === 'portal' ? (input.order ?? 0) : 0,
    signatureType: input.signatureType ?? defaultSignatureType(sector),
    onBehalfOf: input.onBehalfOf ?? 'SELF',
  };
  if (input.personalIdentificationNumber !== undefined) {
    signer.personalIdentificationNumber = input.personalIdentificationNumber;
  }
  if (input.customIdentifier !== undefined) signer.customIdentifier = input.customIdentifier;
  if (input.email !== undefined) signer.email = input.email;
  if (input.mobile !== undefined) signer.mobile = normaliseMobile(input.mobile) ?? input.mobile;
  if (input.notifications !== undefined) {
    const notifications: NonNullable<SignerRequest['notifications']> = {};
    if (input.notifications.email !== undefined) notifications.email = input.notifications.email;
    if (input.notifications.mobile !== undefined) {
      notifications.mobile = normaliseMobile(input.notifications.mobile) ?? input.notifications.mobile;
    }
    signer.notifications = notifications;
  }
  // Resolved here, so the stored signer carries the one language its notices use.
  const language = input.language ?? jobLanguage;
  if (flow === 'portal' && language !== undefined) signer.language = language;
  return signer;
}

function buildJob(flow: Flow, sector: Sector, input: JobRequestInput, now: Date): JobRequest {
  const signers = input.signers.map((s) => buildSigner(flow, sector, s, input.notificationLanguage));
  const documents: DocumentRequest[] = input.documents.map((d) => ({
    title: d.title.trim(),
    fileName: d.fileName,
    mimeType: d.mimeType,
  }));
  // Applies to signers with an identity number; the others are shown by name (and the date of
  // birth their eID gives at signing), as in the national service: never refused.
  const identifierInSignedDocuments: IdentifierInSignedDocuments =
    input.identifierInSignedDocuments ?? 'PERSONAL_IDENTIFICATION_NUMBER_AND_NAME';
  const job: JobRequest = {
    title: input.title.trim(),
    documents,
    signers,
    requiredAuthentication: (input.requiredAuthentication ?? 4) as AuthenticationLevel,
    identifierInSignedDocuments,
    longTermStorage: input.longTermStorage ?? false,
  };
  if (input.description !== undefined) job.description = input.description;
  if (input.reference !== undefined) job.reference = input.reference;
  if (input.pollingQueue !== undefined) job.pollingQueue = input.pollingQueue;
  if (input.callbackUrl !== undefined) job.callbackUrl = input.callbackUrl;

  if (flow === 'portal') {
    if (input.nonsensitiveTitle !== undefined) job.nonsensitiveTitle = input.nonsensitiveTitle.trim();
    if (input.notificationLanguage !== undefined) job.notificationLanguage = input.notificationLanguage;
    const availability: NonNullable<JobRequest['availability']> = {
      availableSeconds: input.availability?.availableSeconds ?? DEFAULT_AVAILABLE_SECONDS,
    };
    const activation =
      input.availability?.activationTime === undefined
        ? undefined
        : parseRfc3339(input.availability.activationTime);
    if (activation !== undefined) {
      // Normalised to UTC; a time in the past means "at once", recorded as the time of creation.
      availability.activationTime = (activation.getTime() < now.getTime() ? now : activation).toISOString();
    }
    job.availability = availability;
  } else {
    if (input.exitUrls !== undefined) job.exitUrls = { ...input.exitUrls };
    job.statusRetrievalMethod = input.statusRetrievalMethod ?? 'WAIT_FOR_CALLBACK';
  }
  return job;
}

/* ------------------------------------------------------------------------------------------------
 * Entry point.
 * --------------------------------------------------------------------------------------------- */

export type ParseJobRequestResult = { ok: true; job: JobRequest } | { ok: false; issues: FieldIssue[] };

/**
 * Validates the `job` JSON of a create request for `flow` from a sender of `sector`, and returns
 * the job with every default filled in, or every problem found (at most 100). `now` is the time of
 * the request: an activation time before it is recorded as `now`. Never throws, whatever `raw` is.
 */
export function parseJobRequest(
  flow: Flow,
  raw: unknown,
  sender: { sector: Sector },
  now: Date,
): ParseJobRequestResult {
  if (!isPlainObject(raw)) {
    return { ok: false, issues: [{ path: '', code: 'INVALID_TYPE', message: 'job must be a JSON object' }] };
  }
  const flowIssues = flowFieldIssues(flow, raw);
  const refusedPaths = new Set(flowIssues.map((i) => i.path));
  const isUnderRefusedField = (path: string) =>
    [...refusedPaths].some(
      (refused) => path === refused || path.startsWith(`${refused}.`) || path.startsWith(`${refused}[`),
    );

  const parsed = jobRequestSchema.safeParse(raw);
  if (!parsed.success) {
    // Cross-field rules need a well-shaped job, so they wait until the shape is fixed.
    const shapeIssues = withoutFollowUpsOfTooLong(
      parsed.error.issues
        .flatMap((i) => translateZodIssue(i, raw))
        .filter((i) => !isUnderRefusedField(i.path)),
    );
    return { ok: false, issues: [...flowIssues, ...shapeIssues].slice(0, MAX_REPORTED_ISSUES) };
  }
  const issues = [...flowIssues, ...crossFieldIssues(flow, sender.sector, parsed.data)];
  if (issues.length > 0) return { ok: false, issues: issues.slice(0, MAX_REPORTED_ISSUES) };
  return { ok: true, job: buildJob(flow, sender.sector, parsed.data, now) };
}
