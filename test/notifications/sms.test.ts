/** SMS: the development gateway's log and the configurable HTTP gateway against a local server. */
import { describe, expect, it } from 'vitest';
import { listDevSms } from '../../src/notifications/dev-outbox.js';
import {
  createDevSmsGateway,
  createHttpSmsGateway,
  fillTemplate,
  toE164,
} from '../../src/notifications/sms.js';
import { json, startHttpServer, useTestDatabase } from '../helpers/notification-stand-ins.js';

const db = useTestDatabase();

describe('toE164', () => {
  it('normalises Norwegian and international numbers and refuses others for good', () => {
    expect(toE164('912 34 567')).toBe('+4791234567');
    expect(toE164('0046 70 123 45 67')).toBe('+46701234567');
    expect(() => toE164('12345')).toThrow(
      expect.objectContaining({ type: 'InvalidMobileNumber', nonRetryable: true }),
    );
  });
});

describe('development SMS gateway', () => {
  it('records each message once per idempotency key, in E.164', async () => {
    const sms = createDevSmsGateway(db());
    const first = await sms.send({
      to: '912 34 567',
      text: 'Du har et dokument å signere',
      idempotencyKey: 'job-1:s1:A',
    });
    const again = await sms.send({
      to: '912 34 567',
      text: 'Du har et dokument å signere',
      idempotencyKey: 'job-1:s1:A',
    });
    await sms.send({ to: '+44 7700 900123', text: 'Reminder', idempotencyKey: 'job-1:s2:A' });
    expect(again.id).toBe(first.id);
    const log = await listDevSms(db());
    expect(log.map((m) => [m.to, m.text])).toEqual([
      ['+447700900123', 'Reminder'],
      ['+4791234567', 'Du har et dokument å signere'],
    ]);
  });
});

describe('HTTP SMS gateway', () => {
  it('POSTs the configured JSON body with credentials and returns the gateway id', async () => {
    const server = await startHttpServer((_req, res) => json(res, 202, { messageId: 'gw-123' }));
    try {
      const sms = createHttpSmsGateway({
        url: `${server.url}/send`,
        username: 'esign',
        password: 'p@ss',
        sender: 'Signering',
        bodyTemplate: {
          recipients: [{ msisdn: '{{to}}' }],
          message: { body: '{{text}}', from: '{{sender}}' },
          ref: '{{idempotencyKey}}',
        },
        responseIdField: 'messageId',
      });
      const text = 'Frist: 12. mars kl. 14:30 "sitat" {{to}}';
      const { id } = await sms.send({ to: '41234567', text, idempotencyKey: 'job-9:s1:A' });
      expect(id).toBe('gw-123');
      const [req] = server.requests;
      expect(req?.method).toBe('POST');
      expect(req?.url).toBe('/send');
      expect(req?.headers.authorization).toBe(`Basic ${Buffer.from('esign:p@ss').toString('base64')}`);
      expect(req?.headers['content-type']).toBe('application/json');
      expect(req?.headers['idempotency-key']).toBe('job-9:s1:A');
      // The text is a value, never template: a placeholder inside it stays as typed.
      expect(JSON.parse(req!.body)).toEqual({
        recipients: [{ msisdn: '+4741234567' }],
        message: { body: text, from: 'Signering' },
        ref: 'job-9:s1:A',
      });
    } finally {
      await server.close();
    }
  });

  it('throws on a non-2xx answer or an unreachable gateway, so the activity retries', async () => {
    const server = await startHttpServer((_req, res) => json(res, 503, { error: 'busy' }));
    try {
      const sms = createHttpSmsGateway({ url: server.url, bearerToken: 'tok' });
      await expect(sms.send({ to: '91234567', text: 'x', idempotencyKey: 'k' })).rejects.toMatchObject({
        name: 'SmsGatewayError',
        status: 503,
      });
      expect(server.requests[0]?.headers.authorization).toBe('Bearer tok');
    } finally {
      await server.close();
    }
    const gone = createHttpSmsGateway({ url: server.url });
    await expect(gone.send({ to: '91234567', text: 'x', idempotencyKey: 'k' })).rejects.toMatchObject({
      name: 'SmsGatewayError',
    });
  });

  it('falls back to the idempotency key when the gateway answers without an id', async () => {
    const server = await startHttpServer((_req, res) => res.writeHead(200).end());
    try {
      const sms = createHttpSmsGateway({ url: server.url });
      expect(await sms.send({ to: '91234567', text: 'x', idempotencyKey: 'k-1' })).toEqual({ id: 'k-1' });
      expect(JSON.parse(server.requests[0]!.body)).toEqual({
        to: '+4791234567',
        from: '',
        text: 'x',
        reference: 'k-1',
      });
    } finally {
      await server.close();
    }
  });
});

describe('fillTemplate', () => {
  it('substitutes placeholders in strings at any depth and leaves other values alone', () => {
    expect(
      fillTemplate({ a: ['{{x}}-{{y}}', 3, true, null], b: '{{unknown}}' }, { x: '1', y: '"2"' }),
    ).toEqual({
      a: ['1-"2"', 3, true, null],
      b: '{{unknown}}',
    });
  });
});
