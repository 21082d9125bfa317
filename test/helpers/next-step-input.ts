/**
 * The recorded state the next-step rule (src/rules/next-step.ts) reads, for its unit tests: a
 * waiting signer and a running portal job whose group was activated at 23:30 Oslo time in winter
 * (inside the SMS quiet hours), each with what a test sets over it.
 */
import type { NextStepInput, NextStepSigner } from '../../src/rules/next-step.js';

export const nextStepSigner = (over: Partial<NextStepSigner> & { id: string }): NextStepSigner => ({
  number: 1,
  name: null,
  order: 0,
  status: 'WAITING',
  channels: { email: true, sms: false },
  notified: false,
  ...over,
});

export const nextStepJob = (over: Partial<NextStepInput>): NextStepInput => ({
  status: 'IN_PROGRESS',
  flow: 'portal',
  hasPades: false,
  activeOrder: 0,
  groupActivatedAt: new Date('2026-12-07T22:30:00Z'),
  deadline: new Date('2026-12-14T22:30:00Z'),
  signers: [],
  ...over,
});
