import { describe, expect, it } from 'vitest';
import { LANGUAGES, statusText, translator } from '../../api/pages/i18n.js';
import type { JobStatus, SignerStatus } from '../../src/job/model.js';
import { JOB_OUTCOMES, jobOutcome } from '../../src/rules/outcome.js';

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

describe('outcome texts', () => {
  it('name every outcome apart in both languages', () => {
    for (const lang of LANGUAGES) {
      const t = translator(lang);
      const texts = JOB_OUTCOMES.map((o) => statusText(t, 'outcome', o));
      // Each has a text of its own (not the code itself), and no two read alike.
      for (const [i, text] of texts.entries()) expect(text).not.toBe(JOB_OUTCOMES[i]);
      expect(new Set(texts).size).toBe(JOB_OUTCOMES.length);
    }
    expect(statusText(translator('nb'), 'outcome', 'CANCELLED')).toBe('Avbrutt av avsender');
    expect(statusText(translator('en'), 'outcome', 'CANCELLED')).toBe('Cancelled by the sender');
  });
});
