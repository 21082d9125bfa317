/**
 * What the fault tests do with jobs, over whichever deployment they run against (the dev-server
 * stack of fault-stack.ts, or the production shape of test/cluster): create them through
 * an API, sign them on the development endpoint, and look at the outcome in the database and in
 * the workflow's history.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { expect } from 'vitest';
import type { Db } from '../../../src/db/index.js';
import { type SignatureJobState, workflowIdForJob } from '../../../src/job/model.js';
import { statusQuery } from '../../../workflows/definitions.js';
import { until } from '../processes.js';
import { createForm } from '../requests.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the job is marked started, which its workflow's first recording does (not the
 * create), so the stranded-job sweep leaves it be.
 */
export function jobMarkedStarted(db: Db, id: string): Promise<Date> {
  return until('the job marked started', async () => {
    const row = await db
      .selectFrom('signature_jobs')
      .select('workflow_started_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return row.workflow_started_at ?? undefined;
  });
}

/** A PDF of `pages` pages of text: big enough that packaging takes a noticeable while. */
export async function documentOf(pages: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++) {
    const page = doc.addPage([595, 842]);
    for (let line = 0; line < 40; line++) {
      page.drawText(`Page ${i}, clause ${line + 1}: the parties agree to what is written here.`, {
        x: 50,
        y: 800 - line * 19,
        size: 10,
        font,
      });
    }
  }
  return doc.save();
}

export interface CreateOptions {
  emails: string[];
  pages?: number;
  activationTime?: string;
  idempotencyKey?: string;
  title?: string;
}

/** A message addressed to `address` (for filtering an SMTP server's deliveries). */
export const to = (address: string) => (m: { to?: unknown }) => JSON.stringify(m.to ?? '').includes(address);

export interface JobWorld {
  db: Db;
  temporal: Client;
  /** The API's base URL (a function: the tests restart API processes). */
  apiUrl(): string;
  org: string;
  apiKey: string;
}

