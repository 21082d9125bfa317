/**
 * The audit summary printed on the signature page: the job's trail told for people, in the job's
 * language. Signers are named (identity numbers masked, as the job's identifierInSignedDocuments
 * allows), internal steps that say nothing new are left out, and the documents "viewed" once per
 * signer and browser session (the viewer, a reload or a second tab fetch them again).
 */
import { decodeAuditDetails } from '../db/audit.js';
import type { IdentifierInSignedDocuments } from '../job/model.js';
import { type DocumentLanguage, maskedSignerLabel } from '../signing/identifiers.js';
import type { AuditEntry } from '../signing/types.js';

export interface AuditRow {
  at: Date;
  actor: string;
  event: string;
  details: unknown;
}

export interface AuditSigner {
  id: string;
  name: string;
  personalIdentificationNumber?: string;
}

type Texts = {
  created: string;
  group: (n: number, who: string) => string;
  extended: string;
  signed: (who: string) => string;
  rejected: (who: string) => string;
  status: (who: string, status: string) => string;
  opened: (who: string) => string;
  code: (who: string) => string;
  login: (who: string, level: string) => string;
  viewed: (who: string) => string;
  downloaded: (who: string) => string;
  senderCreated: string;
  senderCancelled: string;
  senderExtended: string;
  completed: string;
  failed: string;
  signer: string;
};

const TEXTS: Record<DocumentLanguage, Texts> = {
  nb: {
    created: 'Signeringsoppdraget ble opprettet',
    group: (n, who) => `Gruppe ${n} kan signere: ${who}`,
    extended: 'Fristen ble forlenget',
    signed: (who) => `${who} signerte`,
    rejected: (who) => `${who} avviste oppdraget`,
    status: (who, status) => `${who}: ${status.toLowerCase().replaceAll('_', ' ')}`,
    opened: (who) => `${who} åpnet signeringslenken`,
    code: (who) => `${who} skrev inn riktig engangskode`,
    login: (who, level) => `${who} logget inn med eID på nivå ${level}`,
    viewed: (who) => `${who} åpnet dokumentene`,
    downloaded: (who) => `${who} lastet ned det signerte dokumentet`,
    senderCreated: 'Avsenderen opprettet oppdraget i avsenderportalen',
    senderCancelled: 'Avsenderen avbrøt oppdraget',
    senderExtended: 'Avsenderen forlenget fristen',
    completed: 'Alle har signert',
    failed: 'Oppdraget ble avsluttet',
    signer: 'En undertegner',
  },
  en: {
    created: 'The signature job was created',
    group: (n, who) => `Group ${n} may sign: ${who}`,
    extended: 'The deadline was extended',
    signed: (who) => `${who} signed`,
    rejected: (who) => `${who} rejected the job`,
    status: (who, status) => `${who}: ${status.toLowerCase().replaceAll('_', ' ')}`,
    opened: (who) => `${who} opened the signing link`,
    code: (who) => `${who} entered the right one-time code`,
    login: (who, level) => `${who} logged in with eID at level ${level}`,
    viewed: (who) => `${who} opened the documents`,
    downloaded: (who) => `${who} downloaded the signed document`,
    senderCreated: 'The sender created the job in the sender portal',
    senderCancelled: 'The sender cancelled the job',
    senderExtended: 'The sender extended the deadline',
    completed: 'Everyone has signed',
    failed: 'The job ended',
    signer: 'A signer',
  },
};

export function auditSummary(
  rows: AuditRow[],
  signers: AuditSigner[],
  mode: IdentifierInSignedDocuments,
  lang: DocumentLanguage,
): AuditEntry[] {
  const x = TEXTS[lang];
  const label = new Map(signers.map((s) => [s.id, maskedSignerLabel(s, mode, lang)]));
  const who = (signerId: unknown) => label.get(String(signerId)) ?? x.signer;
  const viewed = new Set<string>();
  const entries: AuditEntry[] = [];
  for (const row of rows) {
    const d = decodeAuditDetails(row.details);
    const signerId = d.signerId ?? (row.actor.startsWith('signer:') ? row.actor.slice(7) : undefined);
    const text = textOf(
      x,
      row.event,
      d,
      who(signerId),
      who,
      viewed,
      `${signerId}:${String(d.session ?? '')}`,
    );
    if (text) entries.push({ at: row.at, text });
  }
  return entries;
}

function textOf(
  x: Texts,
  event: string,
  d: Record<string, unknown>,
  person: string,
  who: (id: unknown) => string,
  viewed: Set<string>,
  viewKey: string,
): string | undefined {
  switch (event) {
    case 'JOB_CREATED':
      return x.created;
    case 'GROUP_ACTIVATED':
      return x.group(Number(d.group) + 1, ((d.signerIds as unknown[]) ?? []).map(who).join(', '));
    case 'DEADLINE_EXTENDED':
      return x.extended;
    case 'SIGNER_STATUS':
      if (d.status === 'SIGNED') return x.signed(person);
      if (d.status === 'REJECTED') return x.rejected(person);
      return x.status(person, String(d.status));
    case 'JOB_STATUS':
      return d.status === 'COMPLETED_SUCCESSFULLY' ? x.completed : x.failed;
    case 'CEREMONY_OPENED':
      return x.opened(person);
    case 'LINK_CODE_ACCEPTED':
      return x.code(person);
    case 'SIGNER_LOGGED_IN':
      return x.login(person, String(d.level ?? ''));
    case 'DOCUMENT_VIEWED':
      if (viewed.has(viewKey)) return undefined;
      viewed.add(viewKey);
      return x.viewed(person);
    case 'SIGNED_DOCUMENT_DOWNLOADED':
      return x.downloaded(person);
    case 'SENDER_PORTAL_JOB_CREATED':
      return x.senderCreated;
    case 'SENDER_PORTAL_JOB_CANCELLED':
      return x.senderCancelled;
    case 'SENDER_PORTAL_DEADLINE_EXTENDED':
      return x.senderExtended;
    // Said already by the signer's status change, or internal: activation, the browser's own
    // record of a signature, refused logins and codes (kept in the full trail for operators).
    default:
      return undefined;
  }
}
