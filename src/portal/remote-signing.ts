/**
 * An advanced signature at a remote signing service (SIGNING_KEYS=csc), in two requests of the
 * signer's browser:
 *
 *   begin:  the person's credential at the chosen provider (its certificate must name the
 *           logged-in person), the signer's XAdES prepared up to its signature value, and the
 *           way to the provider's approval of that digest; what the callback needs waits in
 *           `remote_signings` under a hash of the OAuth `state`, for this browser session only;
 *   finish: back from the provider, the code is exchanged and signHash called; the signature
 *           value must verify over the digest with the certificate; only then is the signature
 *           made through the one signer path (`actAsSigner`).
 *
 * Any failure is a `CscError` (or `RemoteSigningExpiredError`) and nothing is recorded but the
 * failure in the audit trail: the signer stays waiting and may try again.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/index.js';
import { approvalOutcome, type CscClient, CscError, identityNumberOf } from '../eid/csc/client.js';
import type { AuthenticatedIdentity } from '../eid/index.js';
import { actAsSigner } from '../services/signer-actions.js';
import { prepareRemoteSignerSignature, type SignerIdentity } from '../signatures/job-results.js';
import { certificatesFromPem, certificatesToPem } from '../signing/keys.js';
import type { CeremonyContext, CeremonyJob } from './ceremony.js';
import { recordCeremonyStep } from './ceremony.js';

/** Time the person has at the provider before the prepared signature is thrown away. */
const PENDING_MS = 10 * 60_000;

export class RemoteSigningExpiredError extends Error {
  constructor() {
    super('this signing at the provider is unknown, used or expired');
    this.name = 'RemoteSigningExpiredError';
  }
}

const stateHash = (state: string) => createHash('sha256').update(`remote-signing:${state}`).digest('hex');

/** The provider a signer chose by name, else the first configured. */
export function chooseProvider(remote: ReadonlyMap<string, CscClient>, name: unknown): CscClient {
  const chosen = typeof name === 'string' ? remote.get(name) : undefined;
  const client = chosen ?? remote.values().next().value;
  if (!client) throw new Error('no remote signing service is configured');
  return client;
}

const signerIdentityOf = (identity: AuthenticatedIdentity): SignerIdentity => ({
  name: identity.name,
  personalIdentificationNumber: identity.pid,
  authenticationLevel: identity.level,
  authenticatedAt: identity.authenticatedAt,
  eidProvider: identity.provider,
});

/** Prepares the signature and returns the URL of the provider's approval page. */
export async function beginRemoteSigning(
  ctx: CeremonyContext,
  job: CeremonyJob,
  identity: AuthenticatedIdentity,
  input: { client: CscClient; redirectUri: string; sessionTag: string; description: string },
): Promise<string> {
  const { db } = ctx.deps;
  try {
    const credential = await input.client.credentialOf(identity.pid);
    const signedAt = new Date();
    const prepared = await prepareRemoteSignerSignature(
      ctx.deps,
      job.jobId,
      job.signerId,
      signerIdentityOf(identity),
      credential,
      signedAt,
    );
    const state = randomBytes(24).toString('base64url');
    const approval = await input.client.approval({
      credential,
      digest: prepared.digest,
      redirectUri: input.redirectUri,
      state,
      description: input.description,
    });
    await db.deleteFrom('remote_signings').where('expires_at', '<', new Date()).execute();
    await db
      .insertInto('remote_signings')
      .values({
        state_hash: stateHash(state),
        job_id: job.jobId,
        signer_id: job.signerId,
        session_tag: input.sessionTag,
        provider: credential.provider,
        credential_id: credential.credentialId,
        certificates_pem: certificatesToPem([credential.certificate, ...credential.chain]),
        prepared_xml: prepared.xml,
        digest_hex: Buffer.from(prepared.digest).toString('hex'),
        code_verifier: approval.codeVerifier,
        signed_at: signedAt,
        expires_at: new Date(signedAt.getTime() + PENDING_MS),
      })
      .execute();
    await recordCeremonyStep(db, job, 'REMOTE_SIGNING_STARTED', ctx.origin, {
      provider: credential.provider,
      credentialId: credential.credentialId,
      digest: Buffer.from(prepared.digest).toString('hex'),
    });
    return approval.url;
  } catch (err) {
    if (err instanceof CscError) await recordFailure(ctx, job, err);
    throw err;
  }
}

