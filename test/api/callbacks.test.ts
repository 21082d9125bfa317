/**
 * Sender callbacks through the API: each status change arrives signed at the job's callbackUrl
 * (a local HTTP server), the delivery log shows every attempt, and a change can be redelivered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { listen } from '../../api/http/server.js';
import { activeCallbackSecrets } from '../../src/notifications/callbacks/secrets.js';
import { verifyCallbackSignature } from '../../src/notifications/callbacks/signature.js';
import {
  createJob,
  devAct,
  emailPortalJob,
  eventually,
  expectError,
  follow,
  jobsPath,
  postJob,
} from '../helpers/api/http.js';
import { type CallbackReceiver, startCallbackReceiver } from '../helpers/callback-receiver.js';
import { freePort } from '../helpers/ports.js';
import { createForm, samplePdf } from '../helpers/requests.js';
import { ORG, OTHER_ORG, type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
let pdf: Uint8Array;
let receiver: CallbackReceiver;
let hookUrl: string;
let received: CallbackReceiver['received'];

beforeAll(async () => {
  receiver = await startCallbackReceiver('/hooks/signing');
  hookUrl = receiver.url;
  received = receiver.received;
  [stack, pdf] = await Promise.all([startStack(), samplePdf()]);
});
afterAll(async () => {
  await stack?.stop();
  receiver?.close();
});

describe('callbacks', () => {
  it('arrive signed, are logged, and can be redelivered on request', async () => {
    const job = await createJob(stack, 'portal', emailPortalJob({ callbackUrl: hookUrl }), {
      'contract.pdf': pdf,
    });
    expect((await devAct(stack, job.id, job.signers[0]!.id, 'sign')).status).toBe(200);
    const forJob = () => received.filter((r) => r.body.includes(job.id));
    await eventually(
      async () => forJob().map((r) => (JSON.parse(r.body) as { status: string }).status),
      (statuses) => statuses.includes('COMPLETED_SUCCESSFULLY'),
    );
    const secrets = (await activeCallbackSecrets(stack.t.db, ORG)).map((s) => s.secret);
    for (const r of forJob()) {
      expect(
        verifyCallbackSignature({ header: r.signature, body: r.body, secrets, now: Date.now() / 1000 }),
      ).toBe(true);
      expect(
        verifyCallbackSignature({ header: r.signature, body: `${r.body} `, secrets, now: Date.now() / 1000 }),
      ).toBe(false);
    }

    type DeliveryLog = {
      deliveries: { changeSeq: number; statusCode: number | null; attempt: number }[];
    };
    // The delivery is logged once the receiver has answered: the last one may still be on its way.
    const log = await eventually(
      async () => (await (await follow(stack, `${job.links.self}/callbacks`)).json()) as DeliveryLog,
      (l) => l.deliveries.length === forJob().length,
    );
    expect(log.deliveries.length).toBe(forJob().length);
    expect(log.deliveries.every((d) => d.statusCode === 204)).toBe(true);

    const before = forJob().length;
    const again = await follow(stack, `${job.links.self}/callbacks/redeliver`, { method: 'POST' });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { delivered: boolean }).delivered).toBe(true);
    expect(forJob().length).toBe(before + 1);
    const newest = Math.max(...log.deliveries.map((d) => d.changeSeq));
    const relog = (await (await follow(stack, `${job.links.self}/callbacks`)).json()) as DeliveryLog;
    expect(relog.deliveries.filter((d) => d.changeSeq === newest).map((d) => d.attempt)).toEqual([1, 2]);
  });

  it('another organisation sees no callbacks of the job (404), a bad change number is 400', async () => {
    const job = await createJob(stack, 'portal', emailPortalJob({ callbackUrl: hookUrl }), {
      'contract.pdf': pdf,
    });
    const other = await fetch(`${stack.baseUrl}/api/${OTHER_ORG}/portal/signature-jobs/${job.id}/callbacks`, {
      headers: { authorization: `Bearer ${stack.otherApiKey}` },
    });
    expect(other.status).toBe(404);
    const bad = await follow(stack, `${job.links.self}/callbacks/redeliver?change=abc`, { method: 'POST' });
    expect(bad.status).toBe(400);
  });
});

describe('callback targets at creation', () => {
  const privateTargets = [
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/hooks',
    'http://172.16.0.1/hooks',
    'http://192.168.1.10/hooks',
    'http://0.0.0.0:3000/hooks',
    'http://[fc00::1]/hooks',
    'http://[fe80::1]/hooks',
    'http://[::ffff:10.0.0.1]/hooks',
  ];
  const jobIds = () => stack.t.db.selectFrom('signature_jobs').select('id').orderBy('id').execute();

  it('a private target is refused with 400 naming callbackUrl, and nothing is stored', async () => {
    const before = await jobIds();
    for (const url of privateTargets) {
      const res = await postJob(stack, 'portal', emailPortalJob({ callbackUrl: url }), {
        'contract.pdf': pdf,
      });
      const body = await expectError(res, 400, 'VALIDATION_FAILED', 'callbackUrl');
      expect(body.error.details.find((d) => d.path === 'callbackUrl')?.code, url).toBe(
        'CALLBACK_TARGET_REFUSED',
      );
    }
    expect(await jobIds()).toEqual(before);
  });

  it('loopback follows the delivery policy: allowed here (development, tests), refused where delivery refuses it', async () => {
    // This stack allows loopback, as development does by default: the local receiver is accepted.
    const ok = await postJob(stack, 'portal', emailPortalJob({ callbackUrl: hookUrl }), {
      'contract.pdf': pdf,
    });
    expect(ok.status).toBe(201);
    await ok.arrayBuffer();

    // The same service with production's policy, on a port of its own over the same database.
    const port = await freePort();
    const strict = await listen(
      createApp({ ...stack.apiDeps, allowPrivateCallbackTargets: 'none' }),
      '127.0.0.1',
      port,
    );
    try {
      for (const url of [
        hookUrl,
        `http://localhost:${port}/hooks`,
        'http://[::ffff:127.0.0.1]/hooks',
        'http://[::1]/hooks',
      ]) {
        const res = await fetch(`http://127.0.0.1:${port}${jobsPath('portal')}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${stack.apiKey}` },
          body: createForm(emailPortalJob({ callbackUrl: url }), { 'contract.pdf': pdf }),
        });
        await expectError(res, 400, 'VALIDATION_FAILED', 'callbackUrl');
      }
    } finally {
      await strict.close();
    }
  });
});
