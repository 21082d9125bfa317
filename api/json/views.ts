/** JSON views of jobs as the contract shows them, with absolute links clients follow. */

import type { NextStep } from '../../src/rules/next-step.js';
import type { JobRecord } from '../../src/services/find-job.js';
import type { StatusChangeItem } from '../../src/services/status-queue.js';
import type { JobView, StatusChangeView } from './schemas.js';

/** The job's next step as the API shows it: signers by id (the view's signers name them). */
export function nextStepView(step: NextStep): NonNullable<JobView['next']> {
  if (step.kind !== 'SIGNATURES') return { kind: step.kind };
  return {
    kind: step.kind,
    group: step.group,
    groups: step.groups,
    waitingFor: step.waitingFor,
    ...(step.deadline ? { deadline: step.deadline } : {}),
    held: step.held.map((h) => ({ signerId: h.signerId, until: h.until, reason: h.reason })),
  };
}

export function jobUrl(baseUrl: string, job: { org: string; flow: string; id: string }): string {
  return `${baseUrl}/api/${job.org}/${job.flow}/signature-jobs/${job.id}`;
}

export function jobLinks(baseUrl: string, rec: JobRecord): JobView['links'] {
  const self = jobUrl(baseUrl, rec.job);
  return {
    self,
    cancel: rec.job.flow === 'portal' && rec.job.status === 'IN_PROGRESS' ? `${self}/cancel` : null,
    pades: rec.hasPades ? `${self}/pades` : null,
  };
}

/**
 * The job as the sender sees it. `redirectUrls` (signer id to URL) are shown only where they were
 * just issued: in the answer to create; they are one-time secrets and not stored readable.
 */
export function jobView(baseUrl: string, rec: JobRecord, redirectUrls?: Map<string, string>): JobView {
  const links = jobLinks(baseUrl, rec);
  return {
    id: rec.job.id,
    flow: rec.job.flow,
    title: rec.job.title,
    reference: rec.job.reference,
    status: rec.job.status,
    outcome: rec.job.outcome,
    createdAt: rec.job.createdAt.toISOString(),
    since: rec.job.since.toISOString(),
    activated: rec.job.activated,
    ...(rec.job.deadline ? { deadline: rec.job.deadline.toISOString() } : {}),
    ...(rec.job.failureReason ? { failureReason: rec.job.failureReason } : {}),
    next: nextStepView(rec.next),
    links,
    signers: rec.signers.map((s) => {
      const redirectUrl = redirectUrls?.get(s.id);
      return {
        id: s.id,
        signer: s.identifier,
        order: s.order,
        status: s.status,
        since: s.since.toISOString(),
        ...(s.rejectionReason !== null ? { rejectionReason: s.rejectionReason } : {}),
        // Direct-flow signers get no notices, so a language would mean nothing there.
        ...(rec.job.flow === 'portal' ? { language: s.language } : {}),
        ...(redirectUrl ? { redirectUrl } : {}),
        links: { xades: rec.xadesSignerIds.has(s.id) ? `${links.self}/signers/${s.id}/xades` : null },
      };
    }),
    ...(rec.pdfANotKept.length > 0 ? { pdfANotKept: rec.pdfANotKept } : {}),
  };
}

/** A taken status change, with the URL that confirms exactly this change. */
export function statusChangeView(
  baseUrl: string,
  queue: { org: string; flow: string },
  change: StatusChangeItem,
): StatusChangeView {
  const self = jobUrl(baseUrl, { ...queue, id: change.jobId });
  return {
    changeId: change.changeId,
    jobId: change.jobId,
    reference: change.reference,
    status: change.status as StatusChangeView['status'],
    ...(change.outcome ? { outcome: change.outcome as StatusChangeView['outcome'] } : {}),
    changedAt: change.changedAt.toISOString(),
    signers: change.signers as StatusChangeView['signers'],
    links: { self },
    confirmUrl: `${self}/complete?change=${change.changeId}`,
  };
}
