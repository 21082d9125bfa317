import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * The client's address as the audit trail should record it. Behind reverse proxies (the nginx of
 * docker-compose.yml) the socket's peer is the last proxy; each proxy we run appends the address
 * it received from to X-Forwarded-For. So with `trustedHops` proxies in front, the client is that
 * many entries from the right: entries further left were written by the client and prove nothing.
 */
export function clientAddress(
  socketAddress: string,
  forwardedFor: string | undefined,
  trustedHops: number,
): string {
  if (trustedHops <= 0 || !forwardedFor) return socketAddress;
  const chain = forwardedFor
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a.length > 0);
  if (chain.length === 0) return socketAddress;
  return chain[Math.max(0, chain.length - trustedHops)]!;
}

/** The client address of a request served by @hono/node-server ('' under `app.request()`). */
export function requestClientAddress(c: Context, trustedHops: number): string {
  let socket = '';
  try {
    socket = getConnInfo(c).remote.address ?? '';
  } catch {
    // not served by @hono/node-server (app.request in tests)
  }
  return clientAddress(socket, c.req.header('x-forwarded-for'), trustedHops);
}
