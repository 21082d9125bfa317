/**
 * Deflate bombs as job documents through the intakes of the real stack (the JSON API, and the
 * sender portal as a logged-in sender; the XML API's are in test/xml-api/official-client.test.ts,
 * where the official client seals them): a 1 MB PDF whose content inflates to 1 GiB, and a 3 MB
 * one (the size limit) to 3 GiB. Each is refused at creation with the limit's code, nothing is
 * stored, `/healthz` answers within a second meanwhile, and the process (API and worker) stays far
 * below 1 GB. A legitimate 3 MB, 300-page document is still accepted, signed and sealed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantRole } from '../../src/portal/roles.js';
import { scanLikePdf } from '../fixtures/signing/pdfs.js';
import {
  devAct,
  directJob,
  eventually,
  expectError,
  follow,
  type JobBody,
  loggedIn,
  pid,
  postJob,
} from '../helpers/api/http.js';
import { ORG, type Stack, startStack } from '../helpers/stack.js';
import { processMemory, watchHealth } from './hostile-client.js';
import { contentBombOf, deepNesting, deflatedZeros, pageTreeLoop } from './hostile-documents.js';

const GB = 1024 * 1024 * 1024;
const STAFF = pid(7);

let stack: Stack;
let bombs: [string, Buffer][];
let legit: Uint8Array;

beforeAll(async () => {
  let deflated: Buffer;
  [stack, deflated, legit] = await Promise.all([
    startStack(),
    deflatedZeros(1024 * 1024 * 1024),
    scanLikePdf(300, 3_000_000),
  ]);
  // One compressed gigabyte in a 1 MB file; the same thrice in a 3 MB one.
  bombs = [
    ['1 MB', contentBombOf(deflated, 1)],
    ['3 MB', contentBombOf(deflated, 3)],
  ];
  await grantRole(stack.t.db, { pid: STAFF, org: ORG, role: 'SENDER' });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

const keptUploads = async () =>
  Number(
    (
      await stack.t.db
        .selectFrom('kept_uploads')
        .select((e) => e.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

async function stored() {
  const [jobs, documents] = await Promise.all([
    stack.t.db
      .selectFrom('signature_jobs')
      .select((e) => e.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow(),
    stack.t.db
      .selectFrom('documents')
      .select((e) => e.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { jobs: Number(jobs.n), documents: Number(documents.n) };
}

/** Runs an attack while watching `/healthz`; health within a second throughout, memory below 1 GB. */
async function duringAttack<T>(attack: () => Promise<T>): Promise<T> {
  const health = watchHealth(stack.baseUrl);
  const result = await attack();
  const seen = await health.stop();
  expect(seen.failures).toBe(0);
  expect(seen.maxMs).toBeLessThan(1000);
  expect((await processMemory(process.pid)).peak).toBeLessThan(GB);
  return result;
}

describe('deflate bombs as job documents', () => {
  it('are 1 MB and 3 MB valid PDFs (the size limit is 3 MB)', () => {
    expect(bombs.map(([, b]) => Math.round(b.length / 1e6))).toEqual([1, 3]);
    expect(bombs[1]![1].length).toBeLessThanOrEqual(3 * 1024 * 1024);
  });

  it('are refused by the JSON API with 413 naming the limit and the document; nothing is stored', async () => {
    const before = await stored();
    for (const [size, bomb] of bombs) {
      const res = await duringAttack(() =>
        postJob(
          stack,
          'direct',
          directJob({ documents: [{ title: 'Bomb', fileName: 'bomb.pdf', mimeType: 'application/pdf' }] }),
          {
            'bomb.pdf': bomb,
          },
        ),
      );
      const body = await expectError(res, 413, 'PDF_STREAM_TOO_LARGE', 'bomb.pdf');
      expect(body.error.details[0]!.code, size).toBe('PDF_STREAM_TOO_LARGE');
    }
    expect(await stored()).toEqual(before);
  }, 120_000);

  it('are refused in the sender portal at the documents field; nothing is stored', async () => {
    const sender = await loggedIn(stack, STAFF, `/sender/${ORG}/jobs/new`);
    const before = await stored();
    for (const [size, bomb] of bombs) {
      const page = await (await sender(`/sender/${ORG}/jobs/new`)).text();
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
      expect(csrf, 'the form carries its CSRF token').toBeDefined();
      const form = new FormData();
      form.append('_csrf', csrf!);
      form.append('title', `Bomb ${size}`);
      form.append('signer-0-identifier', pid(1));
      form.append('documents', new Blob([new Uint8Array(bomb)], { type: 'application/pdf' }), 'bomb.pdf');
      const res = await duringAttack(() =>
        sender(`/sender/${ORG}/jobs?lang=en`, { method: 'POST', body: form }),
      );
      const html = await res.text();
      expect(res.status, size).toBe(400);
      // The plain reason at the documents field, naming the file.
      const fieldError = /<p class="field-error" id="documents-error">([^<]*)<\/p>/.exec(html)?.[1];
      expect(fieldError).toContain('The file “bomb.pdf” cannot be used');
      expect(fieldError).toContain('reading it would cost the service too much');
    }
    expect(await stored()).toEqual(before);
    // Not even kept for the next attempt, as the form keeps acceptable files.
    expect(await keptUploads()).toBe(0);
  }, 120_000);

  it('other limits are answered 422 with their code', async () => {
    const before = await stored();
    for (const [doc, code] of [
      [pageTreeLoop(), 'PDF_REFERENCE_LOOP'],
      [deepNesting(), 'PDF_NESTING_TOO_DEEP'],
    ] as const) {
      const res = await postJob(
        stack,
        'direct',
        directJob({
          documents: [{ title: 'Hostile', fileName: 'hostile.pdf', mimeType: 'application/pdf' }],
        }),
        { 'hostile.pdf': doc },
      );
      await expectError(res, 422, code, 'hostile.pdf');
    }
    expect(await stored()).toEqual(before);
  });

  it('a legitimate 3 MB, 300-page document is still accepted, signed and sealed within the memory bound', async () => {
    expect(legit.length).toBeGreaterThan(2_900_000);
    const res = await duringAttack(() =>
      postJob(
        stack,
        'direct',
        directJob({ documents: [{ title: 'Large', fileName: 'large.pdf', mimeType: 'application/pdf' }] }),
        { 'large.pdf': legit },
      ),
    );
    const job = (await res.json()) as JobBody;
    expect(res.status, JSON.stringify(job)).toBe(201);
    expect((await devAct(stack, job.id, job.signers[0]!.id, 'sign')).status).toBe(200);
    await eventually(
      async () => ((await (await follow(stack, job.links.self)).json()) as { status: string }).status,
      (s) => s === 'COMPLETED_SUCCESSFULLY',
    );
    // The worker runs in this process (in production it has one of its own, apart from the API's
    // event loop): its packaging and sealing count in the peak.
    expect((await processMemory(process.pid)).peak).toBeLessThan(GB);
  }, 180_000);
});
