/** What a signer is told about their copy: only as true as the recorded forward and the register. */
import { describe, expect, it } from 'vitest';
import { copyNote } from '../../src/portal/progress.js';

const until = new Date('2027-01-08T10:00:00Z');
const forward = (status: 'DELIVERED' | 'PENDING' | 'EXPIRED') => ({
  forward: { status, offeredUntil: until, deliveredAt: status === 'DELIVERED' ? until : null },
  downloadUntil: null,
});

describe('copy note', () => {
  it('before completion follows the register: mailbox, none, or unknown', () => {
    const running = { delivery: 'MAILBOX' as const, completed: false, copy: null };
    expect(copyNote({ ...running, hasMailbox: true })).toEqual({ kind: 'MAILBOX_LATER' });
    expect(copyNote({ ...running, hasMailbox: false })).toEqual({ kind: 'NO_MAILBOX' });
    expect(copyNote(running)).toEqual({ kind: 'MAILBOX_IF_ANY' });
  });

  it('after completion says "sent" only once the delivery was recorded', () => {
    const done = { delivery: 'MAILBOX' as const, completed: true, hasMailbox: true };
    expect(copyNote({ ...done, copy: { forward: null, downloadUntil: null } })).toEqual({
      kind: 'MAILBOX_SENDING',
    });
    expect(copyNote({ ...done, copy: forward('DELIVERED') })).toEqual({ kind: 'MAILBOX_SENT' });
    expect(copyNote({ ...done, copy: forward('PENDING') })).toEqual({
      kind: 'MAILBOX_OFFERED',
      until: until.toISOString(),
    });
    expect(copyNote({ ...done, copy: forward('EXPIRED') })).toEqual({ kind: 'MAILBOX_NONE' });
  });

  it('never speaks of a mailbox for a signer on behalf of others or in the direct flow', () => {
    expect(copyNote({ delivery: 'DOWNLOAD', completed: true, copy: forward('DELIVERED') })).toEqual({
      kind: 'DOWNLOAD',
    });
    expect(copyNote({ delivery: 'SENDER', completed: false, copy: null, hasMailbox: true })).toEqual({
      kind: 'SENDER',
    });
  });
});
