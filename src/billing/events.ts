/**
 * Which billable events a thing that happened gives rise to, and their idempotency keys. Pure
 * rules: no database, no clock. An activity builds the events here and records them with
 * recordUsage (usage.ts); a retried activity builds the same keys, so nothing is billed twice.
 *
 * Keys name what is billed, not when: `${jobId}:${signerId}:SIGNING` is the same on every retry
 * and on a replay, so the unique key in the database makes recording exactly-once.
 */
import type { Flow, SignatureType } from '../job/model.js';
import type { NoticeChannel } from '../rules/reminders.js';
import type { BillableKind } from './prices.js';

export type { Flow, SignatureType };

export interface UsageEvent {
  orgNumber: string;
  /** Null for events that belong to the organisation rather than a job (the one-off prices). */
  jobId: string | null;
  kind: BillableKind;
  /** Units billed (storage years; 1 for everything else). */
  quantity: number;
  /** When the billable thing happened: decides the quarter it is billed in. */
  occurredAt: Date;
  idempotencyKey: string;
  /** An advanced signature's add-on: the remote signing service that made it (BankID, Buypass). */
  provider?: string;
}

export interface SignedBySigner {
  orgNumber: string;
  jobId: string;
  signerId: string;
  signatureType: SignatureType;
  flow: Flow;
  /** When the signer signed. */
  signedAt: Date;
  /** The remote signing service of an advanced signature, when one made it. */
  signingProvider?: string;
}

/** The price elements of one signature (see the derivation in prices.ts). */
export function signingKinds(signatureType: SignatureType, flow: Flow): BillableKind[] {
  const kinds: BillableKind[] = ['SIGNING'];
  if (signatureType === 'AUTHENTICATED_SIGNATURE')
    kinds.push('AUTHENTICATED_SIGNATURE', 'IDPORTEN_AUTHENTICATION');
  else kinds.push('ADVANCED_SIGNATURE');
  // The direct-flow signer signs from the sender's site and never logs in to the signing portal.
  if (flow === 'portal') kinds.push('PORTAL_LOGIN');
  return kinds;
}

/** The events of one completed signature: one per price element, each once per job and signer. */
export function signingUsageEvents(s: SignedBySigner): UsageEvent[] {
  return signingKinds(s.signatureType, s.flow).map((kind) => ({
    orgNumber: s.orgNumber,
    jobId: s.jobId,
    kind,
    quantity: 1,
    occurredAt: s.signedAt,
    idempotencyKey: `${s.jobId}:${s.signerId}:${kind}`,
    ...(kind === 'ADVANCED_SIGNATURE' && s.signingProvider ? { provider: s.signingProvider } : {}),
  }));
}

export interface NoticeSent {
  orgNumber: string;
  jobId: string;
  signerId: string;
  channel: NoticeChannel;
  /** The notice's stable key within the job and signer (the notices table's notice_key). */
  noticeKey: string;
  sentAt: Date;
}

/** One notice sent. E-mail is free but still recorded, so the report shows how many went out. */
export function noticeUsageEvent(n: NoticeSent): UsageEvent {
  const kind: BillableKind = n.channel === 'SMS' ? 'SMS_NOTICE' : 'EMAIL_NOTICE';
  return {
    orgNumber: n.orgNumber,
    jobId: n.jobId,
    kind,
    quantity: 1,
    occurredAt: n.sentAt,
    idempotencyKey: `${n.jobId}:${n.signerId}:${kind}:${n.noticeKey}`,
  };
}

export interface StorageYearBegun {
  orgNumber: string;
  jobId: string;
  /** 1 for the first year of long-term storage, 2 for the second, ... */
  storageYear: number;
  /** When that storage year began. */
  beganAt: Date;
}

/** Long-term storage is billed per job for each storage year begun, in the quarter it begins. */
export function longTermStorageUsageEvent(s: StorageYearBegun): UsageEvent {
  if (!Number.isInteger(s.storageYear) || s.storageYear < 1) {
    throw new RangeError(`storage year must be a positive integer, got ${s.storageYear}`);
  }
  return {
    orgNumber: s.orgNumber,
    jobId: s.jobId,
    kind: 'LONG_TERM_STORAGE_YEAR',
    quantity: 1,
    occurredAt: s.beganAt,
    idempotencyKey: `${s.jobId}:LONG_TERM_STORAGE_YEAR:${s.storageYear}`,
  };
}

/** The one-off start-up prices: once per organisation, ever. */
export function oneOffUsageEvent(
  orgNumber: string,
  kind: 'INTEGRATION' | 'PORTAL_AUTHORISATION',
  occurredAt: Date,
): UsageEvent {
  return {
    orgNumber,
    jobId: null,
    kind,
    quantity: 1,
    occurredAt,
    idempotencyKey: `org:${orgNumber}:${kind}`,
  };
}
