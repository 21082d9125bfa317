/** JSON views of jobs as the contract shows them, with absolute links clients follow. */
import type { JobRecord } from '../src/services/signature-jobs.js';

export function jobLinks(baseUrl: string, rec: JobRecord) {
  const self = `${baseUrl}/api/${rec.job.org}/${rec.job.flow}/signature-jobs/${rec.job.id}`;
  return {
    self,
    cancel: rec.job.flow === 'portal' && rec.job.status === 'IN_PROGRESS' ? `${self}/cancel` : null,
    pades: rec.hasPades ? `${self}/pades` : null,
  };
}

export function jobView(baseUrl: string, rec: JobRecord) {
  const links = jobLinks(baseUrl, rec);
  const state = rec.state;
  const activeGroup = state?.activeGroup === undefined ? undefined : state.groups[state.activeGroup];
  return {
    id: rec.job.id,
    flow: rec.job.flow,
    title: rec.job.title,
    reference: rec.job.reference,
    status: rec.job.status,
    createdAt: rec.job.createdAt.toISOString(),
    ...(state ? { since: state.since, activated: state.activated } : {}),
    ...(activeGroup?.deadline ? { deadline: activeGroup.deadline } : {}),
    ...(state?.failureReason ? { failureReason: state.failureReason } : {}),
    links,
    signers: rec.signers.map((s) => ({
      id: s.id,
      signer: s.identifier,
      order: s.order,
      status: s.status,
      since: s.since.toISOString(),
      links: { xades: rec.xadesSignerIds.has(s.id) ? `${links.self}/signers/${s.id}/xades` : null },
    })),
  };
}
