import { describe, expect, it } from 'vitest';
import { DAY_SECONDS } from '../../src/job/model.js';
import { deadlineAfter, extensionRefusal } from '../../src/rules/deadline-extension.js';

const activatedAt = '2026-11-22T10:00:00.000Z';
// The group got 45 days at creation or by an earlier extension: deadline 6 January 2027.
const deadline = deadlineAfter(activatedAt, 45 * DAY_SECONDS);

describe('extensionRefusal', () => {
  it('counts the new lifetime from the group’s activation', () => {
    expect(deadline.toISOString()).toBe('2027-01-06T10:00:00.000Z');
  });

  it('lets a longer lifetime through, and the same one again (a repeated request)', () => {
    expect(extensionRefusal({ activatedAt, deadline, availableSeconds: 60 * DAY_SECONDS })).toBeNull();
    expect(extensionRefusal({ activatedAt, deadline, availableSeconds: 45 * DAY_SECONDS })).toBeNull();
  });

  it('refuses one that would move the deadline earlier, naming the current and the would-be deadline', () => {
    const refusal = extensionRefusal({ activatedAt, deadline, availableSeconds: 10 * DAY_SECONDS });
    expect(refusal).toEqual({
      code: 'DEADLINE_EARLIER_THAN_CURRENT',
      currentDeadline: '2027-01-06T10:00:00.000Z',
      requestedDeadline: '2026-12-02T10:00:00.000Z',
      message: expect.stringContaining('the current deadline is 2027-01-06T10:00:00.000Z'),
    });
    expect(refusal!.message).toContain('would end at 2026-12-02T10:00:00.000Z');
    // One second short is still shorter.
    expect(extensionRefusal({ activatedAt, deadline, availableSeconds: 45 * DAY_SECONDS - 1 })?.code).toBe(
      'DEADLINE_EARLIER_THAN_CURRENT',
    );
  });
});
