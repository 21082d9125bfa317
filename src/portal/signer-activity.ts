/**
 * What the sender sees of each signer beside the status (issue 16): when they were notified,
 * first viewed the documents, signed or rejected, and their name once known (from their eID when
 * they signed). Read from the notices and the audit trail; no workflow call.
 */
import type { Db } from '../db/index.js';
import { signerActor } from './audit.js';

export interface SignerActivity {
  /** As the eID gave it when they signed; null before. */
  name: string | null;
  notifiedAt: Date | null;
  viewedAt: Date | null;
  signedAt: Date | null;
}

export async function signerActivity(db: Db, jobId: string): Promise<Map<string, SignerActivity>> {
  const [signers, notices, views] = await Promise.all([
    db.selectFrom('signers').select(['id', 'name', 'signed_at']).where('job_id', '=', jobId).execute(),
    db
      .selectFrom('notices')
      .select(['signer_id', (eb) => eb.fn.min('sent_at').as('at')])
      .where('job_id', '=', jobId)
      .groupBy('signer_id')
      .execute(),
    db
      .selectFrom('audit_events')
      .select(['actor', (eb) => eb.fn.min('at').as('at')])
      .where('job_id', '=', jobId)
      .where('event', '=', 'DOCUMENT_VIEWED')
      .groupBy('actor')
      .execute(),
  ]);
  const date = (v: unknown) => (v ? new Date(v as string | Date) : null);
  return new Map(
    signers.map((s) => [
      s.id,
      {
        name: s.name,
        notifiedAt: date(notices.find((n) => n.signer_id === s.id)?.at),
        viewedAt: date(views.find((v) => v.actor === signerActor(s.id))?.at),
        signedAt: s.signed_at,
      },
    ]),
  );
}
