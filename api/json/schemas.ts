/**
 * The zod schemas of the sender API beyond the job JSON (src/job/schema.ts): request bodies and
 * query parameters it validates with, and the shapes of its answers. The handlers validate with
 * these, the views are typed by them, and /openapi.json is generated from them, so the document
 * cannot drift from the code.
 */
import { z } from 'zod';
import {
  JOB_STATUSES,
  MAX_AVAILABLE_SECONDS,
  NOTIFICATION_LANGUAGES,
  SIGNER_STATUSES,
} from '../../src/job/model.js';
import { JOB_OUTCOMES } from '../../src/rules/outcome.js';

const dateTime = z
  .string()
  .describe('RFC 3339 date-time (UTC).')
  .meta({ example: '2026-12-01T08:00:00.000Z' });
const absoluteUrl = z.string().describe('Absolute URL.');

/* Requests ------------------------------------------------------------------------------------- */

export const deadlineRequestSchema = z
  .strictObject({
    availableSeconds: z
      .int()
      .min(1)
      .max(MAX_AVAILABLE_SECONDS)
      .describe(
        "The active group's new lifetime in seconds, counted from that group's activation (1-7776000). The resulting deadline must lie in the future and not before the current deadline (409 DEADLINE_EARLIER_THAN_CURRENT, whose message names the current deadline). A group's deadline can be extended at most 10 times (409 TOO_MANY_EXTENSIONS).",
      )
      .meta({ example: 1209600 }),
  })
  .describe('Extends the deadline of the group that may sign now.');

export { MAX_STATUS_QUERY_TOKEN_LENGTH } from '../../src/services/direct-status.js';

/** `change` of a redelivery: a status-change sequence number, at most nine digits. */
export const MAX_REDELIVER_CHANGE = 999_999_999;
export const REDELIVER_CHANGE_PATTERN = /^[0-9]{1,9}$/;

export const devSignRequestSchema = z
  .strictObject({
    authenticationLevel: z
      .literal([3, 4])
      .default(4)
      .describe('The security level of the simulated eID login (default 4).'),
  })
  .describe('Development mode: sign as the signer with the built-in test eID.');

export const devRejectRequestSchema = z
  .strictObject({ reason: z.string().max(500).optional().describe('Why the signer rejects.') })
  .describe('Development mode: reject as the signer.');

/* Answers -------------------------------------------------------------------------------------- */

export const errorResponseSchema = z
  .object({
    error: z.object({
      code: z.string().describe('UPPER_SNAKE error code.').meta({ example: 'VALIDATION_FAILED' }),
      message: z.string().describe('Human-readable explanation.'),
      details: z
        .array(
          z.object({
            path: z
              .string()
              .describe('The offending field, e.g. signers[1].email, or a multipart part name.'),
            code: z.string(),
            message: z.string(),
          }),
        )
        .describe('Each invalid field (empty when no field is to blame).'),
    }),
  })
  .describe('Every non-2xx answer.');

export const signerViewSchema = z.object({
  id: z.string().describe('Opaque signer id.'),
  signer: z
    .string()
    .describe('How the sender addressed the signer (identity number, custom identifier, e-mail or mobile).'),
  order: z.int().describe('Signing order (portal); 0 in the direct flow.'),
  status: z.enum(SIGNER_STATUSES),
  since: dateTime.describe('When the signer got this status.'),
  rejectionReason: z
    .string()
    .optional()
    .describe('Status REJECTED: the reason the signer gave for the sender, when they gave one.'),
  language: z
    .enum(NOTIFICATION_LANGUAGES)
    .optional()
    .describe(
      "Portal flow: the language of the signer's notices, NB or EN; as the sender chose it, or as the signer chose it on the signing page since.",
    ),
  redirectUrl: absoluteUrl
    .optional()
    .describe('Direct flow, in the answer to create only: the one-time URL of the signing ceremony.'),
  links: z.object({
    xades: absoluteUrl.nullable().describe("This signer's XAdES, once it exists."),
  }),
});

/** How the job ended, named apart; beside the contract's three-valued `status`. */
export const jobOutcomeSchema = z
  .enum(JOB_OUTCOMES)
  .describe(
    'How the job stands, named apart: IN_PROGRESS; COMPLETED; REJECTED (a signer rejected); CANCELLED (by the sender); ' +
      'EXPIRED (the deadline passed); RESERVED or CONTACT_INFORMATION_MISSING (a signer could not be reached: ' +
      'the register shows them reserved, or has no contact details); FAILED (any other failure). ' +
      '`status` stays IN_PROGRESS, COMPLETED_SUCCESSFULLY or FAILED.',
  );

