/**
 * The retention sweep's activities (workflows/retention-sweep.ts): which jobs are due, and the
 * deletion of one job's documents. Every date comes from the sweep's workflow time.
 */

import { deleteEndedJobDocuments } from '../src/archive/ended-job-documents.js';
import type { Db } from '../src/db/index.js';
import { jobsPastRetention, jobsToWarnOfDeletion, jobsWithOpenMailboxOffers } from '../src/db/retention.js';
import {
  DOCUMENTS_EXPIRE_NOTICE_KEY,
  DOCUMENTS_EXPIRY_WARNING_BEFORE_MS,
} from '../src/notifications/sender-notice-rules.js';
import type { DocumentStore } from '../src/storage/index.js';

export function createRetentionActivities(deps: { db: Db; storage: DocumentStore }) {
  const { db } = deps;
  return {
    /** Ended jobs whose retention deadline has passed and whose documents are still there. */
    async jobsPastRetention(args: { now: string; limit: number }): Promise<string[]> {
      return jobsPastRetention(db, new Date(args.now), args.limit);
    },

    /** Deletes one such job's documents; false when there was nothing (left) to delete. */
    async deleteRetainedDocuments(args: { jobId: string; now: string }): Promise<boolean> {
      return deleteEndedJobDocuments(deps, args.jobId, new Date(args.now), 'retention');
    },

    /** Jobs whose documents go within 4 days and whose sender has not been warned yet. */
    async jobsToWarnOfDeletion(args: { now: string; limit: number }) {
      const now = new Date(args.now);
      const until = new Date(now.getTime() + DOCUMENTS_EXPIRY_WARNING_BEFORE_MS);
      const due = await jobsToWarnOfDeletion(
        db,
        now,
        until,
        `sender:${DOCUMENTS_EXPIRE_NOTICE_KEY}`,
        args.limit,
      );
      return due.map((d) => ({ jobId: d.jobId, retentionUntil: d.retentionUntil.toISOString() }));
    },

    /** Jobs with a mailbox offer still open (or past its end, not yet settled). */
    async jobsWithOpenMailboxOffers(args: { limit: number }): Promise<string[]> {
      return jobsWithOpenMailboxOffers(db, args.limit);
    },
  };
}
