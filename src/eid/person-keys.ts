/**
 * The test eID's signing keys: one key and certificate per person, issued by the test eID CA on
 * first use and kept in the `eid_test_keys` table (keyed by a hash of the identity number), so
 * every advanced signature of a person is made with the same key, in every API process, across
 * restarts. A row is replaced when its certificate nears expiry or was issued by another CA (the
 * development PKI was recreated). A real eID keeps keys on its side; this is development only.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../db/index.js';
import { type CertifiedKey, issuePersonCertificate, type Pki } from '../signing/index.js';
import {
  certificatesFromPem,
  certificatesToPem,
  privateKeyFromPem,
  privateKeyToPem,
} from '../signing/keys.js';

/** Renew a certificate this long before it expires, so no signature is made with a dying one. */
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

export const pidHash = (pid: string) => createHash('sha256').update(`pid:${pid}`).digest('hex');

export interface PersonKeyStore {
  keyOf(person: { pid: string; name: string }): Promise<CertifiedKey>;
}

export function createPersonKeyStore(db: Db, pki: Pki, now: () => Date = () => new Date()): PersonKeyStore {
  // Issuing takes a key generation and a signature: cache per process, and share one in-flight
  // issuance between simultaneous callers.
  const cache = new Map<string, Promise<CertifiedKey>>();

  const usable = (key: CertifiedKey) =>
    key.certificate.notAfter.getTime() - RENEW_BEFORE_MS > now().getTime() &&
    pki.eidCa !== undefined &&
    key.chain[0]?.equal(pki.eidCa.certificate) === true;

  /** The stored key: `missing` without a row, `stale` when its row must be replaced. */
  async function load(hash: string): Promise<CertifiedKey | 'missing' | 'stale'> {
    const row = await db
      .selectFrom('eid_test_keys')
      .select(['certificate_pem', 'private_key_pem'])
      .where('pid_hash', '=', hash)
      .executeTakeFirst();
    if (!row) return 'missing';
    const [certificate, ...chain] = certificatesFromPem(row.certificate_pem);
    if (!certificate) return 'stale';
    const key = { certificate, chain, privateKey: await privateKeyFromPem(row.private_key_pem, certificate) };
    return usable(key) ? key : 'stale';
  }

  async function issueAndStore(hash: string, person: { pid: string; name: string }, replace: boolean) {
    const issued = await issuePersonCertificate(
      pki,
      { name: person.name, nationalIdentityNumber: person.pid },
      { now: now() },
    );
    const values = {
      certificate_pem: certificatesToPem([issued.certificate, ...issued.chain]),
      private_key_pem: await privateKeyToPem(issued.privateKey),
      not_after: issued.certificate.notAfter,
    };
    // A new person: of two processes issuing at once the first insert wins and both use its key.
    await db
      .insertInto('eid_test_keys')
      .values({ pid_hash: hash, ...values })
      .onConflict((oc) =>
        replace ? oc.column('pid_hash').doUpdateSet(values) : oc.column('pid_hash').doNothing(),
      )
      .execute();
    const stored = await load(hash);
    return typeof stored === 'string' ? issued : stored;
  }

  async function fetchOrIssue(hash: string, person: { pid: string; name: string }): Promise<CertifiedKey> {
    const stored = await load(hash);
    return typeof stored === 'string' ? issueAndStore(hash, person, stored === 'stale') : stored;
  }

  async function keyOf(person: { pid: string; name: string }): Promise<CertifiedKey> {
    const hash = pidHash(person.pid);
    const cached = cache.get(hash);
    if (cached) {
      const key = await cached;
      if (usable(key)) return key;
    }
    const pending = fetchOrIssue(hash, person);
    cache.set(hash, pending);
    try {
      return await pending;
    } catch (err) {
      cache.delete(hash);
      throw err;
    }
  }

  return { keyOf };
}