export const nextStepViewSchema = z
  .object({
    kind: z
      .enum(['NOT_STARTED', 'SIGNATURES', 'PACKAGING', 'NONE'])
      .describe(
        'NOT_STARTED: waits for its activation time; SIGNATURES: waits for the signatures of the active group; ' +
          'PACKAGING: every signature is in, the signed documents are being made; NONE: the job ended.',
      ),
    group: z.int().optional().describe('SIGNATURES: the active group, counted from 1.'),
    groups: z.int().optional().describe('SIGNATURES: how many groups the job has.'),
    waitingFor: z.int().optional().describe('SIGNATURES: signers of the active group still to sign.'),
    deadline: dateTime.optional().describe('SIGNATURES: until when they can sign.'),
    held: z
      .array(
        z.object({
          signerId: z.string(),
          until: dateTime.describe('When the notice goes out.'),
          reason: z
            .enum(['SMS_QUIET_HOURS'])
            .describe('SMS_QUIET_HOURS: no SMS between 22:00 and 08:00 Oslo time.'),
        }),
      )
      .optional()
      .describe('SIGNATURES: notices to signers of the active group held back, and why.'),
  })
  .describe('What the job waits for next, from its recorded state (the same as the sender portal shows).');

export const jobViewSchema = z.object({
  id: z.string().describe('Opaque job id.'),
  flow: z.enum(['direct', 'portal']),
  title: z.string(),
  reference: z.string().nullable(),
  status: z.enum(JOB_STATUSES),
  outcome: jobOutcomeSchema,
  createdAt: dateTime,
  since: dateTime.optional().describe('When the job got its status.'),
  activated: z.boolean().optional().describe('Whether the first group has been activated.'),
  deadline: dateTime.optional().describe('Deadline of the group that may sign now.'),
  failureReason: z.string().optional().describe('Why the job failed: REJECTED, EXPIRED, CANCELLED, ...'),
  next: nextStepViewSchema.optional(),
  links: z.object({
    self: absoluteUrl,
    cancel: absoluteUrl.nullable().describe('Portal jobs in progress: POST here to cancel.'),
    pades: absoluteUrl.nullable().describe('The signed PDF, once the job is complete.'),
  }),
  signers: z.array(signerViewSchema),
  pdfANotKept: z
    .array(
      z.object({
        title: z.string(),
        fileName: z.string(),
        problems: z.array(z.string()).describe('Why the claim does not hold.'),
      }),
    )
    .optional()
    .describe(
      'Once packaged: documents that claim PDF/A but are not. The signed PDF is then plain PDF 1.7, not PDF/A-3b.',
    ),
});

export const statusChangeViewSchema = z
  .object({
    changeId: z.string().describe('Opaque id of this change.'),
    jobId: z.string(),
    reference: z.string().nullable(),
    status: z.enum(JOB_STATUSES).describe("The job's status after the change."),
    outcome: jobOutcomeSchema
      .optional()
      .describe(
        'How the job stands after the change, named apart (absent in changes recorded before this field).',
      ),
    changedAt: dateTime,
    signers: z.array(
      z.object({
        id: z.string(),
        signer: z.string(),
        status: z.enum(SIGNER_STATUSES),
        since: dateTime,
        rejectionReason: z
          .string()
          .optional()
          .describe('Status REJECTED: the reason the signer gave for the sender, when they gave one.'),
      }),
    ),
    links: z.object({ self: absoluteUrl.describe('The job.') }),
    confirmUrl: absoluteUrl.describe('POST here (empty body) to confirm this very change was received.'),
  })
  .describe('The next change of a status queue.');

export const deadlineViewSchema = z.object({
  order: z.int().describe('The signing order of the group.'),
  activatedAt: dateTime.optional(),
  deadline: dateTime.optional().describe('The new deadline.'),
});

export const redirectUrlViewSchema = z.object({
  id: z.string().describe('The signer.'),
  redirectUrl: absoluteUrl.describe(
    'The new one-time URL of the signing ceremony; earlier ones no longer work.',
  ),
});

export const devSignerResultSchema = z.object({
  signer: z.object({
    id: z.string(),
    order: z.int(),
    status: z.enum(SIGNER_STATUSES),
    since: dateTime,
    rejectionReason: z.string().optional(),
  }),
  redirectUrl: absoluteUrl
    .optional()
    .describe(
      "Direct flow: the sender's exit URL the signer is sent to, with status_query_token (WAIT_FOR_CALLBACK).",
    ),
});

export const healthViewSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  checks: z.object({ db: z.string(), temporal: z.string() }),
});

export type JobView = z.infer<typeof jobViewSchema>;
export type StatusChangeView = z.infer<typeof statusChangeViewSchema>;