export function jobsIn(w: JobWorld) {
  function createRequest(o: CreateOptions, pdf: Uint8Array, base = w.apiUrl()) {
    const job = {
      title: o.title ?? 'Fault test agreement',
      documents: [{ title: 'Agreement', fileName: 'agreement.pdf', mimeType: 'application/pdf' }],
      // Signers addressed by e-mail: reached without the contact register.
      signers: o.emails.map((email) => ({ email, order: 0 })),
      ...(o.activationTime ? { availability: { activationTime: o.activationTime } } : {}),
    };
    return () =>
      fetch(`${base}/api/${w.org}/portal/signature-jobs`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${w.apiKey}`,
          ...(o.idempotencyKey ? { 'idempotency-key': o.idempotencyKey } : {}),
        },
        body: createForm(job, { 'agreement.pdf': pdf }),
      });
  }

  async function createJob(o: CreateOptions): Promise<string> {
    const res = await createRequest(o, await documentOf(o.pages ?? 1))();
    expect(res.status, await res.clone().text()).toBe(201);
    return ((await res.json()) as { id: string }).id;
  }

  const handleOf = (jobId: string): WorkflowHandle => w.temporal.workflow.getHandle(workflowIdForJob(jobId));

  const stateOf = (jobId: string) => handleOf(jobId).query<SignatureJobState>(statusQuery);

  const signersOf = (jobId: string) =>
    w.db.selectFrom('signers').select('id').where('job_id', '=', jobId).orderBy('position').execute();

  async function untilActivated(jobId: string): Promise<void> {
    await until('the group to be activated', async () =>
      (await stateOf(jobId)).groups[0]?.activatedAt ? true : undefined,
    );
  }

  const sign = (jobId: string, signerId: string): Promise<Response> =>
    fetch(`${w.apiUrl()}/api/dev/signature-jobs/${jobId}/signers/${signerId}/sign`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ authenticationLevel: 3 }),
    });

  async function untilJobStatus(jobId: string, status: string, timeoutMs = 120_000): Promise<void> {
    await until(
      `job ${jobId} to be ${status}`,
      async () => {
        const row = await w.db
          .selectFrom('signature_jobs')
          .select('status')
          .where('id', '=', jobId)
          .executeTakeFirst();
        return row?.status === status ? true : undefined;
      },
      timeoutMs,
    );
  }

  /**
   * The attempt numbers of the activities (of type `activity`, or all) in the history: of the
   * started activity tasks, and of the local activities (recording, preparing the signers), whose
   * markers keep the attempt that succeeded.
   */
  async function attemptsOf(jobId: string, activity?: string): Promise<number[]> {
    const history = await handleOf(jobId).fetchHistory();
    const typeOfScheduled = new Map<string, string>();
    const attempts: number[] = [];
    for (const e of history.events ?? []) {
      const marker = e.markerRecordedEventAttributes;
      if (marker?.markerName === 'core_local_activity') {
        const data = marker.details?.data?.payloads?.[0]?.data;
        const local = data
          ? (JSON.parse(Buffer.from(data).toString('utf8')) as { attempt?: number; activity_type?: string })
          : {};
        if (activity === undefined || local.activity_type === activity) attempts.push(local.attempt ?? 1);
      }
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (scheduled) typeOfScheduled.set(String(e.eventId), scheduled.activityType?.name ?? '');
      const started = e.activityTaskStartedEventAttributes;
      const type = started && typeOfScheduled.get(String(started.scheduledEventId));
      if (started && (activity === undefined || type === activity)) {
        attempts.push(started.attempt ?? 1);
      }
    }
    return attempts;
  }

  const padesRows = (jobId: string) =>
    w.db
      .selectFrom('artifacts')
      .select('sha256')
      .where('job_id', '=', jobId)
      .where('kind', '=', 'PADES')
      .execute();

  /** The worker identity (`pid@host`) running the job's `activity` now, once it runs. */
  async function runningActivity(jobId: string, activity: string) {
    const started = proto.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
    const { raw } = await handleOf(jobId).describe();
    const pending = raw.pendingActivities?.find((a) => a.activityType?.name === activity);
    return pending?.state === started ? { worker: pending.lastWorkerIdentity ?? '' } : undefined;
  }

  /**
   * Kills the worker (`kill` gets the identity of the one running it) once the job's packaging
   * runs; true if no PAdES was stored by then.
   */
  async function killWhilePackaging(jobId: string, kill: (identity: string) => Promise<void>) {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const running = await runningActivity(jobId, 'packageJob');
      if (running) {
        await kill(running.worker);
        return (await padesRows(jobId)).length === 0;
      }
      if ((await padesRows(jobId)).length > 0) return false;
      await sleep(10);
    }
    return false;
  }

  /** The sequence numbers of the job's status changes, asserted unique (none recorded twice). */
  async function statusChangeSeqs(jobId: string): Promise<number[]> {
    const changes = await w.db
      .selectFrom('status_changes')
      .select('seq')
      .where('job_id', '=', jobId)
      .orderBy('seq')
      .execute();
    const seqs = changes.map((c) => c.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    return seqs;
  }

  const noticesOf = (jobId: string) =>
    w.db.selectFrom('notices').select('id').where('job_id', '=', jobId).execute();

  async function downloadPades(jobId: string): Promise<Buffer> {
    const res = await fetch(`${w.apiUrl()}/api/${w.org}/portal/signature-jobs/${jobId}/pades`, {
      headers: { authorization: `Bearer ${w.apiKey}` },
    });
    expect(res.status).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  }

  return {
    createRequest,
    createJob,
    handleOf,
    stateOf,
    signersOf,
    untilActivated,
    sign,
    untilJobStatus,
    attemptsOf,
    padesRows,
    runningActivity,
    killWhilePackaging,
    statusChangeSeqs,
    noticesOf,
    downloadPades,
  };
}
