/**
 * Log lines that an operator can follow a job by, and that never carry personal data or secrets.
 *
 * Follow a job: every line about a job carries `jobId` and `workflowId` (jobLogger), so one query
 * finds the API's, the activities' and the SDK's lines of that job.
 *
 * No personal data: identity numbers, e-mail addresses, phone numbers and credentials must not be
 * logged at all; signers are referred to by their signer id. src/log.ts redacts the known field
 * names; the checks here catch what slips through as text (an error message quoting an address).
 */
import { Context } from '@temporalio/activity';
import { workflowIdForJob } from '../job/model.js';
import type { Logger } from '../log.js';

export interface JobLogContext {
  jobId: string;
  workflowId: string;
  /** Further non-personal context, e.g. { activity: 'sendNotice', signerId }. */
  [key: string]: string | number | boolean | undefined;
}

/** A child logger whose every line carries the job id and workflow id. */
export function jobLogger(log: Logger, context: JobLogContext): Logger {
  return log.child(context);
}

/**
 * jobLogger for activity code: the workflow id is the running activity's (the job's workflow, or
 * a later run of it), and the activity type is named; outside an activity (a test calling the
 * function directly) the workflow id the job's workflow is started under.
 */
export function activityJobLogger(
  log: Logger,
  jobId: string,
  context: Omit<JobLogContext, 'jobId' | 'workflowId'> = {},
): Logger {
  let workflowId = workflowIdForJob(jobId);
  let activity: string | undefined;
  try {
    const { info } = Context.current();
    workflowId = info.workflowExecution?.workflowId ?? workflowId;
    activity = info.activityType;
  } catch {
    // Not inside an activity: keep the job's workflow id.
  }
  return jobLogger(log, { jobId, workflowId, ...(activity ? { activity } : {}), ...context });
}

/** The kinds of personal data or secret the checks look for. */
export type SensitiveKind = 'IDENTITY_NUMBER' | 'EMAIL_ADDRESS' | 'PHONE_NUMBER' | 'BEARER_TOKEN' | 'API_KEY';

// 11 digits standing alone: the shape of a national identity number or D-number. Not part of a
// longer number (a millisecond timestamp) nor of a word or hex id: a random UUID's last group is
// 11 digits and a letter about once in 230, and the job and task-queue ids in every log line are
// UUIDs (a false alarm that failed CI). Matched without the check digits on purpose: a synthetic
// or mistyped number is as much a leak.
const PATTERNS: ReadonlyArray<readonly [SensitiveKind, RegExp]> = [
  ['IDENTITY_NUMBER', /(?<![\dA-Za-z.])\d{6}[ -]?\d{5}(?![\dA-Za-z.])/g],
  ['EMAIL_ADDRESS', /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g],
  // Norwegian mobile numbers written in international form; a bare 8-digit number is too
  // ambiguous to flag (amounts, ids).
  ['PHONE_NUMBER', /(?:\+|\b00)47[ -]?[49]\d(?:[ -]?\d){6}(?!\d)/g],
  ['BEARER_TOKEN', /\bbearer\s+[A-Za-z0-9\-._~+/]{8,}=*/gi],
  // This service's API keys (src/services/api-keys.ts: 'sk_' and 43 base64url characters).
  ['API_KEY', /\bsk_[A-Za-z0-9_-]{20,}/g],
];

export interface SensitiveFinding {
  kind: SensitiveKind;
  /** Where in the text (not the value itself, which must not be echoed into another log). */
  index: number;
}

/** Every occurrence of personal data or a secret in `text` (pure). */
export function findPersonalData(text: string): SensitiveFinding[] {
  const findings: SensitiveFinding[] = [];
  for (const [kind, pattern] of PATTERNS) {
    for (const match of text.matchAll(pattern)) findings.push({ kind, index: match.index ?? 0 });
  }
  return findings.sort((a, b) => a.index - b.index);
}

export class PersonalDataInLogError extends Error {
  constructor(readonly findings: SensitiveFinding[]) {
    super(
      `log output holds personal data or secrets: ${findings.map((f) => `${f.kind} at ${f.index}`).join(', ')}`,
    );
    this.name = 'PersonalDataInLogError';
  }
}

/** Throws PersonalDataInLogError if the log line (or lines) holds personal data or a secret. */
export function assertNoPersonalData(line: string): void {
  const findings = findPersonalData(line);
  if (findings.length > 0) throw new PersonalDataInLogError(findings);
}

/**
 * The text with personal data and secrets replaced by `[KIND]`: for messages from outside
 * (an SMTP server's "550 no such user ola@example.no") before they are logged or stored.
 */
export function scrubPersonalData(text: string): string {
  let scrubbed = text;
  for (const [kind, pattern] of PATTERNS) scrubbed = scrubbed.replace(pattern, `[${kind}]`);
  return scrubbed;
}
