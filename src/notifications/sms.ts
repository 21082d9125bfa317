/**
 * SMS behind a gateway interface: a development gateway that records messages in `dev_sms`
 * (shown on the development outbox page), and a generic HTTP gateway for production whose URL,
 * credentials and JSON body are configuration.
 */
import type { Db } from '../db/index.js';
import { normaliseMobile } from '../rules/contact.js';
import { permanentFailure } from './failures.js';
import { jsonOf, postJson } from './http-json.js';

export interface SmsMessage {
  /** A Norwegian or international mobile number in any common notation; sent as E.164. */
  to: string;
  text: string;
  /** The same key means the same message: the development gateway records it once. */
  idempotencyKey: string;
}

export interface SmsGateway {
  /** Resolves with the gateway's id of the message; throws to have the activity retry. */
  send(message: SmsMessage): Promise<{ id: string }>;
}

/** The E.164 form of a mobile number; a non-retryable `InvalidMobileNumber` when it has none. */
export function toE164(mobile: string): string {
  const e164 = normaliseMobile(mobile);
  if (!e164) throw permanentFailure('InvalidMobileNumber', 'the mobile number is not a valid E.164 number');
  return e164;
}

export function createDevSmsGateway(db: Db): SmsGateway {
  return {
    async send({ to, text, idempotencyKey }) {
      const toNumber = toE164(to);
      const inserted = await db
        .insertInto('dev_sms')
        .values({ idempotency_key: idempotencyKey, to_number: toNumber, text })
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (inserted) return { id: inserted.id };
      const existing = await db
        .selectFrom('dev_sms')
        .select('id')
        .where('idempotency_key', '=', idempotencyKey)
        .executeTakeFirstOrThrow();
      return { id: existing.id };
    },
  };
}

export interface HttpSmsGatewayConfig {
  url: string;
  /** HTTP Basic credentials, or a bearer token (not both). */
  username?: string;
  password?: string;
  bearerToken?: string;
  /**
   * The JSON body to POST. Every string in it may hold the placeholders `{{to}}` (E.164),
   * `{{text}}`, `{{idempotencyKey}}` and `{{sender}}`; values are substituted into the parsed
   * JSON, so no value can break out of its string. Default: {@link DEFAULT_SMS_BODY_TEMPLATE}.
   */
  bodyTemplate?: unknown;
  /** The sender id shown on the phone (alphanumeric, at most 11 characters with most gateways). */
  sender?: string;
  /** Top-level field of the JSON response holding the gateway's message id. Default `id`. */
  responseIdField?: string;
  timeoutMs?: number;
}

export const DEFAULT_SMS_BODY_TEMPLATE = {
  to: '{{to}}',
  from: '{{sender}}',
  text: '{{text}}',
  reference: '{{idempotencyKey}}',
};

export class SmsGatewayError extends Error {
  override readonly name = 'SmsGatewayError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Fills the placeholders of every string in a JSON template. */
export function fillTemplate(template: unknown, values: Record<string, string>): unknown {
  if (typeof template === 'string') {
    return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => values[name] ?? whole);
  }
  if (Array.isArray(template)) return template.map((t) => fillTemplate(t, values));
  if (template !== null && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fillTemplate(v, values)]));
  }
  return template;
}

export function createHttpSmsGateway(config: HttpSmsGatewayConfig): SmsGateway {
  const headers: Record<string, string> = {};
  if (config.bearerToken) headers.authorization = `Bearer ${config.bearerToken}`;
  else if (config.username !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64')}`;
  }
  const idField = config.responseIdField ?? 'id';

  return {
    async send({ to, text, idempotencyKey }) {
      const body = fillTemplate(config.bodyTemplate ?? DEFAULT_SMS_BODY_TEMPLATE, {
        to: toE164(to),
        text,
        idempotencyKey,
        sender: config.sender ?? '',
      });
      const response = await postJson(config.url, {
        headers: { ...headers, 'idempotency-key': idempotencyKey },
        body,
        timeoutMs: config.timeoutMs ?? 15_000,
        error: (message, status) => new SmsGatewayError(message, status),
        peer: 'the SMS gateway',
      });
      const answer = (await jsonOf(response)) as Record<string, unknown> | undefined;
      const id = answer?.[idField];
      return { id: typeof id === 'string' || typeof id === 'number' ? String(id) : idempotencyKey };
    },
  };
}
