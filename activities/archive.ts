/**
 * Activities of the long-term archive's daily run (workflows/archive-renewal.ts). The workflow
 * passes its own time as `now`, so what is due is decided on workflow time.
 */
import { log } from '@temporalio/activity';
import {
  type ArchiveDeps,
  billStorageYears,
  deleteArchivedJob,
  dueArchives,
  expiredArchives,
  type RenewalOutcome,
  renewArchive,
  withinRenewalMargin,
} from '../src/archive/index.js';
import type { PriceTable } from '../src/billing/index.js';

export function createArchiveActivities(deps: ArchiveDeps & { prices: PriceTable }) {
  return {
    async dueArchives(args: { now: string; limit: number }): Promise<string[]> {
      const now = new Date(args.now);
      const tsaEnd = deps.signing.pki.tsa?.certificate.notAfter;
      if (withinRenewalMargin(tsaEnd, now) || withinRenewalMargin(deps.policy.algorithmSunset, now)) {
        // New time-stamps from this authority or with these algorithms would not last: the
        // operator must configure a new time-stamping authority (or algorithms) now.
        log.warn('archive renewals need a new time-stamping certificate or algorithms', {
          tsaCertificateNotAfter: tsaEnd?.toISOString(),
          algorithmSunset: deps.policy.algorithmSunset?.toISOString(),
        });
      }
      return dueArchives(deps.db, now, args.limit);
    },
    async renewArchive(args: { jobId: string; now: string }): Promise<RenewalOutcome> {
      return renewArchive(deps, args.jobId, new Date(args.now));
    },
    async expiredArchives(args: { now: string; limit: number }): Promise<string[]> {
      return expiredArchives(deps.db, new Date(args.now), args.limit);
    },
    /** Deletes an archived job whose 50 years are over. */
    async deleteArchivedJob(args: { jobId: string; now: string }): Promise<boolean> {
      return deleteArchivedJob(deps, args.jobId, new Date(args.now));
    },
    async billStorageYears(args: { now: string }): Promise<number> {
      return billStorageYears(deps, new Date(args.now));
    },
  };
}
