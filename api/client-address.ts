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
