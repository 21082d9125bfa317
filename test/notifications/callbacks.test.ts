/** Sender callbacks: signatures, secrets and rotation, delivery with its log, and the SSRF guard. */
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { deliverCallback, listCallbackDeliveries } from '../../src/notifications/callbacks/deliver.js';
import {
  activeCallbackSecrets,
  createCallbackSecret,
  revokeCallbackSecret,
} from '../../src/notifications/callbacks/secrets.js';
import { signCallback, verifyCallbackSignature } from '../../src/notifications/callbacks/signature.js';
import {
  addressClass,
  callbackTargetRefusal,
  resolveCallbackTarget,
} from '../../src/notifications/callbacks/target-guard.js';
import { insertJobRow } from '../helpers/jobs.js';
import { json, startHttpServer, useTestDatabase } from '../helpers/notification-stand-ins.js';
import { ORG } from '../helpers/organisations.js';

const db = useTestDatabase();

const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z
const BODY = '{"jobId":"42","status":"COMPLETED_SUCCESSFULLY"}';

describe('callback signature', () => {
  it('signs with every active secret and verifies with either', () => {
    const header = signCallback(['new-secret', 'old-secret'], NOW, BODY);
    expect(header).toMatch(/^t=1767225600,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    for (const secret of ['new-secret', 'old-secret']) {
      expect(verifyCallbackSignature({ header, body: BODY, secrets: [secret], now: NOW + 10 })).toBe(true);
    }
    expect(verifyCallbackSignature({ header, body: BODY, secrets: ['other'], now: NOW })).toBe(false);
    expect(signCallback('new-secret', NOW, BODY)).toBe(header.split(',').slice(0, 2).join(','));
  });

  it('refuses a changed body, an old timestamp and malformed headers', () => {
    const header = signCallback('s', NOW, BODY);
    expect(verifyCallbackSignature({ header, body: `${BODY} `, secrets: ['s'], now: NOW })).toBe(false);
    expect(verifyCallbackSignature({ header, body: BODY, secrets: ['s'], now: NOW + 301 })).toBe(false);
    expect(
      verifyCallbackSignature({
        header,
        body: BODY,
        secrets: ['s'],
        now: NOW + 3600,
        toleranceSeconds: 3600,
      }),
    ).toBe(true);
    for (const bad of [undefined, '', 'v1=abc', `t=${NOW}`, `t=${NOW},v1=zz`]) {
      expect(verifyCallbackSignature({ header: bad, body: BODY, secrets: ['s'], now: NOW })).toBe(false);
    }
    expect(() => signCallback([], NOW, BODY)).toThrow();
  });
});

describe('callback secrets', () => {
  it('keeps at most two active secrets: a rotation keeps the previous one and revokes older ones', async () => {
    await insertJobRow(db()); // creates the organisation
    const first = await createCallbackSecret(db(), ORG);
    expect((await activeCallbackSecrets(db(), ORG)).map((s) => s.id)).toEqual([first.id]);
    const second = await createCallbackSecret(db(), ORG);
    expect((await activeCallbackSecrets(db(), ORG)).map((s) => s.id)).toEqual([second.id, first.id]);
    const third = await createCallbackSecret(db(), ORG);
    expect((await activeCallbackSecrets(db(), ORG)).map((s) => s.id)).toEqual([third.id, second.id]);
    expect(third.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(new Set([first.secret, second.secret, third.secret]).size).toBe(3);

    expect(await revokeCallbackSecret(db(), ORG, second.id)).toBe(true);
    expect(await revokeCallbackSecret(db(), ORG, second.id)).toBe(false);
    expect((await activeCallbackSecrets(db(), ORG)).map((s) => s.id)).toEqual([third.id]);
  });
});

describe('deliverCallback', () => {
  const payload = {
    jobId: '42',
    status: 'COMPLETED_SUCCESSFULLY',
    signers: [{ id: 's1', status: 'SIGNED' }],
  };

  it('POSTs the change as JSON, signed with both rotated secrets, and logs the attempt', async () => {
    const server = await startHttpServer((_req, res) => json(res, 200, { ok: true }));
    try {
      const jobId = await insertJobRow(db());
      const result = await deliverCallback(
        {
          jobId,
          changeSeq: 3,
          url: `${server.url}/hooks/esign?tenant=a`,
          payload,
          secrets: ['secret-new', 'secret-old'],
          idempotencyKey: `${jobId}:3`,
          attempt: 1,
        },
        { db: db(), allowPrivateTargets: 'loopback', now: () => new Date(NOW * 1000) },
      );
      expect(result).toEqual({ statusCode: 200 });
      const [req] = server.requests;
      expect(req?.method).toBe('POST');
      expect(req?.url).toBe('/hooks/esign?tenant=a');
      expect(req?.headers['content-type']).toBe('application/json');
      expect(req?.headers['idempotency-key']).toBe(`${jobId}:3`);
      expect(req?.headers['x-callback-attempt']).toBe('1');
      expect(JSON.parse(req!.body)).toEqual(payload);
      // A receiver that knows only one of the two secrets accepts the call.
      for (const secret of ['secret-new', 'secret-old']) {
        expect(
          verifyCallbackSignature({
            header: req?.headers['x-signature'] as string,
            body: req!.body,
            secrets: [secret],
            now: NOW,
          }),
        ).toBe(true);
      }
      expect(await listCallbackDeliveries(db(), jobId)).toEqual([
        expect.objectContaining({
          changeSeq: 3,
          url: `${server.url}/hooks/esign?tenant=a`,
          attempt: 1,
          statusCode: 200,
          error: null,
        }),
      ]);
    } finally {
      await server.close();
    }
  });

  it('throws on a failed attempt (retryable), logs it, and logs the retry that succeeds', async () => {
    let status = 500;
    const server = await startHttpServer((_req, res) => json(res, status, {}));
    try {
      const jobId = await insertJobRow(db());
      const request = {
        jobId,
        changeSeq: 1,
        url: server.url,
        payload,
        secrets: ['s'],
        idempotencyKey: `${jobId}:1`,
      };
      const options = { db: db(), allowPrivateTargets: 'loopback' as const };
      const failure = await deliverCallback({ ...request, attempt: 1 }, options).catch((e) => e);
      expect(failure).toMatchObject({ name: 'CallbackDeliveryFailed', statusCode: 500 });
      expect(failure).not.toBeInstanceOf(ApplicationFailure);
      status = 204;
      await deliverCallback({ ...request, attempt: 2 }, options);
      const log = await listCallbackDeliveries(db(), jobId);
      expect(log.map((l) => [l.attempt, l.statusCode, l.error])).toEqual([
        [1, 500, 'the callback URL answered HTTP 500'],
        [2, 204, null],
      ]);
      expect(server.requests.map((r) => r.headers['idempotency-key'])).toEqual([`${jobId}:1`, `${jobId}:1`]);
    } finally {
      await server.close();
    }
  });

  it('does not follow redirects, times out a silent receiver and logs an unreachable one', async () => {
    const redirecting = await startHttpServer((_req, res) =>
      res.writeHead(302, { location: 'http://10.0.0.1/' }).end(),
    );
    const silent = await startHttpServer(() => {}); // never answers
    try {
      const jobId = await insertJobRow(db());
      const base = { jobId, changeSeq: 1, payload, secrets: ['s'], idempotencyKey: 'k', attempt: 1 };
      const options = { db: db(), allowPrivateTargets: 'loopback' as const, timeoutMs: 300 };
      await expect(deliverCallback({ ...base, url: redirecting.url }, options)).rejects.toMatchObject({
        statusCode: 302,
      });
      await expect(deliverCallback({ ...base, url: silent.url }, options)).rejects.toThrow(
        /no answer within 300 ms/,
      );
      await redirecting.close();
      await expect(deliverCallback({ ...base, url: redirecting.url }, options)).rejects.toThrow(
        /ECONNREFUSED/,
      );
      const log = await listCallbackDeliveries(db(), jobId);
      expect(log.map((l) => l.statusCode)).toEqual([302, null, null]);
      expect(log[1]?.error).toMatch(/no answer within 300 ms/);
      expect(log[2]?.error).toMatch(/ECONNREFUSED/);
    } finally {
      await silent.close();
    }
  });

  it('refuses private targets for good, logs the refusal and never connects', async () => {
    const server = await startHttpServer();
    try {
      const jobId = await insertJobRow(db());
      const base = { jobId, changeSeq: 1, payload, secrets: ['s'], idempotencyKey: 'k', attempt: 1 };
      const refused = await deliverCallback({ ...base, url: server.url }, { db: db() }).catch((e) => e);
      expect(refused).toBeInstanceOf(ApplicationFailure);
      expect(refused).toMatchObject({ type: 'CallbackTargetRefused', nonRetryable: true });
      expect(server.requests).toHaveLength(0);
      for (const url of [
        'http://10.1.2.3/cb',
        'http://192.168.1.10/cb',
        'http://169.254.169.254/latest/meta-data',
      ]) {
        await expect(
          deliverCallback({ ...base, url }, { db: db(), allowPrivateTargets: 'loopback' }),
        ).rejects.toMatchObject({
          type: 'CallbackTargetRefused',
        });
      }
      const log = await listCallbackDeliveries(db(), jobId);
      expect(log).toHaveLength(4);
      expect(log.every((l) => l.statusCode === null && l.error?.startsWith('CallbackTargetRefused'))).toBe(
        true,
      );
    } finally {
      await server.close();
    }
  });

  it('does not log credentials in the URL', async () => {
    const jobId = await insertJobRow(db());
    await deliverCallback(
      {
        jobId,
        changeSeq: 1,
        url: 'http://user:pw@10.0.0.1/cb',
        payload,
        secrets: ['s'],
        idempotencyKey: 'k',
        attempt: 1,
      },
      { db: db() },
    ).catch(() => {});
    expect((await listCallbackDeliveries(db(), jobId))[0]?.url).toBe('http://10.0.0.1/cb');
  });
});

describe('callback target guard', () => {
  const fakeDns = (addresses: string[]) => async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  it('classifies loopback, private, link-local, ULA, multicast and public addresses', () => {
    expect(['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'].map(addressClass)).toEqual(
      Array(4).fill('loopback'),
    );
    expect(
      [
        '10.0.0.1',
        '172.16.5.4',
        '192.168.0.1',
        '169.254.169.254',
        '100.64.0.1',
        '0.0.0.0',
        '224.0.0.1',
        '255.255.255.255',
      ].map(addressClass),
    ).toEqual(Array(8).fill('private'));
    expect(
      ['fd00::1', 'fe80::1', 'ff02::1', '::', '::ffff:10.0.0.1', '64:ff9b::a00:1'].map(addressClass),
    ).toEqual(Array(6).fill('private'));
    expect(['8.8.8.8', '151.101.1.69', '2a00:1450:4001:80b::200e', '172.32.0.1'].map(addressClass)).toEqual(
      Array(4).fill('public'),
    );
  });

  it('refuses ::1 and loopback names unless loopback is allowed', async () => {
    for (const url of ['http://[::1]:8080/cb', 'http://127.0.0.1/cb', 'http://localhost/cb']) {
      await expect(resolveCallbackTarget(new URL(url), 'none')).rejects.toMatchObject({
        type: 'CallbackTargetRefused',
      });
      await expect(resolveCallbackTarget(new URL(url), 'loopback')).resolves.not.toHaveLength(0);
    }
  });

  it('refuses a name resolving to a private address, even when only one of several is', async () => {
    const url = new URL('https://hooks.sender.example/cb');
    await expect(resolveCallbackTarget(url, 'loopback', fakeDns(['10.9.8.7']))).rejects.toThrow(
      /private address/,
    );
    await expect(
      resolveCallbackTarget(url, 'none', fakeDns(['93.184.215.14', 'fd12::1'])),
    ).rejects.toMatchObject({
      type: 'CallbackTargetRefused',
      nonRetryable: true,
    });
    await expect(resolveCallbackTarget(url, 'none', fakeDns(['93.184.215.14']))).resolves.toEqual([
      { address: '93.184.215.14', family: 4 },
    ]);
    await expect(resolveCallbackTarget(url, 'all', fakeDns(['192.168.1.1']))).resolves.toHaveLength(1);
  });

  it('refuses schemes other than http and https', async () => {
    await expect(resolveCallbackTarget(new URL('ftp://example.com/x'), 'all')).rejects.toMatchObject({
      type: 'CallbackTargetRefused',
    });
  });
});

describe('the callback target at creation', () => {
  const dns = (addresses: string[]) => async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  const notFound = async () => {
    throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
  };

  it('is refused by the delivery guard for private, link-local, loopback and mapped addresses', async () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data',
      'http://10.1.2.3/cb',
      'http://172.16.0.1/cb',
      'http://172.31.255.254/cb',
      'http://192.168.1.1/cb',
      'http://0.0.0.0/cb',
      'http://[fc00::1]/cb',
      'http://[fd12:3456::1]/cb',
      'http://[fe80::1]/cb',
      'http://[::ffff:10.0.0.1]/cb',
      'http://[::ffff:169.254.169.254]/cb',
      'http://127.0.0.1:3000/cb',
      'http://[::1]/cb',
      'http://[::ffff:127.0.0.1]/cb',
      'http://localhost/cb',
    ]) {
      expect(await callbackTargetRefusal(url, 'none'), url).toMatch(/not allowed as a callback target/);
    }
  });

  it('follows the same policy as delivery: loopback allowed only where delivery allows it', async () => {
    for (const url of ['http://127.0.0.1:3000/cb', 'http://[::ffff:127.0.0.1]/cb', 'http://localhost/cb']) {
      expect(await callbackTargetRefusal(url, 'loopback'), url).toBeUndefined();
      await expect(resolveCallbackTarget(new URL(url), 'loopback')).resolves.not.toHaveLength(0);
    }
    expect(await callbackTargetRefusal('http://10.0.0.1/cb', 'loopback')).toMatch(/private address/);
    expect(await callbackTargetRefusal('http://10.0.0.1/cb', 'all')).toBeUndefined();
  });

  it('refuses a name that resolves to a private address; lets through public, unknown and slow names', async () => {
    const url = 'https://hooks.sender.example/cb';
    expect(await callbackTargetRefusal(url, 'none', dns(['93.184.215.14', '10.0.0.7']))).toMatch(
      /private address/,
    );
    expect(await callbackTargetRefusal(url, 'none', dns(['93.184.215.14']))).toBeUndefined();
    // Delivery checks again on every attempt: a name not resolvable now may be by then.
    expect(await callbackTargetRefusal(url, 'none', notFound)).toBeUndefined();
    const started = Date.now();
    expect(await callbackTargetRefusal(url, 'none', () => new Promise(() => {}), 100)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
