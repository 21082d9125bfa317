/**
 * Where a signer signs one job: the pages' route and the link in the signer's notices, built in
 * one place so the two agree. Pure: safe to import from activities.
 */
export const CEREMONY_BASE = '/sign';

export const ceremonyPath = (jobId: string, signerId: string) => `${CEREMONY_BASE}/${jobId}/${signerId}`;
