/**
 * The callback URL is the sender's to choose, so without a guard it could point the service at
 * its own network (SSRF): the metadata endpoint, the database, an admin port. Every address the
 * host resolves to must be public; loopback and private ranges are refused unless configuration
 * allows them (development and tests call back to loopback).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { permanentFailure } from '../failures.js';

/** Which non-public targets are allowed: none (production), loopback only, or all. */
export const PRIVATE_TARGET_POLICIES = ['none', 'loopback', 'all'] as const;
export type PrivateTargetPolicy = (typeof PRIVATE_TARGET_POLICIES)[number];

export type AddressClass = 'public' | 'loopback' | 'private';

export type LookupAll = (hostname: string) => Promise<LookupAddress[]>;

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

// Everything that is not a routable public unicast address. IPv4-mapped IPv6 addresses
// (::ffff:10.0.0.1) are matched against the IPv4 ranges by BlockList itself.
const nonPublic = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  nonPublic.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['64:ff9b::', 96], // NAT64: reaches IPv4 space, private ranges included
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (ULA)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  nonPublic.addSubnet(net, prefix, 'ipv6');
}

export function addressClass(address: string): AddressClass {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (loopback.check(address, family)) return 'loopback';
  if (nonPublic.check(address, family)) return 'private';
  return 'public';
}

function allowed(cls: AddressClass, policy: PrivateTargetPolicy): boolean {
  return cls === 'public' || policy === 'all' || (policy === 'loopback' && cls === 'loopback');
}

const systemLookup: LookupAll = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) =>
      err ? reject(err) : resolve(addresses),
    ),
  );

/**
 * Resolves the URL's host and returns its addresses when every one is allowed. Throws the
 * non-retryable `CallbackTargetRefused` otherwise (one bad address is enough: a resolver may
 * hand out any of them). DNS failures are thrown as they are, to be retried.
 */
export async function resolveCallbackTarget(
  url: URL,
  policy: PrivateTargetPolicy,
  lookupAll: LookupAll = systemLookup,
): Promise<LookupAddress[]> {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw permanentFailure('CallbackTargetRefused', 'the callback URL must be http or https');
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const addresses = await lookupAll(hostname);
  if (addresses.length === 0) throw new Error('the callback host has no addresses');
  const refused = addresses.map((a) => addressClass(a.address)).find((cls) => !allowed(cls, policy));
  if (refused) {
    throw permanentFailure(
      'CallbackTargetRefused',
      `the callback URL resolves to a ${refused} address, which is not allowed as a callback target`,
    );
  }
  return addresses;
}

/** How long a job's creation waits for the callback host's addresses before letting it through. */
export const CREATION_LOOKUP_TIMEOUT_MS = 3_000;

/**
 * Why the callback URL is refused, checked when the job is created with the very guard delivery
 * uses, so the sender learns at once instead of from a delivery log that never succeeds; undefined
 * when allowed. A name that does not resolve, or not in time, is let through: it may resolve by
 * the time of the first status change, and every delivery attempt is guarded again.
 */
export async function callbackTargetRefusal(
  url: string,
  policy: PrivateTargetPolicy,
  lookupAll: LookupAll = systemLookup,
  timeoutMs = CREATION_LOOKUP_TIMEOUT_MS,
): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<'slow'>((resolve) => {
    timer = setTimeout(() => resolve('slow'), timeoutMs);
  });
  try {
    await Promise.race([resolveCallbackTarget(new URL(url), policy, lookupAll), slow]);
    return undefined;
  } catch (err) {
    const refused = err instanceof ApplicationFailure && err.type === 'CallbackTargetRefused';
    return refused ? err.message : undefined;
  } finally {
    clearTimeout(timer);
  }
}
