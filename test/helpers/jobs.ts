/**
 * Starting signature-job workflows directly (without the HTTP layer) for workflow tests: the job's
 * rows are stored as the API would store them, then the workflow is started.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Insertable } from 'kysely';
import type { Db } from '../../src/db/index.js';
import type { SignatureJobsTable } from '../../src/db/types.js';
import {
  DEFAULT_AVAILABLE_SECONDS,
  type Flow,
  type NotificationChannels,
  type NotificationLanguage,
  type SignatureJobInput,
  workflowIdForJob,
} from '../../src/job/model.js';
import { upsertOrganisation } from '../../src/services/organisations.js';
import { type DocumentStore, documentKey, PostgresDocumentStore } from '../../src/storage/index.js';
import { WORKFLOW_TYPE } from '../../workflows/definitions.js';
import { ORG } from './organisations.js';
import { samplePdf } from './requests.js';

export interface TestJobSpec {
  flow?: Flow;
  /** One entry per signer: its order and channels, and the language of its notices (default NB). */
  signers: {
    order?: number;
    channels?: Partial<NotificationChannels>;
    pid?: string;
    language?: NotificationLanguage;
  }[];
  callbackUrl?: string;
  activationTime?: Date;
  availableSeconds?: number;
  longTermStorage?: boolean;
}

/** One address per job and signer, so tests reading a shared mail sink tell jobs apart. */
const emailOf = (jobId: string, position: number) => `signer${position}.${jobId.slice(0, 8)}@example.com`;

/**
 * A signature job's row as the API stores it (an in-progress portal job of ORG unless `row` says
 * otherwise), with its organisation; returns the job's id. For tests that need a job in the
 * tables without its workflow, and for startTestJob.
 */
export async function insertJobRow(
  db: Db,
  row: Partial<Insertable<SignatureJobsTable>> = {},
): Promise<string> {
  const jobId = row.id ?? randomUUID();
  const org = row.org_number ?? ORG;
  await upsertOrganisation(db, { orgNumber: org, name: 'Test Sender', sector: 'PUBLIC' });
  await db
    .insertInto('signature_jobs')
    .values({
      id: jobId,
      org_number: org,
      flow: 'portal',
      status: 'IN_PROGRESS',
      title: 'Test job',
      reference: null,
      polling_queue: null,
      request: '{}',
      idempotency_key: null,
      request_hash: jobId,
      updated_at: new Date(),
      ...row,
    })
    .execute();
  return jobId;
}

/** `storage` must be the worker's store (the default is PostgreSQL's, on `db`). */
export async function startTestJob(
  db: Db,
  client: Client,
  taskQueue: string,
  spec: TestJobSpec,
  storage: DocumentStore = new PostgresDocumentStore(db),
) {
  const jobId = randomUUID();
  const flow = spec.flow ?? 'portal';
  const signers = spec.signers.map((s, i) => ({
    id: `s${i}-${randomUUID().slice(0, 8)}`,
    order: flow === 'portal' ? (s.order ?? 0) : 0,
    signatureType: 'AUTHENTICATED_SIGNATURE' as const,
    onBehalfOf: 'SELF' as const,
    channels: { email: s.channels?.email ?? true, sms: s.channels?.sms ?? false },
    pid: s.pid ?? null,
    language: s.language,
  }));
  await insertJobRow(db, {
    id: jobId,
    flow,
    request: JSON.stringify({
      ...(spec.callbackUrl ? { callbackUrl: spec.callbackUrl } : {}),
      ...(spec.longTermStorage ? { longTermStorage: true } : {}),
    }),
  });
  await db
    .insertInto('signers')
    .values(
      signers.map((s, position) => ({
        id: s.id,
        job_id: jobId,
        position,
        signing_order: s.order,
        personal_identification_number: s.pid,
        custom_identifier: null,
        // Signers with an identity number are reached through the (development) register.
        email: s.channels.email && !s.pid ? emailOf(jobId, position) : null,
        mobile: s.channels.sms && !s.pid ? `+479${String(10000000 + position).slice(1)}` : null,
        signature_type: s.signatureType,
        on_behalf_of: s.onBehalfOf,
        ...(s.language ? { language: s.language } : {}),
        status: 'WAITING',
        status_since: new Date(),
      })),
    )
    .execute();
  const input: SignatureJobInput = {
    jobId,
    org: ORG,
    flow,
    requiredAuthentication: 4,
    signers: signers.map(({ pid: _pid, language: _language, ...s }) => s),
    ...(spec.activationTime ? { activationTime: spec.activationTime.toISOString() } : {}),
    availableSeconds: spec.availableSeconds ?? DEFAULT_AVAILABLE_SECONDS,
    longTermStorage: spec.longTermStorage ?? false,
  };
  const pdf = await samplePdf(`Test job ${jobId}`);
  const documentId = randomUUID();
  await storage.put(documentKey(jobId, documentId), pdf);
  await db
    .insertInto('documents')
    .values({
      id: documentId,
      job_id: jobId,
      position: 0,
      title: 'Contract',
      file_name: 'contract.pdf',
      mime_type: 'application/pdf',
      size_bytes: pdf.byteLength,
      sha256: createHash('sha256').update(pdf).digest('hex'),
    })
    .execute();
  const handle = await client.workflow.start(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: workflowIdForJob(jobId),
    args: [input],
  });
  return {
    jobId,
    handle,
    signerIds: signers.map((s) => s.id),
    /** The e-mail address each signer without identity number was given (unique to this job). */
    emails: signers.map((_, i) => emailOf(jobId, i)),
    input,
  };
}
