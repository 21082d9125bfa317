// The workflow bundle's entry: every workflow type the worker serves.
export { signatureJob } from './signature-job.js';
