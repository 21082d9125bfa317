/**
 * The results of a job: each signer's XAdES, made when they sign, and the job's sealed PAdES, made
 * when all have signed. Both are built by the signing library (src/signing) from the rows in
 * PostgreSQL and the bytes in the document store; this module is the bridge.
 */

import { createHash } from 'node:crypto';
import { auditTrail } from '../db/audit.js';
import type { Db } from '../db/index.js';
import { storedJobRequest } from '../db/job-reads.js';
import { jobForPackaging } from '../db/jobs.js';
import { clearSignerIdentity, recordSignerIdentity, signerForStatement, signerRows } from '../db/signers.js';
import type { AuthenticationLevel, IdentifierInSignedDocuments, SignatureType } from '../job/model.js';
import {
  type CertifiedKey,
  completeRemoteSignerXades,
  createSignerXades,
  DocumentUnprocessableError,
  issuePersonCertificate,
  PackagingInputError,
  packageJob,
  prepareRemoteSignerXades,
  type RemoteSigningCertificate,
  type XadesKey,
} from '../signing/index.js';
import { artifactKey, type DocumentStore, documentKey } from '../storage/index.js';
import { auditSummary } from './audit-summary.js';
import type { SigningContext } from './context.js';
import type { PoolPackagingInput } from './signing-pool.js';

/** Who signed, as their eID login established it. */
export interface SignerIdentity {
  name: string;
  /** The identity number the eID vouched for (absent for signers addressed by custom identifier). */
  personalIdentificationNumber?: string;
  authenticationLevel: AuthenticationLevel;
  authenticatedAt: Date;
  /** e.g. "ID-porten (test)", "BankID (test)". */
  eidProvider: string;
  /** The person's own key and certificate from their eID (advanced signatures). */
  personalKey?: CertifiedKey;
  /** An advanced signature a remote signing service made (SIGNING_KEYS=csc). */
  remoteSignature?: RemoteSignature;
}

/** A job's results cannot be made from its inputs (retrying will not help). */
export class ResultsUnprocessableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultsUnprocessableError';
  }
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();

/** Where a job's rows and bytes are. */
export interface ResultStores {
  db: Db;
  storage: DocumentStore;
}

/**
 * An advanced signature made at a remote signing service: the XAdES prepared before the person's
 * approval (`prepareRemoteSignerSignature`), the signature value the service returned (checked
 * against the digest and certificate by the CSC client), and the time the XAdES names.
 */
export interface RemoteSignature {
  /** The service's name, as the price list knows it (BankID, Buypass). */
  provider: string;
  preparedXml: string;
  signatureValue: Uint8Array;
  certificate: RemoteSigningCertificate;
  signedAt: Date;
}

/** The statement a signer's XAdES signs: the job's documents and who signs, as the rows say. */
async function xadesStatement(
  db: Db,
  jobId: string,
  signerId: string,
  identity: SignerIdentity,
  signedAt: Date,
) {
  const signer = await signerForStatement(db, jobId, signerId);
  const documents = await db
    .selectFrom('documents')
    .select(['title', 'file_name', 'mime_type', 'sha256'])
    .where('job_id', '=', jobId)
    .orderBy('position')
    .execute();
  const signatureType = signer.signature_type as SignatureType;
  const pid = identity.personalIdentificationNumber ?? signer.personal_identification_number ?? undefined;
  if (signatureType === 'ADVANCED_SIGNATURE' && !pid)
    throw new ResultsUnprocessableError('an advanced signature needs the identity number of the signer');
  return {
    jobId,
    documents: documents.map((d) => ({
      title: d.title,
      fileName: d.file_name,
      mimeType: d.mime_type,
      sha256: Buffer.from(d.sha256, 'hex'),
    })),
    signer: {
      name: identity.name,
      ...(pid ? { personalIdentificationNumber: pid } : {}),
      ...(signer.custom_identifier ? { customIdentifier: signer.custom_identifier } : {}),
      signatureType,
      authenticationLevel: identity.authenticationLevel,
      authenticatedAt: identity.authenticatedAt,
      signedAt,
      eidProvider: identity.eidProvider,
    },
  };
}

/**
 * The first half of an advanced signature at a remote signing service: the signer's XAdES up to
 * its signature value, and the digest the person is to approve and the service to sign.
 */
export async function prepareRemoteSignerSignature(
  deps: { db: Db; signing: SigningContext },
  jobId: string,
  signerId: string,
  identity: SignerIdentity,
  remote: RemoteSigningCertificate,
  signedAt: Date,
): Promise<{ xml: string; digest: Uint8Array }> {
  const statement = await xadesStatement(deps.db, jobId, signerId, identity, signedAt);
  if (statement.signer.signatureType !== 'ADVANCED_SIGNATURE') {
    throw new ResultsUnprocessableError('only advanced signatures are made at a remote signing service');
  }
  return prepareRemoteSignerXades({ ...statement, pki: deps.signing.pki, remote });
}

