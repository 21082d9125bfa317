import { describe, expect, it } from 'vitest';
import type { JobStatus, SignerStatus } from '../../src/job/model.js';
import { jobOutcome } from '../../src/rules/outcome.js';

const job = (status: JobStatus, ...signers: SignerStatus[]) => ({
  status,
  signers: signers.map((s) => ({ status: s })),
});

describe('jobOutcome', () => {
  it('names a running and a completed job as such', () => {
    expect(jobOutcome(job('IN_PROGRESS', 'SIGNED', 'WAITING'))).toBe('IN_PROGRESS');
    expect(jobOutcome(job('COMPLETED_SUCCESSFULLY', 'SIGNED', 'SIGNED'))).toBe('COMPLETED');
  });

  it('names each failed end apart by the signer status that ended it', () => {
    expect(jobOutcome(job('FAILED', 'SIGNED', 'REJECTED', 'NOT_APPLICABLE'))).toBe('REJECTED');
    expect(jobOutcome(job('FAILED', 'SIGNED', 'CANCELLED', 'CANCELLED'))).toBe('CANCELLED');
    expect(jobOutcome(job('FAILED', 'EXPIRED', 'NOT_APPLICABLE'))).toBe('EXPIRED');
    expect(jobOutcome(job('FAILED', 'NOT_APPLICABLE', 'RESERVED'))).toBe('RESERVED');
    expect(jobOutcome(job('FAILED', 'CONTACT_INFORMATION_MISSING'))).toBe('CONTACT_INFORMATION_MISSING');
  });

  it('calls any other failure FAILED: a failed ceremony, old blocked codes, failed packaging', () => {
    expect(jobOutcome(job('FAILED', 'FAILED', 'NOT_APPLICABLE'))).toBe('FAILED');
    expect(jobOutcome(job('FAILED', 'BLOCKED'))).toBe('FAILED');
    expect(jobOutcome(job('FAILED', 'SIGNED', 'SIGNED'))).toBe('FAILED');
  });

  it('does not take a signer status for the outcome while the job runs or after it completed', () => {
    expect(jobOutcome(job('IN_PROGRESS', 'REJECTED'))).toBe('IN_PROGRESS');
    expect(jobOutcome(job('COMPLETED_SUCCESSFULLY', 'SIGNED', 'NOT_APPLICABLE'))).toBe('COMPLETED');
  });
});