/** The signing waiting for this `state` in this session: which job and signer it is for. */
export async function pendingRemoteSigning(db: Db, state: string, sessionTag: string) {
  if (state.length > 200) return undefined;
  return db
    .selectFrom('remote_signings')
    .selectAll()
    .where('state_hash', '=', stateHash(state))
    .where('session_tag', '=', sessionTag)
    .where('expires_at', '>', new Date())
    .executeTakeFirst();
}

type Pending = NonNullable<Awaited<ReturnType<typeof pendingRemoteSigning>>>;

/**
 * Back from the provider: signs through `actAsSigner` once the provider's signature checks out.
 * The pending row is used up whatever happens: a retry starts at the provider again.
 */
export async function finishRemoteSigning(
  ctx: CeremonyContext,
  job: CeremonyJob,
  identity: AuthenticatedIdentity,
  input: {
    pending: Pending;
    client: CscClient;
    query: { code?: string; error?: string };
    redirectUri: string;
  },
) {
  const { pending, client } = input;
  const used = await ctx.deps.db
    .deleteFrom('remote_signings')
    .where('state_hash', '=', pending.state_hash)
    .executeTakeFirst();
  if (used.numDeletedRows === 0n) throw new RemoteSigningExpiredError();
  const [certificate, ...chain] = certificatesFromPem(pending.certificates_pem);
  if (!certificate) throw new RemoteSigningExpiredError();
  const credential = { provider: pending.provider, credentialId: pending.credential_id, certificate, chain };
  const digest = new Uint8Array(Buffer.from(pending.digest_hex, 'hex'));
  let signatureValue: Uint8Array;
  try {
    // The certificate was matched to the person who began; the one who comes back must be them.
    if (identityNumberOf(certificate) !== identity.pid) {
      throw new CscError(
        'wrong-person',
        pending.provider,
        'the signing certificate belongs to another person',
      );
    }
    const { code } = approvalOutcome(pending.provider, input.query);
    signatureValue = await client.signDigest({
      credential,
      digest,
      code,
      codeVerifier: pending.code_verifier,
      redirectUri: input.redirectUri,
    });
  } catch (err) {
    if (err instanceof CscError) await recordFailure(ctx, job, err);
    throw err;
  }
  const signerIdentity: SignerIdentity = {
    ...signerIdentityOf(identity),
    remoteSignature: {
      provider: pending.provider,
      preparedXml: pending.prepared_xml,
      signatureValue,
      certificate: { certificate, chain },
      signedAt: pending.signed_at,
    },
  };
  const action = { type: 'sign' as const, authenticationLevel: identity.level, identity: signerIdentity };
  const target = { jobId: job.jobId, signerId: job.signerId, flow: job.flow };
  const result = await actAsSigner(ctx.deps, target, action);
  await recordCeremonyStep(ctx.deps.db, job, 'SIGNED_IN_BROWSER', ctx.origin, {
    level: identity.level,
    eidProvider: identity.provider,
    signatureType: job.signer.signatureType,
    signingProvider: pending.provider,
    credentialId: pending.credential_id,
    certificate: {
      subject: certificate.subject,
      issuer: certificate.issuer,
      serialNumber: certificate.serialNumber,
    },
  });
  return result;
}

async function recordFailure(ctx: CeremonyContext, job: CeremonyJob, err: CscError) {
  await recordCeremonyStep(ctx.deps.db, job, 'REMOTE_SIGNING_FAILED', ctx.origin, {
    provider: err.provider,
    failure: err.failure,
  });
}
