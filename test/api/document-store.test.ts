/**
 * One whole job on the real stack with DOCUMENT_STORE=filesystem: the uploaded document, the
 * signer's XAdES and the sealed PAdES are files in the configured directory (none in PostgreSQL),
 * the PAdES downloads from there, a file changed on disk is refused rather than served, and the
 * sender's deletion removes the files.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJob, devAct, emailPortalJob, eventually, expectError, follow } from '../helpers/api/http.js';
import { samplePdf } from '../helpers/requests.js';
import { type Stack, startStack } from '../helpers/stack.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let stack: Stack;
let pdf: Uint8Array;
beforeAll(async () => {
  [stack, pdf] = await Promise.all([
    startStack({ documentStore: 'filesystem' }),
    samplePdf('Stored on disk'),
  ]);
});
afterAll(async () => stack?.stop());

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('DOCUMENT_STORE=filesystem', () => {
  it('keeps a job’s documents and results as files, serves them, and deletes them', async () => {
    const dir = stack.documentStoreDir!;
    expect(stack.storage.kind).toBe('filesystem');
    const job = await createJob(stack, 'portal', emailPortalJob(), { 'contract.pdf': pdf });

    // The uploaded document: a file holding exactly the uploaded bytes; nothing in `blobs`.
    const doc = await stack.t.db
      .selectFrom('documents')
      .select(['id', 'sha256'])
      .where('job_id', '=', job.id)
      .executeTakeFirstOrThrow();
    const docFile = join(dir, 'documents', job.id, doc.id);
    expect(sha(await readFile(docFile))).toBe(sha(pdf));
    expect(doc.sha256).toBe(sha(pdf));

    const signerId = job.signers[0]!.id;
    expect((await devAct(stack, job.id, signerId, 'sign', { authenticationLevel: 4 })).status).toBe(200);
    const pades = await eventually(
      async () => {
        const res = await follow(stack, `${job.links.self}/pades`);
        return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
      },
      (r) => r.status === 200,
    );
    expect(pades.bytes.subarray(0, 5).toString()).toBe('%PDF-');

    // The results are files named by their recorded digests, and the PAdES served is that file.
    const artifacts = await stack.t.db
      .selectFrom('artifacts')
      .select(['kind', 'signer_id', 'sha256'])
      .where('job_id', '=', job.id)
      .orderBy('kind')
      .execute();
    const padesRow = artifacts.find((a) => a.kind === 'PADES')!;
    const xadesRow = artifacts.find((a) => a.kind === 'XADES')!;
    expect(padesRow.sha256).toBe(sha(pades.bytes));
    expect(xadesRow.signer_id).toBe(signerId);
    const artifactDir = join(dir, 'artifacts', job.id);
    expect((await readdir(artifactDir)).sort()).toEqual(
      [`pades-${padesRow.sha256}`, `xades-${signerId}-${xadesRow.sha256}`].sort(),
    );
    const padesFile = join(artifactDir, `pades-${padesRow.sha256}`);
    expect(Buffer.compare(await readFile(padesFile), pades.bytes)).toBe(0);
    const xades = await follow(stack, `${job.links.self}/signers/${signerId}/xades`);
    expect(sha(Buffer.from(await xades.arrayBuffer()))).toBe(xadesRow.sha256);
    const inPostgres = await stack.t.db.selectFrom('blobs').select('key').execute();
    expect(inPostgres.filter((b) => b.key.includes(job.id))).toEqual([]);

    // A file changed on disk no longer matches its recorded digest: an error, not the bytes.
    const forged = Buffer.from(pades.bytes);
    const at = forged.length - 10;
    forged.writeUInt8(forged.readUInt8(at) ^ 0xff, at);
    await writeFile(padesFile, forged);
    const refused = await follow(stack, `${job.links.self}/pades`);
    await expectError(refused, 500, 'INTERNAL_ERROR');
    await writeFile(padesFile, pades.bytes);
    expect((await follow(stack, `${job.links.self}/pades`)).status).toBe(200);

    // The sender deletes the documents: the rows are marked and the job's files are gone.
    expect((await follow(stack, `${job.links.self}/documents`, { method: 'DELETE' })).status).toBe(202);
    await eventually(
      async () => ({
        documents: await exists(join(dir, 'documents', job.id)),
        artifacts: await exists(artifactDir),
      }),
      (e) => !e.documents && !e.artifacts,
    );
    const marked = await stack.t.db
      .selectFrom('documents')
      .select('deleted_at')
      .where('job_id', '=', job.id)
      .executeTakeFirstOrThrow();
    expect(marked.deleted_at).not.toBeNull();
    await expectError(await follow(stack, `${job.links.self}/pades`), 404, 'NOT_FOUND');
  });
});