/**
 * Makes and stores the signer's XAdES over the job's documents. Authenticated signatures are
 * sealed by the service over the authentication facts; advanced ones are made with a key and
 * certificate the (test) eID issues to the person, or completed from the signature value a
 * remote signing service returned (`identity.remoteSignature`). Returns the stored XAdES.
 */
export async function createSignerSignature(
  deps: ResultStores & { signing: SigningContext },
  jobId: string,
  signerId: string,
  identity: SignerIdentity,
  now = new Date(),
): Promise<Uint8Array> {
  const { db, signing } = deps;
  const remote = identity.remoteSignature;
  const signedAt = remote?.signedAt ?? now;
  const statement = await xadesStatement(db, jobId, signerId, identity, signedAt);
  let xades: Uint8Array;
  if (remote) {
    if (statement.signer.signatureType !== 'ADVANCED_SIGNATURE') {
      throw new ResultsUnprocessableError('a remote signature is only for an advanced signature');
    }
    xades = await completeRemoteSignerXades({
      xml: remote.preparedXml,
      signatureValue: remote.signatureValue,
      remote: remote.certificate,
      pki: signing.pki,
      timeStamper: signing.timeStamper,
    });
  } else {
    let key: XadesKey = { kind: 'service' };
    if (statement.signer.signatureType === 'ADVANCED_SIGNATURE') {
      const personal = await issuePersonCertificate(signing.pki, {
        name: identity.name,
        nationalIdentityNumber: statement.signer.personalIdentificationNumber!,
      });
      key = {
        kind: 'personal',
        privateKey: personal.privateKey,
        certificate: personal.certificate,
        chain: personal.chain,
      };
    }
    xades = await createSignerXades({
      ...statement,
      key,
      pki: signing.pki,
      timeStamper: signing.timeStamper,
    });
  }
  const digest = sha256(xades).toString('hex');
  const storeKey = artifactKey({ jobId, kind: 'XADES', signerId, sha256: digest });
  // Bytes first, row second: no row ever names bytes that are not in the store.
  await deps.storage.put(storeKey, xades);
  await db.transaction().execute(async (tx) => {
    // One XAdES per signer: a repeated call (a retried request) keeps the first.
    await tx
      .insertInto('artifacts')
      .values({ job_id: jobId, signer_id: signerId, kind: 'XADES', sha256: digest })
      .onConflict((oc) => oc.columns(['job_id', 'signer_id', 'kind']).doNothing())
      .execute();
    await recordSignerIdentity(tx, signerId, {
      name: identity.name,
      signedAt,
      authenticatedAt: identity.authenticatedAt,
      authenticationLevel: identity.authenticationLevel,
      eidProvider: identity.eidProvider,
      signingProvider: remote?.provider ?? null,
    });
  });
  const stored = await db
    .selectFrom('artifacts')
    .select('sha256')
    .where('job_id', '=', jobId)
    .where('signer_id', '=', signerId)
    .where('kind', '=', 'XADES')
    .executeTakeFirstOrThrow();
  if (stored.sha256 === digest) return xades;
  // An earlier or concurrent call stored its XAdES first: that one counts, and ours goes again.
  await deps.storage.delete(storeKey);
  const kept = await deps.storage.get(
    artifactKey({ jobId, kind: 'XADES', signerId, sha256: stored.sha256 }),
    stored.sha256,
  );
  if (!kept)
    throw new Error(`the stored XAdES of signer ${signerId} of job ${jobId} is not in the document store`);
  return kept;
}

/** Undoes `createSignerSignature` when the workflow refused the signature after all. */
export async function discardSignerSignature(
  deps: ResultStores,
  jobId: string,
  signerId: string,
): Promise<void> {
  const discarded = await deps.db.transaction().execute(async (tx) => {
    const row = await tx
      .deleteFrom('artifacts')
      .where('job_id', '=', jobId)
      .where('signer_id', '=', signerId)
      .where('kind', '=', 'XADES')
      .returning('sha256')
      .executeTakeFirst();
    await clearSignerIdentity(tx, signerId);
    return row;
  });
  // After the commit: bytes left by a crash just before this are removed with the job's files.
  if (discarded) {
    await deps.storage.delete(artifactKey({ jobId, kind: 'XADES', signerId, sha256: discarded.sha256 }));
  }
}

/** Builds the sealed PAdES of a completed job from its stored documents and signatures. */
export interface BuiltJobPades {
  pdf: Uint8Array;
  /** The job's documents whose PDF/A claim was not kept, and why (see recordPdfAOutcome). */
  pdfANotKept: { documentId: string; problems: string[] }[];
}

