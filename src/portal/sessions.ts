/**
 * Server-side browser sessions of the ceremony and the portals. The cookie holds 32 random bytes;
 * the table holds their SHA-256, the CSRF token, the eID identity once logged in, and the signers
 * this browser was given access to by a direct-flow redirect URL or a link with a one-time code.
 * A login replaces the session id (no fixation) and carries the grants over.
 */
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import type { AuthenticatedIdentity } from '../eid/index.js';
import type { AuthenticationLevel } from '../job/model.js';

/** Idle lifetime: a session not used for this long is gone. */
export const SESSION_IDLE_MS = 30 * 60 * 1000;

/** How a browser came to act for a signer who is not matched by identity number. */
export interface SessionGrant {
  jobId: string;
  signerId: string;
  via: 'DIRECT' | 'LINK';
}

export interface PortalSession {
  tokenHash: string;
  csrfToken: string;
  identity: AuthenticatedIdentity | null;
  grants: SessionGrant[];
  /** The provider's id_token of this login, for logging out of the provider too. */
  idToken?: string;
  expiresAt: Date;
}

/** What the `login` column keeps of an OpenID Connect login. */
interface StoredLogin {
  acr?: string;
  amr?: string[];
  sid?: string;
  idToken?: string;
}

const hash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');
const newSecret = () => randomBytes(32).toString('base64url');
const expiry = () => new Date(Date.now() + SESSION_IDLE_MS);

export async function createSession(
  db: Db,
  grants: SessionGrant[] = [],
): Promise<{ token: string; session: PortalSession }> {
  const token = newSecret();
  const session: PortalSession = {
    tokenHash: hash(token),
    csrfToken: newSecret(),
    identity: null,
    grants,
    expiresAt: expiry(),
  };
  await db
    .insertInto('portal_sessions')
    .values({
      token_hash: session.tokenHash,
      csrf_token: session.csrfToken,
      grants: JSON.stringify(grants),
      expires_at: session.expiresAt,
    })
    .execute();
  return { token, session };
}

/** The live session of a cookie value, its idle expiry pushed on; null when unknown or expired. */
export async function touchSession(db: Db, token: string): Promise<PortalSession | null> {
  if (token.length > 64) return null;
  const row = await db
    .updateTable('portal_sessions')
    .set({ expires_at: expiry() })
    .where('token_hash', '=', hash(token))
    .where('expires_at', '>', sql<Date>`now()`)
    .returningAll()
    .executeTakeFirst();
  if (!row) return null;
  const login = (typeof row.login === 'string' ? JSON.parse(row.login) : (row.login ?? {})) as StoredLogin;
  const identity: AuthenticatedIdentity | null =
    row.pid && row.name && row.auth_level && row.authenticated_at && row.eid_provider
      ? {
          pid: row.pid,
          name: row.name,
          level: row.auth_level as AuthenticationLevel,
          authenticatedAt: row.authenticated_at,
          provider: row.eid_provider,
          ...(login.acr ? { acr: login.acr } : {}),
          ...(login.amr ? { amr: login.amr } : {}),
          ...(login.sid ? { sid: login.sid } : {}),
        }
      : null;
  return {
    tokenHash: row.token_hash,
    csrfToken: row.csrf_token,
    identity,
    grants: (typeof row.grants === 'string' ? JSON.parse(row.grants) : row.grants) as SessionGrant[],
    ...(login.idToken ? { idToken: login.idToken } : {}),
    expiresAt: row.expires_at,
  };
}

/**
 * After a successful eID login: a new session id with the identity, keeping the grants. The first
 * session row of a browser that had none is written here, never before a login is done.
 */
export async function logInSession(
  db: Db,
  previous: PortalSession | null,
  identity: AuthenticatedIdentity,
  idToken?: string,
): Promise<{ token: string; session: PortalSession }> {
  const token = newSecret();
  const session: PortalSession = {
    tokenHash: hash(token),
    csrfToken: newSecret(),
    identity,
    grants: previous?.grants ?? [],
    ...(idToken ? { idToken } : {}),
    expiresAt: expiry(),
  };
  const login: StoredLogin = {
    ...(identity.acr ? { acr: identity.acr } : {}),
    ...(identity.amr ? { amr: identity.amr } : {}),
    ...(identity.sid ? { sid: identity.sid } : {}),
    ...(idToken ? { idToken } : {}),
  };
  await db.transaction().execute(async (tx) => {
    if (previous)
      await tx.deleteFrom('portal_sessions').where('token_hash', '=', previous.tokenHash).execute();
    await tx
      .insertInto('portal_sessions')
      .values({
        token_hash: session.tokenHash,
        csrf_token: session.csrfToken,
        pid: identity.pid,
        name: identity.name,
        auth_level: identity.level,
        authenticated_at: identity.authenticatedAt,
        eid_provider: identity.provider,
        login: JSON.stringify(login),
        grants: JSON.stringify(session.grants),
        expires_at: session.expiresAt,
      })
      .execute();
  });
  return { token, session };
}

/** Lets this browser act for one more signer (kept once per signer). */
export async function addGrant(db: Db, session: PortalSession, grant: SessionGrant): Promise<void> {
  if (session.grants.some((g) => g.jobId === grant.jobId && g.signerId === grant.signerId)) return;
  session.grants = [...session.grants, grant];
  await db
    .updateTable('portal_sessions')
    .set({ grants: JSON.stringify(session.grants) })
    .where('token_hash', '=', session.tokenHash)
    .execute();
}

export async function endSession(db: Db, session: PortalSession): Promise<void> {
  await db.deleteFrom('portal_sessions').where('token_hash', '=', session.tokenHash).execute();
}

/** Housekeeping for a periodic job: removes expired sessions, returns how many. */
export async function purgeExpiredSessions(db: Db): Promise<number> {
  const result = await db
    .deleteFrom('portal_sessions')
    .where('expires_at', '<=', sql<Date>`now()`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
