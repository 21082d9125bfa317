/**
 * The words an operator reads in the Temporal UI: what a job waits for and until when (the
 * workflow's status query, from nextStep), and why it ended (its result or failure). Each variant.
 */
import { describe, expect, it } from 'vitest';
import type { SignerStatus } from '../../src/job/model.js';
import { type NextStepInput, type NextStepSigner, nextStepInWords } from '../../src/rules/next-step.js';
import { outcomeCause } from '../../src/rules/outcome.js';
import { nextStepJob, nextStepSigner } from '../helpers/next-step-input.js';

const signer = (over: Partial<NextStepSigner> & { id: string }) =>
  nextStepSigner({ notified: true, ...over });
const job = (over: Partial<NextStepInput>) =>
  nextStepJob({ activeOrder: 1, deadline: new Date('2027-01-21T11:00:00Z'), ...over });

describe('what the job waits for, in words', () => {
  it('names the waiting signers of the active group, the group, and the deadline in Oslo time', () => {
    const words = nextStepInWords(
      job({
        signers: [
          signer({ id: 'a', number: 1, order: 0, status: 'SIGNED' }),
          signer({ id: 'b', number: 2, order: 1 }),
          signer({ id: 'c', number: 3, order: 1, name: 'Kari Nordmann' }),
          signer({ id: 'd', number: 4, order: 2 }),
        ],
      }),
    );
    expect(words).toBe(
      'Waiting for signer 2 and Kari Nordmann (group 2 of 3) to sign until 21 Jan 2027, 12:00.',
    );
  });

  it('says an SMS notice is held by the quiet hours, and until when', () => {
    const words = nextStepInWords(
      job({
        activeOrder: 0,
        signers: [signer({ id: 'm', number: 1, channels: { email: false, sms: true }, notified: false })],
      }),
    );
    expect(words).toBe(
      'Waiting for signer 1 (group 1 of 1) to sign until 21 Jan 2027, 12:00. ' +
        'Holding the SMS notice to signer 1 until 8 Dec 2026, 08:00 (quiet hours: no SMS from 22:00 to 08:00).',
    );
  });

  it('before the first group: the activation time when it is still ahead, else the preparation', () => {
    const notStarted = job({ activeOrder: null, signers: [signer({ id: 'a' })] });
    expect(nextStepInWords(notStarted, '2999-01-01T11:00:00Z')).toBe(
      'Waiting for the activation time, 1 Jan 2999, 12:00.',
    );
    expect(nextStepInWords(notStarted)).toBe('Starting: the first group is being prepared.');
  });

  it('packaging once everyone has signed, nothing once the job has ended', () => {
    expect(nextStepInWords(job({ signers: [signer({ id: 'a', order: 1, status: 'SIGNED' })] }))).toBe(
      'Everyone has signed: packaging the signed documents.',
    );
    expect(
      nextStepInWords(job({ status: 'FAILED', signers: [signer({ id: 'a', status: 'REJECTED' })] })),
    ).toBe('Nothing: the job has ended.');
  });
});

describe('why the job ended, in words', () => {
  const ended = (statuses: SignerStatus[], failureReason?: string) => ({
    status: 'FAILED' as const,
    ...(failureReason ? { failureReason } : {}),
    signers: statuses.map((status) => ({ status })),
  });

  it('names each outcome and the signer it came from', () => {
    expect(outcomeCause(ended(['NOT_APPLICABLE', 'REJECTED'], 'REJECTED'))).toBe('Rejected by signer 2.');
    expect(outcomeCause(ended(['SIGNED', 'CANCELLED'], 'CANCELLED'))).toBe('Cancelled by the sender.');
    expect(outcomeCause(ended(['SIGNED', 'EXPIRED', 'EXPIRED'], 'EXPIRED'))).toBe(
      'The deadline passed before signer 2, signer 3 signed.',
    );
    expect(outcomeCause(ended(['RESERVED'], 'RESERVED'))).toBe(
      'The contact register shows signer 1 reserved against digital contact: the job cannot be shown to them.',
    );
    expect(outcomeCause(ended(['NOT_APPLICABLE', 'CONTACT_INFORMATION_MISSING']))).toBe(
      'The contact register has no e-mail address or mobile number for signer 2.',
    );
    expect(outcomeCause(ended(['SIGNED'], 'PACKAGING_FAILED'))).toBe(
      'The signed documents could not be packaged (the packageJob activity failed for good).',
    );
    expect(outcomeCause(ended(['FAILED'], 'FAILED'))).toBe('The signing ceremony of signer 1 failed.');
    expect(outcomeCause(ended(['BLOCKED'], 'BLOCKED'))).toBe('Blocked by wrong one-time codes: signer 1.');
  });

  it('has no cause while in progress or once completed', () => {
    expect(outcomeCause({ status: 'IN_PROGRESS', signers: [{ status: 'WAITING' }] })).toBeUndefined();
    expect(
      outcomeCause({ status: 'COMPLETED_SUCCESSFULLY', signers: [{ status: 'SIGNED' }] }),
    ).toBeUndefined();
  });
});
