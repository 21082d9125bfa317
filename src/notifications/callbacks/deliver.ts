/**
 * Delivering one status change to the sender's callback URL: one attempt per call, recorded in
 * `callback_deliveries` whatever its outcome, throwing on failure so Temporal's activity retry
 * (exponential backoff for up to 24 hours) makes the next attempt.
 *
 * The request connects only to the addresses the target guard approved (the resolved addresses
 * are pinned into the connection), so a DNS answer that changes between check and connect
 * cannot smuggle in a private address. Redirects are not followed for the same reason.
 */

import type { LookupAddress } from 'node:dns';
import type { IncomingMessage } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import type { Db } from '../../db/index.js';
import { SIGNATURE_HEADER, signCallback } from './signature.js';
import { type LookupAll, type PrivateTargetPolicy, resolveCallbackTarget } from './target-guard.js';

export interface CallbackRequest {
  jobId: string;
  /** The status change's sequence number (status_changes.seq). */
  changeSeq: number;
  url: string;
  /** The status change as JSON; serialised once, and the signature covers exactly those bytes. */
  payload: unknown;
  /** The organisation's active secrets (newest first); each signs. */
  secrets: readonly string[];
  /** Identifies the change to the receiver (sent as `Idempotency-Key`), the same on every attempt. */
  idempotencyKey: string;
  /** Temporal's attempt number (`activityInfo().attempt`), for the log and the receiver. */
  attempt: number;
}

export interface CallbackDeliveryOptions {
  db: Db;
  /** Default 'none': only public addresses. Tests and development use 'loopback'. */
  allowPrivateTargets?: PrivateTargetPolicy;
  timeoutMs?: number;
  /** The clock for the signature's timestamp and the log. */
  now?: () => Date;
  /** DNS resolution (all addresses); replaced in tests. */
  lookupAll?: LookupAll;
}

export class CallbackDeliveryError extends Error {
  override readonly name = 'CallbackDeliveryFailed';
  constructor(
    message: string,
    readonly statusCode?: number,
  ) {
    super(message);
  }
}

export const CALLBACK_TIMEOUT_MS = 10_000;
/** Enough of an answer to know it arrived; receivers have no business sending more. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/** Makes one attempt; resolves with the receiver's 2xx status, throws otherwise (after logging it). */
export async function deliverCallback(
  request: CallbackRequest,
  options: CallbackDeliveryOptions,
): Promise<{ statusCode: number }> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const startedMs = Date.now();
  let statusCode: number | null = null;
  let error: unknown;
  try {
    const url = new URL(request.url);
    const addresses = await resolveCallbackTarget(
      url,
      options.allowPrivateTargets ?? 'none',
      options.lookupAll,
    );
    const body = JSON.stringify(request.payload);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'esign-orchestrator-callbacks/1',
      [SIGNATURE_HEADER]: signCallback(request.secrets, Math.floor(startedAt.getTime() / 1000), body),
      'idempotency-key': request.idempotencyKey,
      'x-callback-attempt': String(request.attempt),
    };
    statusCode = await post(url, addresses, headers, body, options.timeoutMs ?? CALLBACK_TIMEOUT_MS);
    if (statusCode < 200 || statusCode > 299) {
      throw new CallbackDeliveryError(`the callback URL answered HTTP ${statusCode}`, statusCode);
    }
  } catch (err) {
    error = err;
  }
  await options.db
    .insertInto('callback_deliveries')
    .values({
      job_id: request.jobId,
      change_seq: request.changeSeq,
      idempotency_key: request.idempotencyKey,
      url: urlForLog(request.url),
      attempt: request.attempt,
      status_code: statusCode,
      error: error === undefined ? null : describe(error),
      duration_ms: Date.now() - startedMs,
      at: startedAt,
    })
    .execute();
  if (error !== undefined) throw error;
  return { statusCode: statusCode! };
}

function post(
  url: URL,
  addresses: LookupAddress[],
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<number> {
  const first = addresses[0]!;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        // Connect to the approved addresses only (Node asks for one or, with autoSelectFamily, all).
        lookup: (_hostname, opts, callback) => {
          if ((opts as { all?: boolean }).all)
            (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
          else callback(null, first.address, first.family);
        },
        agent: false,
      },
      (res: IncomingMessage) => {
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) res.destroy();
        });
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('close', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(res.statusCode ?? 0));
      },
    );
    const timer = setTimeout(
      () => req.destroy(new CallbackDeliveryError(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('error', (err) => reject(err));
    req.on('close', () => clearTimeout(timer));
    req.end(body);
  });
}

/** A short, secret-free account of a failure for the delivery log the sender reads. */
function describe(err: unknown): string {
  const e = err as { message?: string; code?: string; type?: string };
  const text = e.code ? `${e.code}: ${e.message ?? ''}` : (e.message ?? String(err));
  return (e.type ? `${e.type}: ${text}` : text).slice(0, 500);
}

/** The URL without user info, which may hold credentials. */
function urlForLog(raw: string): string {
  try {
    const url = new URL(raw);
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    return raw.slice(0, 2000);
  }
}

export interface CallbackDeliveryRecord {
  changeSeq: number;
  url: string;
  attempt: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  at: Date;
}

/** A job's delivery log, oldest first: what the sender API shows. */
export async function listCallbackDeliveries(db: Db, jobId: string): Promise<CallbackDeliveryRecord[]> {
  const rows = await db
    .selectFrom('callback_deliveries')
    .selectAll()
    .where('job_id', '=', jobId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    changeSeq: r.change_seq,
    url: r.url,
    attempt: r.attempt,
    statusCode: r.status_code,
    error: r.error,
    durationMs: r.duration_ms,
    at: r.at,
  }));
}
