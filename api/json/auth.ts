/**
 * Authentication of sender systems, by a client TLS certificate (mutual TLS, when the API is
 * served over HTTPS with client certificates) or by `Authorization: Bearer <api key>`. The
 * certificate or key decides the organisation; a path naming another organisation is refused
 * (403) before anything is read.
 */
import { createMiddleware } from 'hono/factory';
import { senderOfApiKey } from '../../src/services/api-keys.js';
import { findOrganisation, type Sender } from '../../src/services/organisations.js';
import type { ApiDeps, AppEnv } from '../deps.js';
import { clientCertificateOf } from '../http/client-certificate.js';
import { ApiError } from '../http/errors.js';

const unauthenticated = (message: string, challenge = 'Bearer') =>
  new ApiError(401, 'UNAUTHENTICATED', message, [], { 'WWW-Authenticate': challenge });

const forbidden = (message: string) => new ApiError(403, 'FORBIDDEN', message);

export function requireSender(deps: ApiDeps) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const pathOrg = c.req.param('org');
    const certificate = clientCertificateOf(c.env?.incoming?.socket);
    const header = c.req.header('authorization');
    let sender: Sender | null;
    if (certificate.presented && certificate.trusted) {
      // A trusted enterprise certificate is the stronger proof; it decides even beside a key.
      if (!certificate.org) throw forbidden('the client certificate carries no organisation number');
      sender = await findOrganisation(deps.db, certificate.org);
      if (!sender) {
        throw forbidden('the organisation of the client certificate is not registered as a sender');
      }
    } else if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match) throw unauthenticated('the Authorization header must be: Bearer <api key>');
      sender = await senderOfApiKey(deps.db, match[1]!);
      if (!sender) throw unauthenticated('the API key is unknown or revoked', 'Bearer error="invalid_token"');
    } else {
      throw unauthenticated(
        certificate.presented
          ? 'the client certificate is not issued by a trusted CA, and no API key was given'
          : 'an API key (Authorization: Bearer <key>) or a client certificate is required',
      );
    }
    if (sender.orgNumber !== pathOrg) {
      throw forbidden('the credentials do not belong to the organisation in the path');
    }
    c.set('org', sender.orgNumber);
    c.set('sender', sender);
    await next();
  });
}
