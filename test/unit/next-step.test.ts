/** "What happens next" from the recorded state: the signatures awaited, notices held and why, packaging. */
import { describe, expect, it } from 'vitest';
import { translator } from '../../api/pages/i18n.js';
import { formatTime } from '../../api/pages/layout.js';
import { nextStepTexts } from '../../api/pages/next-step-view.js';
import { type NextStepInput, nextStep } from '../../src/rules/next-step.js';
import { nextStepJob, nextStepSigner } from '../helpers/next-step-input.js';

const signer = nextStepSigner;
const job = nextStepJob;

describe('next step', () => {
  it('holds an SMS-only signer’s first notice until 08:00 Oslo time during the quiet hours', () => {
    const step = nextStep(
      job({
        signers: [
          signer({ id: 'kari', channels: { email: true, sms: false } }),
          signer({ id: 'magnus', number: 2, channels: { email: false, sms: true } }),
        ],
      }),
    );
    expect(step).toEqual({
      kind: 'SIGNATURES',
      group: 1,
      order: 0,
      groups: 1,
      waitingFor: 2,
      deadline: '2026-12-14T22:30:00.000Z',
      held: [
        {
          signerId: 'magnus',
          number: 2,
          name: null,
          until: '2026-12-08T07:00:00.000Z',
          reason: 'SMS_QUIET_HOURS',
        },
      ],
    });
  });

  it('holds nothing by day, once a notice went out, or when the channels are unknown', () => {
    const sms = { email: false, sms: true };
    const day = new Date('2026-12-07T10:00:00Z');
    const held = (over: Partial<NextStepInput>) => {
      const step = nextStep(job(over));
      return step.kind === 'SIGNATURES' ? step.held : 'not waiting for signatures';
    };
    expect(held({ groupActivatedAt: day, signers: [signer({ id: 'a', channels: sms })] })).toEqual([]);
    expect(held({ signers: [signer({ id: 'a', channels: sms, notified: true })] })).toEqual([]);
    expect(held({ signers: [signer({ id: 'a', channels: null })] })).toEqual([]);
    expect(held({ flow: 'direct', signers: [signer({ id: 'a', channels: sms })] })).toEqual([]);
  });

  it('names the active group among several, packaging after the last signature, nothing once ended', () => {
    const two = [signer({ id: 'a', status: 'SIGNED' }), signer({ id: 'b', number: 2, order: 5 })];
    // The second group in the signing order, numbered 5 by the sender.
    expect(nextStep(job({ activeOrder: 5, signers: two }))).toMatchObject({
      kind: 'SIGNATURES',
      group: 2,
      order: 5,
      groups: 2,
      waitingFor: 1,
    });
    const signed = two.map((s) => ({ ...s, status: 'SIGNED' as const }));
    expect(nextStep(job({ signers: signed })).kind).toBe('PACKAGING');
    expect(nextStep(job({ status: 'COMPLETED_SUCCESSFULLY', signers: signed })).kind).toBe('PACKAGING');
    expect(nextStep(job({ status: 'COMPLETED_SUCCESSFULLY', hasPades: true, signers: signed })).kind).toBe(
      'NONE',
    );
    expect(nextStep(job({ status: 'FAILED', signers: two })).kind).toBe('NONE');
    expect(nextStep(job({ activeOrder: null, signers: two })).kind).toBe('NOT_STARTED');
  });
});

describe('next step in words, groups named for the sender by their order numbers', () => {
  const t = translator('en');
  const step = nextStep(
    job({
      activeOrder: 5,
      signers: [signer({ id: 'a', status: 'SIGNED' }), signer({ id: 'b', number: 2, order: 5 })],
    }),
  );
  it('names the group by its number and place, with and without a deadline', () => {
    expect(nextStepTexts(t, 'en', step, 'order')).toEqual([
      `Next: waiting for the signatures of group 5 (step 2 of 2), until ${formatTime('en', '2026-12-14T22:30:00.000Z')}.`,
    ]);
    const open = step.kind === 'SIGNATURES' ? { ...step, deadline: null } : step;
    expect(nextStepTexts(t, 'en', open, 'order')).toEqual([
      'Next: waiting for the signatures of group 5 (step 2 of 2).',
    ]);
    // For signers, who never saw the numbers: the place only.
    expect(nextStepTexts(t, 'en', open)).toEqual(['Next: waiting for the signatures of group 2 of 2.']);
  });
});
