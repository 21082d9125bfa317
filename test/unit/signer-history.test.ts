/** A signer's history for the sender, from the recorded facts, and its sentences in each variant. */
import { describe, expect, it } from 'vitest';
import { translator } from '../../api/pages/i18n.js';
import { formatTime } from '../../api/pages/layout.js';
import { historyText } from '../../api/pages/signer-history-view.js';
import { type HistoryEntry, type SignerFacts, signerHistory } from '../../src/rules/signer-history.js';

const at = (hhmm: string) => new Date(`2026-12-07T${hhmm}:00Z`);
const facts = (over: Partial<SignerFacts>): SignerFacts => ({
  status: 'WAITING',
  since: at('09:00'),
  signedAt: null,
  rejectionReason: null,
  notices: [],
  held: null,
  openedAt: null,
  logins: [],
  copy: null,
  ...over,
});

describe('signer history', () => {
  it('orders what happened by time, and leaves a held notice and the copy for the end', () => {
    const history = signerHistory(
      facts({
        status: 'SIGNED',
        since: at('10:05'),
        signedAt: at('10:04'),
        notices: [
          { at: at('09:00'), channel: 'EMAIL', kind: 'ACTIVATION' },
          { at: at('09:30'), channel: 'SMS', kind: 'REMINDER' },
          // A mailbox notice is about the copy, told by the copy's entry.
          { at: at('11:00'), channel: 'EMAIL', kind: 'MAILBOX_OFFER' },
        ],
        openedAt: at('10:01'),
        logins: [{ at: at('10:00'), level: 4, eid: 'BankID', provider: 'idporten' }],
        copy: { status: 'PENDING', at: null, offeredUntil: at('12:00') },
      }),
    );
    expect(history.map((e) => e.kind)).toEqual([
      'NOTIFIED',
      'NOTIFIED',
      'LOGGED_IN',
      'OPENED',
      'SIGNED',
      'COPY_OFFERED',
    ]);
    expect(history[4]).toEqual({ kind: 'SIGNED', at: at('10:04') });
  });

  it('tells a rejection with its reason, an end without the signer, and a hold only while waiting', () => {
    expect(signerHistory(facts({ status: 'REJECTED', rejectionReason: 'Wrong name' }))).toEqual([
      { kind: 'REJECTED', at: at('09:00'), reason: 'Wrong name' },
    ]);
    expect(signerHistory(facts({ status: 'EXPIRED' }))).toEqual([
      { kind: 'ENDED', at: at('09:00'), status: 'EXPIRED' },
    ]);
    const held = { until: '2026-12-08T07:00:00.000Z', reason: 'SMS_QUIET_HOURS' as const };
    expect(signerHistory(facts({ held }))).toEqual([
      { kind: 'HELD', until: new Date(held.until), reason: 'SMS_QUIET_HOURS' },
    ]);
    expect(signerHistory(facts({ status: 'CANCELLED', held }))).toEqual([
      { kind: 'ENDED', at: at('09:00'), status: 'CANCELLED' },
    ]);
    expect(signerHistory(facts({}))).toEqual([]);
  });

  it('words every entry from its facts', () => {
    const t = translator('en');
    const d = formatTime('en', at('10:00'));
    const text = (e: HistoryEntry) => historyText(t, 'en', e);
    const when = at('10:00');
    expect(text({ kind: 'NOTIFIED', at: when, channel: 'EMAIL', notice: 'FIRST' })).toBe(
      `${d}: notified by e-mail`,
    );
    expect(text({ kind: 'NOTIFIED', at: when, channel: 'SMS', notice: 'REMINDER' })).toBe(
      `${d}: reminded by SMS`,
    );
    expect(text({ kind: 'NOTIFIED', at: when, channel: 'EMAIL', notice: 'CANCELLATION' })).toBe(
      `${d}: told by e-mail that the job was cancelled`,
    );
    expect(text({ kind: 'OPENED', at: when })).toBe(`${d}: opened the documents`);
    expect(text({ kind: 'LOGGED_IN', at: when, level: 4, eid: 'BankID', provider: 'idporten' })).toBe(
      `${d}: logged in at level 4 with BankID (through idporten)`,
    );
    expect(text({ kind: 'LOGGED_IN', at: when, level: 3, eid: null, provider: 'idporten' })).toBe(
      `${d}: logged in at level 3 (through idporten)`,
    );
    expect(text({ kind: 'SIGNED', at: when })).toBe(`${d}: signed`);
    expect(text({ kind: 'REJECTED', at: when, reason: 'Wrong salary' })).toBe(
      `${d}: rejected, giving the reason “Wrong salary”`,
    );
    expect(text({ kind: 'REJECTED', at: when, reason: null })).toBe(
      `${d}: rejected, without giving a reason`,
    );
    expect(text({ kind: 'ENDED', at: when, status: 'EXPIRED' })).toBe(
      `${d}: the deadline passed before they signed`,
    );
    expect(text({ kind: 'ENDED', at: when, status: 'CANCELLED' })).toBe(
      `${d}: the job was cancelled before they signed`,
    );
    expect(text({ kind: 'ENDED', at: when, status: 'RESERVED' })).toBe(`${d}: Reserved`);
    expect(text({ kind: 'COPY_DELIVERED', at: when })).toBe(
      `Their copy of the signed document was delivered to their digital mailbox ${d}`,
    );
    expect(text({ kind: 'COPY_DELIVERED', at: null })).toBe(
      'Their copy of the signed document was delivered to their digital mailbox',
    );
    expect(text({ kind: 'COPY_OFFERED', until: when })).toBe(
      `No digital mailbox: no copy was sent; a mailbox opened before ${d} gets it`,
    );
    expect(text({ kind: 'COPY_NOT_DELIVERED', until: when })).toBe(
      `No digital mailbox: no copy was sent (the offer ended ${d})`,
    );
    expect(text({ kind: 'HELD', until: when, reason: 'SMS_QUIET_HOURS' })).toBe(
      `The SMS notice is held until ${d} (no SMS between 22:00 and 08:00)`,
    );
    // Norwegian has every sentence too.
    expect(historyText(translator('nb'), 'nb', { kind: 'SIGNED', at: when })).toBe(
      `${formatTime('nb', when)}: signerte`,
    );
  });
});