export async function buildJobPades(
  deps: ResultStores & { signing: SigningContext },
  jobId: string,
): Promise<BuiltJobPades> {
  const { db, signing } = deps;
  const job = await jobForPackaging(db, jobId);
  const request = storedJobRequest(job.request);
  const [documentRows, signers, xadesRows, audit] = await Promise.all([
    db.selectFrom('documents').selectAll().where('job_id', '=', jobId).orderBy('position').execute(),
    signerRows(db, jobId),
    db
      .selectFrom('artifacts')
      .select(['signer_id', 'sha256'])
      .where('job_id', '=', jobId)
      .where('kind', '=', 'XADES')
      .execute(),
    auditTrail(db, jobId),
  ]);
  if (documentRows.some((d) => d.deleted_at !== null))
    throw new ResultsUnprocessableError('the documents have been deleted');
  const documents = await Promise.all(
    documentRows.map(async (d) => ({
      ...d,
      bytes: await mustGet(deps.storage, documentKey(jobId, d.id), d.sha256),
    })),
  );
  const xadesBySigner = new Map(
    await Promise.all(
      xadesRows.map(
        async (x) =>
          [
            x.signer_id,
            await mustGet(
              deps.storage,
              artifactKey({ jobId, kind: 'XADES', signerId: x.signer_id, sha256: x.sha256 }),
              x.sha256,
            ),
          ] as const,
      ),
    ),
  );
  const mode = (request.identifierInSignedDocuments ??
    'PERSONAL_IDENTIFICATION_NUMBER_AND_NAME') as IdentifierInSignedDocuments;
  const language = request.notificationLanguage === 'EN' ? 'en' : 'nb';
  const named = signers.map((s) => ({
    id: s.id,
    name: s.name ?? s.personal_identification_number ?? s.custom_identifier ?? s.email ?? 'Signer',
    ...(s.personal_identification_number
      ? { personalIdentificationNumber: s.personal_identification_number }
      : {}),
  }));
  try {
    const input: PoolPackagingInput = {
      job: {
        jobId,
        title: job.title,
        ...(job.reference ? { reference: job.reference } : {}),
        senderName: job.name,
        senderOrg: job.org_number,
        identifierInSignedDocuments: mode,
        language,
      },
      documents: documents.map((d) => ({
        title: d.title,
        fileName: d.file_name,
        mimeType: d.mime_type,
        bytes: d.bytes,
      })),
      signers: signers.map((s) => {
        const x = xadesBySigner.get(s.id);
        if (!x || !s.signed_at) throw new ResultsUnprocessableError(`signer ${s.id} has no stored signature`);
        return {
          name: s.name ?? s.personal_identification_number ?? s.custom_identifier ?? s.email ?? 'Signer',
          ...(s.personal_identification_number
            ? { personalIdentificationNumber: s.personal_identification_number }
            : {}),
          ...(s.custom_identifier ? { customIdentifier: s.custom_identifier } : {}),
          signatureType: s.signature_type as SignatureType,
          authenticationLevel: (s.authentication_level ?? 4) as AuthenticationLevel,
          signedAt: s.signed_at,
          ...(s.signing_provider ? { signingProvider: s.signing_provider } : {}),
          xades: x,
        };
      }),
      audit: auditSummary(audit, named, mode, language),
    };
    // Off the event loop when the process has a signing pool (the worker does), else in it.
    const packaged = signing.pool
      ? await signing.pool.packageJob(input)
      : await packageJob({ ...input, pki: signing.pki, timeStamper: signing.timeStamper });
    return {
      pdf: packaged.pdf,
      pdfANotKept: documents.flatMap((d, i) => {
        const problems = packaged.documentPdfAProblems[i] ?? [];
        return problems.length > 0 ? [{ documentId: d.id, problems }] : [];
      }),
    };
  } catch (err) {
    if (err instanceof DocumentUnprocessableError || err instanceof PackagingInputError) {
      throw new ResultsUnprocessableError(err.message);
    }
    throw err;
  }
}

/**
 * Bytes a row says exist. Missing ones are an operational fault (a store restored from an older
 * backup, a file removed by hand), not a fault of the job: the error is retried, not final.
 */
async function mustGet(storage: DocumentStore, key: string, sha256: string): Promise<Buffer> {
  const bytes = await storage.get(key, sha256);
  if (!bytes) throw new Error(`${key} is recorded in the database but not in the document store`);
  return bytes;
}

/**
 * Records on each document of the job whether packaging kept its PDF/A claim: the reasons for
 * those it did not keep, null for the others. Same inputs, same outcome: safe on a retry.
 */
export async function recordPdfAOutcome(db: Db, jobId: string, notKept: BuiltJobPades['pdfANotKept']) {
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('documents').set({ pdfa_not_kept: null }).where('job_id', '=', jobId).execute();
    for (const d of notKept) {
      await tx
        .updateTable('documents')
        .set({ pdfa_not_kept: JSON.stringify(d.problems) })
        .where('job_id', '=', jobId)
        .where('id', '=', d.documentId)
        .execute();
    }
  });
}

/** The SHA-256 of the job's stored PAdES, if one is stored. */
export async function storedPadesHash(db: Db, jobId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('artifacts')
    .select('sha256')
    .where('job_id', '=', jobId)
    .where('signer_id', '=', '')
    .where('kind', '=', 'PADES')
    .executeTakeFirst();
  return row?.sha256;
}
