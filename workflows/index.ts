// The workflow bundle's entry: every workflow type the worker serves.
export { archiveRenewal } from './archive-renewal.js';
export { retentionSweep } from './retention-sweep.js';
export { signatureJob } from './signature-job.js';
