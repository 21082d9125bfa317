/**
 * The national service's request documents mapped to the JSON API's `job` object (docs/xml-api.md),
 * before any validation: the same object a JSON sender would send, so the same rules
 * (src/job/schema.ts, the document inspection, the create service) decide. This module only
 * renames and reshapes; it checks nothing but the XML structure it must walk.
 */
import type { Flow } from '../../src/job/model.js';
import {
  children,
  optionalChild,
  optionalText,
  parseApiXml,
  requiredChild,
  requiredText,
  XmlInputError,
} from './xml.js';

/** Signature types: the XML names to ours; an unknown value goes through for the schema to name. */
const SIGNATURE_TYPES: Record<string, string> = {
  ADVANCED_ELECTRONIC_SIGNATURE: 'ADVANCED_SIGNATURE',
  AUTHENTICATED_ELECTRONIC_SIGNATURE: 'AUTHENTICATED_SIGNATURE',
};

type Raw = Record<string, unknown>;

/** Leaves out undefined values, so absent XML elements are absent JSON fields (server defaults). */
function defined(o: Raw): Raw {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** A number where the schema wants one; text that is no number goes through for the schema to name. */
const numeric = (s: string | undefined) =>
  s === undefined ? undefined : /^-?[0-9]{1,15}$/.test(s) ? Number(s) : s;

export interface MappedRequest {
  /** The JSON API's `job` object. */
  job: Raw;
  /** The sender the manifest names (must be the organisation in the path). */
  senderOrg: string;
  /** The zip entry of each document, in the manifest's order. */
  documentEntries: string[];
}

/** The request part and the bundle's manifest.xml of a create request, as one `job` object. */
export function mapCreateRequest(flow: Flow, requestXml: Uint8Array, manifestXml: Uint8Array): MappedRequest {
  const request = parseApiXml(requestXml, 'the job request', `${flow}-signature-job-request`);
  const manifest = parseApiXml(manifestXml, 'manifest.xml', `${flow}-signature-job-manifest`);
  const r = request.localName;
  const m = 'manifest';
  const senderOrg = requiredText(requiredChild(manifest, 'sender', m), 'organization-number', `${m}/sender`);
  const { documents, title, description, nonsensitiveTitle } = documentsOf(manifest);
  const common = {
    reference: optionalText(request, 'reference', r),
    pollingQueue: optionalText(request, 'polling-queue', r),
    title,
    description,
    documents,
    requiredAuthentication: numeric(optionalText(manifest, 'required-authentication', m)),
    identifierInSignedDocuments: optionalText(manifest, 'identifier-in-signed-documents', m),
  };
  let job: Raw;
  if (flow === 'direct') {
    const exit = requiredChild(request, 'exit-urls', r);
    job = {
      ...common,
      signers: children(manifest, 'signer').map((s, i) => directSigner(s, `${m}/signer[${i + 1}]`)),
      exitUrls: {
        completionUrl: requiredText(exit, 'completion-url', `${r}/exit-urls`),
        rejectionUrl: requiredText(exit, 'rejection-url', `${r}/exit-urls`),
        errorUrl: requiredText(exit, 'error-url', `${r}/exit-urls`),
      },
      statusRetrievalMethod: optionalText(request, 'status-retrieval-method', r),
    };
  } else {
    const signers = requiredChild(manifest, 'signers', m);
    const availability = optionalChild(manifest, 'availability', m);
    job = {
      ...common,
      nonsensitiveTitle,
      signers: children(signers, 'signer').map((s, i) => portalSigner(s, `${m}/signers/signer[${i + 1}]`)),
      availability: availability
        ? defined({
            activationTime: optionalText(availability, 'activation-time', `${m}/availability`),
            availableSeconds: numeric(optionalText(availability, 'available-seconds', `${m}/availability`)),
          })
        : undefined,
    };
  }
  return {
    job: defined(job),
    senderOrg,
    documentEntries: (job.documents as { fileName: string }[]).map((d) => d.fileName),
  };
}

/** The current form (job-level title, `documents/document`) or the legacy single `document`. */
function documentsOf(manifest: Element) {
  const list = optionalChild(manifest, 'documents', 'manifest');
  const legacy = optionalChild(manifest, 'document', 'manifest');
  if (list && legacy)
    throw new XmlInputError('INVALID_XML', 'manifest: either documents or document, not both');
  const document = (d: Element, path: string) => ({
    title: requiredText(d, 'title', path),
    fileName: d.getAttribute('href') ?? '',
    mimeType: d.getAttribute('mime') ?? '',
  });
  if (legacy) {
    return {
      documents: [document(legacy, 'manifest/document')],
      title: requiredText(legacy, 'title', 'manifest/document'),
      description: optionalText(legacy, 'description', 'manifest/document'),
      nonsensitiveTitle: optionalText(legacy, 'nonsensitive-title', 'manifest/document'),
    };
  }
  if (!list) throw new XmlInputError('INVALID_XML', 'manifest/documents is required');
  return {
    documents: children(list, 'document').map((d, i) => document(d, `manifest/documents/document[${i + 1}]`)),
    title: requiredText(manifest, 'title', 'manifest'),
    description: optionalText(manifest, 'description', 'manifest'),
    nonsensitiveTitle: optionalText(manifest, 'nonsensitive-title', 'manifest'),
  };
}

function signerCommon(s: Element, path: string): Raw {
  const type = optionalText(s, 'signature-type', path);
  return {
    signatureType: type === undefined ? undefined : (SIGNATURE_TYPES[type] ?? type),
    onBehalfOf: optionalText(s, 'on-behalf-of', path),
  };
}

function directSigner(s: Element, path: string): Raw {
  return defined({
    personalIdentificationNumber: optionalText(s, 'personal-identification-number', path),
    customIdentifier: optionalText(s, 'signer-identifier', path),
    ...signerCommon(s, path),
  });
}

/**
 * A portal signer: by identity number with `notifications-using-lookup` (the contact register:
 * no notifications of ours; the sms-wanted flag has nowhere to go) or explicit `notifications`;
 * or `identified-by-contact-information`, whose notification addresses then address the signer.
 */
function portalSigner(s: Element, path: string): Raw {
  const notifications = optionalChild(s, 'notifications', path);
  const contact = notifications
    ? defined({
        email:
          optionalChild(notifications, 'email', `${path}/notifications`)?.getAttribute('address') ??
          undefined,
        mobile:
          optionalChild(notifications, 'sms', `${path}/notifications`)?.getAttribute('number') ?? undefined,
      })
    : undefined;
  const byContact = optionalChild(s, 'identified-by-contact-information', path) !== undefined;
  const order = s.getAttribute('order');
  return defined({
    personalIdentificationNumber: optionalText(s, 'personal-identification-number', path),
    ...(byContact ? contact : { notifications: contact }),
    order: order === null || order === '' ? undefined : numeric(order),
    ...signerCommon(s, path),
  });
}

/** `direct-signer-update-request`: only `<redirect-url/>` is defined, asking for a new URL. */
export function parseSignerUpdateRequest(xml: Uint8Array): void {
  const root = parseApiXml(xml, 'the signer update request', 'direct-signer-update-request');
  requiredChild(root, 'redirect-url', 'direct-signer-update-request');
}
