/**
 * The service's signing material, loaded once per process: the PKI (seal, time-stamping
 * authority, test eID CA) and the time-stamper the packaging uses.
 */
import {
  createTimeStamper,
  HttpTimeStamper,
  loadOrCreatePki,
  type Pki,
  type TimeStamper,
} from '../signing/index.js';
import { SigningPool, type SigningPoolOptions } from './signing-pool.js';

export interface SigningContext {
  pki: Pki;
  timeStamper: TimeStamper;
  /**
   * Threads that run packaging and archive renewal off the event loop (./signing-pool.ts), with
   * this same material. Without one (tests of the steps around it) they run in the process.
   */
  pool?: SigningPool;
}

export interface SigningContextOptions {
  /** Where the PKI's keys and certificates are kept (created there on first start). */
  pkiDir: string;
  /** The API's public base URL: certificates point at `<publicUrl>/pki/crl/<ca>.crl`. */
  publicUrl: string;
  /** An outside RFC 3161 time-stamping authority instead of the built-in one. */
  tsaUrl?: string;
}

/** From the configuration: PKI_DIR, PUBLIC_URL, TSA_URL. */
export function signingOptions(c: { PKI_DIR: string; PUBLIC_URL: string; TSA_URL?: string | undefined }) {
  return { pkiDir: c.PKI_DIR, publicUrl: c.PUBLIC_URL, ...(c.TSA_URL ? { tsaUrl: c.TSA_URL } : {}) };
}

export async function createSigningContext(
  o: SigningContextOptions,
  /** Threads for the CPU-bound work: none (the default) runs it on the event loop. */
  poolOptions?: Partial<SigningPoolOptions> & { threads: number },
): Promise<SigningContext> {
  const pki = await loadOrCreatePki(o.pkiDir, { crlBaseUrl: `${o.publicUrl}/pki/crl` });
  const timeStamper = o.tsaUrl ? new HttpTimeStamper(o.tsaUrl) : createTimeStamper(pki);
  // Threads start on first use: a process that never packages (the API) never starts one.
  const pool = poolOptions && poolOptions.threads > 0 ? new SigningPool(o, poolOptions) : undefined;
  return { pki, timeStamper, ...(pool ? { pool } : {}) };
}
