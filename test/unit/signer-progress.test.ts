/** The progress line's rule: where a signer stands, from the job's recorded state. */
import { describe, expect, it } from 'vitest';
import type { JobProgressState } from '../../src/db/job-reads.js';
import type { JobStatus, SignerStatus } from '../../src/job/model.js';
import { copyDelivery, signerProgress } from '../../src/portal/progress.js';

/** A recorded job state: signers as [id, order, status], the active group by its index. */
function state(
  signers: [string, number, string][],
  activeGroup: number | undefined,
  status = 'IN_PROGRESS',
): JobProgressState {
  const orders = [...new Set(signers.map((s) => s[1]))].sort();
  return {
    status: status as JobStatus,
    activeOrder: activeGroup === undefined ? null : (orders[activeGroup] ?? null),
    signers: signers.map(([id, order, st], position) => ({
      id,
      order,
      status: st as SignerStatus,
      position,
      name: null,
    })),
  };
}
const progress = (
  s: JobProgressState | null,
  signerId: string,
  extra: Partial<Parameters<typeof signerProgress>[0]> = {},
) =>
  signerProgress({
    state: s,
    signerId,
    jobStatus: s?.status ?? 'IN_PROGRESS',
    signerStatus: 'WAITING',
    hasPades: false,
    delivery: 'MAILBOX',
    ...extra,
  });

describe('signer progress', () => {
  it('tells the first group it is their turn, and the second that it has not started', () => {
    const s = state(
      [
        ['kari', 0, 'WAITING'],
        ['ola', 1, 'WAITING'],
      ],
      0,
    );
    expect(progress(s, 'kari')).toMatchObject({
      stage: 'YOUR_TURN',
      group: 1,
      groups: 2,
      othersLeft: 1,
      laterLeft: 1,
    });
    expect(progress(s, 'ola')).toMatchObject({
      stage: 'NOT_YET',
      group: 2,
      groups: 2,
      othersLeft: 1,
      laterLeft: 0,
    });
  });

  it('keeps a signer who signed waiting for the others, then sealing, then completed', () => {
    const running = state(
      [
        ['kari', 0, 'SIGNED'],
        ['ola', 1, 'WAITING'],
      ],
      1,
    );
    expect(progress(running, 'kari')).toMatchObject({ stage: 'SIGNED_WAITING', othersLeft: 1 });
    expect(progress(running, 'ola')).toMatchObject({ stage: 'YOUR_TURN', othersLeft: 0 });
    const allSigned = state(
      [
        ['kari', 0, 'SIGNED'],
        ['ola', 1, 'SIGNED'],
      ],
      1,
    );
    expect(progress(allSigned, 'ola').stage).toBe('SEALING');
    const done = state(
      [
        ['kari', 0, 'SIGNED'],
        ['ola', 1, 'SIGNED'],
      ],
      undefined,
      'COMPLETED_SUCCESSFULLY',
    );
    expect(progress(done, 'kari').stage).toBe('SEALING');
    expect(progress(done, 'kari', { hasPades: true }).stage).toBe('COMPLETED');
  });

  it('says a failed job stopped, and falls back to the stored statuses without the workflow', () => {
    const failed = state(
      [
        ['kari', 0, 'REJECTED'],
        ['ola', 1, 'WAITING'],
      ],
      undefined,
      'FAILED',
    );
    expect(progress(failed, 'ola').stage).toBe('STOPPED');
    expect(progress(null, 'kari', { jobStatus: 'COMPLETED_SUCCESSFULLY', hasPades: true }).stage).toBe(
      'COMPLETED',
    );
    expect(progress(null, 'kari', { jobStatus: 'FAILED' }).stage).toBe('STOPPED');
  });

  it('sends the copy to the mailbox of a person signing for themselves, else to the download or the sender', () => {
    expect(copyDelivery('portal', { onBehalfOf: 'SELF', pid: '01818010083' })).toBe('MAILBOX');
    expect(copyDelivery('portal', { onBehalfOf: 'OTHER', pid: null })).toBe('DOWNLOAD');
    expect(copyDelivery('portal', { onBehalfOf: 'SELF', pid: null })).toBe('DOWNLOAD');
    expect(copyDelivery('direct', { onBehalfOf: 'SELF', pid: '01818010083' })).toBe('SENDER');
  });
});
