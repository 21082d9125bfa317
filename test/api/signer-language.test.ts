/**
 * The language of a portal signer's notices against the real stack: the sender's choice in the
 * job (per signer, or for the whole job) shown back in the job view, and a language the signer
 * picks on their signing page kept for the notices that follow (here the cancellation e-mail).
 */
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPopulation } from '../../src/notifications/test-population.js';
import { browser, createJob, eventually, follow, loggedIn } from '../helpers/api/http.js';
import { KARI_PID, portalJob, samplePdf } from '../helpers/requests.js';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
let pdf: Uint8Array;
beforeAll(async () => {
  [stack, pdf] = await Promise.all([startStack(), samplePdf()]);
});
afterAll(async () => stack?.stop());

const KARI_EMAIL = testPopulation.find((p) => p.pid === KARI_PID)!.email!;

interface SignerView {
  id: string;
  language?: string;
}

async function signersOf(selfUrl: string): Promise<SignerView[]> {
  return ((await (await follow(stack, selfUrl)).json()) as { signers: SignerView[] }).signers;
}

async function mailsTo(address: string): Promise<ParsedMail[]> {
  return (await stack.notices.messages()).filter((m) =>
    (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.text.includes(address)),
  );
}

describe("the language of signers' notices", () => {
  it("shows each portal signer's language in the job view: its own, else the job's, else NB", async () => {
    const job = await createJob(
      stack,
      'portal',
      portalJob({
        notificationLanguage: 'EN',
        signers: [{ email: 'ola@example.com' }, { email: 'eva@example.com', language: 'NB' }],
      }),
      { 'contract.pdf': pdf },
    );
    expect((await signersOf(job.links.self)).map((s) => s.language)).toEqual(['EN', 'NB']);
    const plain = await createJob(stack, 'portal', portalJob({ signers: [{ email: 'per@example.com' }] }), {
      'contract.pdf': pdf,
    });
    expect((await signersOf(plain.links.self)).map((s) => s.language)).toEqual(['NB']);
    // The job-wide English reaches the signer without a language of their own.
    const [ola] = await eventually(
      () => mailsTo('ola@example.com'),
      (m) => m.length > 0,
    );
    expect(ola!.subject).toMatch(/^You have a document to sign from /);
  });

  it('a language picked on the signing page is kept for the later notices to that signer', async () => {
    const job = await createJob(stack, 'portal', portalJob(), { 'contract.pdf': pdf });
    const signerId = job.signers[0]!.id;
    const ceremony = `/sign/${job.id}/${signerId}`;
    const [activation] = await eventually(
      () => mailsTo(KARI_EMAIL),
      (m) => m.length > 0,
    );
    expect(activation!.subject).toMatch(/^Du har et dokument å signere fra /);

    // Someone not let in for the signer changes nothing.
    const stranger = browser(stack);
    expect((await stranger(`${ceremony}?lang=en`)).status).toBe(303);
    expect((await signersOf(job.links.self))[0]!.language).toBe('NB');

    // Kari logs in with the test eID and switches her signing page to English.
    const kari = await loggedIn(stack, KARI_PID, ceremony);
    const page = await kari(`${ceremony}?lang=en`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html lang="en">');
    expect((await signersOf(job.links.self))[0]!.language).toBe('EN');

    // The cancellation notice that follows is in English.
    expect((await follow(stack, job.links.cancel!, { method: 'POST' })).status).toBe(204);
    const mails = await eventually(
      () => mailsTo(KARI_EMAIL),
      (m) => m.length > 1,
    );
    expect(mails[1]!.subject).toMatch(/^The signing of .* has been cancelled$/);
    expect(mails[1]!.text).toContain('has cancelled the signing of');
  });
});
