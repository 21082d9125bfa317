/**
 * The national service's answers, rendered from our job records and status changes: numeric job
 * ids, URLs into the XML API, signers named as the sender addressed them, statuses per flow.
 */
import type { Flow } from '../../src/job/model.js';
import type { JobRecord } from '../../src/services/find-job.js';
import type { StatusChangeItem } from '../../src/services/status-queue.js';
import { node, type XmlNode, xmlDocument } from './xml.js';

/** How the sender addressed a signer: by identity number, its own identifier, or contact details. */
export interface SignerAddress {
  id: string;
  personalIdentificationNumber: string | null;
  customIdentifier: string | null;
  email: string | null;
  mobile: string | null;
}

/** The XML API's URLs of one job. */
export function jobUrls(root: string, org: string, flow: Flow, numericId: string) {
  const self = `${root}/${org}/${flow}/signature-jobs/${numericId}`;
  return {
    self,
    status: `${self}/status`,
    complete: `${self}/complete`,
    cancel: `${self}/cancel`,
    pades: `${self}/pades`,
    documents: `${self}/documents`,
    xades: (signerId: string) => `${self}/xades/${signerId}`,
    signer: (signerId: string) => `${self}/signers/${signerId}`,
  };
}

/** Direct signer statuses the client knows; ours outside that list cannot occur in the direct flow. */
const DIRECT_SIGNER_STATUSES = new Set([
  'WAITING',
  'REJECTED',
  'EXPIRED',
  'FAILED',
  'SIGNED',
  'NOT_APPLICABLE',
]);
const directSignerStatus = (s: string) => (DIRECT_SIGNER_STATUSES.has(s) ? s : 'FAILED');

/** The direct flow's name of a signer: the identity number or the sender's own identifier. */
const directName = (a: SignerAddress) => a.personalIdentificationNumber ?? a.customIdentifier ?? '';

function directIdentity(a: SignerAddress): XmlNode {
  return a.personalIdentificationNumber
    ? node('personal-identification-number', a.personalIdentificationNumber)
    : node('signer-identifier', a.customIdentifier ?? '');
}

export function directJobCreated(
  urls: ReturnType<typeof jobUrls>,
  numericId: string,
  reference: string | null,
  signers: { address: SignerAddress; redirectUrl: string }[],
): string {
  return xmlDocument(
    node('direct-signature-job-response', [
      reference ? node('reference', reference) : undefined,
      node('signature-job-id', numericId),
      ...signers.map((s) => node('redirect-url', s.redirectUrl, { signer: directName(s.address) })),
      node('status-url', urls.status),
      ...signers.map((s) =>
        node('signer', [directIdentity(s.address), node('redirect-url', s.redirectUrl)], {
          href: urls.signer(s.address.id),
        }),
      ),
    ]),
  );
}

export function directSignerUpdated(
  urls: ReturnType<typeof jobUrls>,
  address: SignerAddress,
  redirectUrl: string,
) {
  return xmlDocument(
    node('direct-signer-response', [directIdentity(address), node('redirect-url', redirectUrl)], {
      href: urls.signer(address.id),
    }),
  );
}

/** What a status answer needs of a job: its state now, or as a status change recorded it. */
export interface StatusFacts {
  numericId: string;
  reference: string | null;
  status: string;
  signers: { id: string; status: string; since: string }[];
  hasPades: boolean;
  xadesSignerIds: Set<string>;
  /** The URL that confirms this answer (a queue change names itself). */
  confirmationUrl: string;
}

export const factsOfRecord = (rec: JobRecord, numericId: string, confirmationUrl: string): StatusFacts => ({
  numericId,
  reference: rec.job.reference,
  status: rec.job.status,
  signers: rec.signers.map((s) => ({ id: s.id, status: s.status, since: s.since.toISOString() })),
  hasPades: rec.hasPades,
  xadesSignerIds: rec.xadesSignerIds,
  confirmationUrl,
});

export const factsOfChange = (
  change: StatusChangeItem,
  numericId: string,
  artifacts: { hasPades: boolean; xadesSignerIds: Set<string> },
  confirmationUrl: string,
): StatusFacts => ({
  numericId,
  reference: change.reference,
  status: change.status,
  signers: change.signers.map((s) => ({
    id: s.id,
    status: s.status,
    since: new Date(s.since).toISOString(),
  })),
  hasPades: artifacts.hasPades,
  xadesSignerIds: artifacts.xadesSignerIds,
  confirmationUrl,
});

export function directStatus(
  urls: ReturnType<typeof jobUrls>,
  facts: StatusFacts,
  addresses: Map<string, SignerAddress>,
) {
  const name = (id: string) => (addresses.get(id) ? directName(addresses.get(id)!) : id);
  return xmlDocument(
    node('direct-signature-job-status-response', [
      facts.reference ? node('reference', facts.reference) : undefined,
      node('signature-job-id', facts.numericId),
      node('signature-job-status', facts.status),
      ...facts.signers.map((s) =>
        node('status', directSignerStatus(s.status), { signer: name(s.id), since: s.since }),
      ),
      node('confirmation-url', facts.confirmationUrl),
      facts.status !== 'IN_PROGRESS' ? node('delete-documents-url', urls.documents) : undefined,
      ...facts.signers
        .filter((s) => facts.xadesSignerIds.has(s.id))
        .map((s) => node('xades-url', urls.xades(s.id), { signer: name(s.id) })),
      facts.hasPades ? node('pades-url', urls.pades) : undefined,
    ]),
  );
}

/** A portal signer as the sender addressed it: identity number, or its e-mail and/or mobile. */
function portalIdentity(a: SignerAddress | undefined): XmlNode {
  if (a?.personalIdentificationNumber)
    return node('personal-identification-number', a.personalIdentificationNumber);
  return node('identifier', [
    a?.email ? node('email', undefined, { address: a.email }) : undefined,
    a?.mobile ? node('sms', undefined, { number: a.mobile }) : undefined,
  ]);
}

export function portalJobCreated(
  urls: ReturnType<typeof jobUrls>,
  numericId: string,
  reference: string | null,
) {
  return xmlDocument(
    node('portal-signature-job-response', [
      reference ? node('reference', reference) : undefined,
      node('signature-job-id', numericId),
      node('cancellation-url', urls.cancel),
    ]),
  );
}

export function portalStatusChange(
  urls: ReturnType<typeof jobUrls>,
  facts: StatusFacts,
  addresses: Map<string, SignerAddress>,
) {
  return xmlDocument(
    node('portal-signature-job-status-change-response', [
      facts.reference ? node('reference', facts.reference) : undefined,
      node('signature-job-id', facts.numericId),
      node('status', facts.status),
      node('confirmation-url', facts.confirmationUrl),
      facts.status === 'IN_PROGRESS' ? node('cancellation-url', urls.cancel) : undefined,
      facts.status !== 'IN_PROGRESS' ? node('delete-documents-url', urls.documents) : undefined,
      node('signatures', [
        ...facts.signers.map((s) =>
          node('signature', [
            node('status', s.status, { since: s.since }),
            portalIdentity(addresses.get(s.id)),
            facts.xadesSignerIds.has(s.id) ? node('xades-url', urls.xades(s.id)) : undefined,
          ]),
        ),
        facts.hasPades ? node('pades-url', urls.pades) : undefined,
      ]),
    ]),
  );
}

export function errorDocument(code: string, message: string, status: number): string {
  return xmlDocument(
    node('error', [
      node('error-code', code),
      node('error-message', message),
      node('error-type', status >= 500 ? 'SERVER' : 'CLIENT'),
    ]),
  );
}
