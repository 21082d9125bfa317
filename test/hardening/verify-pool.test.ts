/**
 * The verification threads of `POST /api/verify` (api/json/verify-pool.ts): limits reported as the
 * caller's 4xx, a document that runs too long cut off while the event loop stays free, a fresh
 * thread for the next document, admission refused (429) once threads and queue are full, and
 * bodies read under a byte budget before any place is taken.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../api/http/errors.js';
import { VerifierPool } from '../../api/json/verify-pool.js';
import { doubleDeflateBomb, kidsLoop, pdfOf } from './hostile-documents.js';

const buffer = (b: Buffer) => new Uint8Array(b).buffer;
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as ApiError,
  );

describe('verifier pool', () => {
  const pool = new VerifierPool({ workers: 1, queueLimit: 1, timeoutMs: 60_000 });
  afterAll(() => pool.close());

  it('verifies in a thread and reports a bomb as the limit it broke', async () => {
    const plain = await pool.verify('pdf', buffer(pdfOf({ 1: '<< /Type /Catalog >>' })), '');
    expect(plain.problems).toEqual(['the PDF has no signatures']);
    const err = await failure(pool.verify('pdf', buffer(await doubleDeflateBomb()), ''));
    expect(err).toBeInstanceOf(ApiError);
    expect([err?.status, err?.code]).toEqual([413, 'PDF_COMPRESSION_RATIO_TOO_HIGH']);
  }, 120_000);

  it('cuts off a verification that takes too long, keeps the event loop free, and recovers', async () => {
    const slow = new VerifierPool({ workers: 1, queueLimit: 0, timeoutMs: 50 });
    try {
      // Start the thread first, so the time limit measures the verification alone.
      await slow.verify('pdf', buffer(pdfOf({ 1: '<< /Type /Catalog >>' })), '').catch(() => {});
      let worstLag = 0;
      let last = Date.now();
      const tick = setInterval(() => {
        worstLag = Math.max(worstLag, Date.now() - last - 10);
        last = Date.now();
      }, 10);
      // The field walk over a self-referencing tree runs for hundreds of ms before its limit.
      const err = await failure(slow.verify('pdf', buffer(kidsLoop()), ''));
      clearInterval(tick);
      expect([err?.status, err?.code]).toEqual([422, 'VERIFICATION_TOO_COSTLY']);
      expect(worstLag).toBeLessThan(500);
      // A fresh thread takes the next document (its start-up is not counted).
      const after = await failure(slow.verify('pdf', buffer(kidsLoop()), ''));
      expect(after?.code).toBe('VERIFICATION_TOO_COSTLY');
    } finally {
      await slow.close();
    }
  }, 120_000);

  it('reads bodies under a byte budget shared by all requests, before any place is taken', async () => {
    const budgeted = new VerifierPool({ workers: 1, queueLimit: 0, bodyBudgetBytes: 1000 });
    /** A body of `chunks` chunks of 300 bytes, arriving as they are read. */
    const body = (chunks: number) => {
      let left = chunks;
      return new ReadableStream<Uint8Array>({
        pull(c) {
          if (left-- > 0) c.enqueue(new Uint8Array(300).fill(0x41));
          else c.close();
        },
      });
    };
    const first = await budgeted.readBody(body(2), 10_000);
    expect(first.bytes.byteLength).toBe(600);
    expect(budgeted.heldBodyBytes).toBe(600);
    // A second body that would pass the budget: 429, and what it had read is given back.
    const over = await failure(budgeted.readBody(body(2), 10_000));
    expect([over?.status, over?.code]).toEqual([429, 'VERIFIER_BUSY']);
    expect(budgeted.heldBodyBytes).toBe(600);
    // Reading took no place: the pool's only place is still free.
    const leave = budgeted.enter();
    leave();
    first.release();
    first.release(); // releasing twice counts once
    expect(budgeted.heldBodyBytes).toBe(0);
    const large = await failure(budgeted.readBody(body(3), 800));
    expect([large?.status, large?.code]).toEqual([413, 'BODY_TOO_LARGE']);
    expect(budgeted.heldBodyBytes).toBe(0);
    const broken = new ReadableStream<Uint8Array>({
      start(c) {
        c.error(new Error('aborted'));
      },
    });
    expect((await failure(budgeted.readBody(broken, 800)))?.code).toBe('BODY_INCOMPLETE');
    await budgeted.close();
  });

  it('admits threads + queue requests at once, then answers 429 until one leaves', () => {
    const leave = [pool.enter(), pool.enter()];
    let busy: unknown;
    try {
      pool.enter();
    } catch (e) {
      busy = e;
    }
    expect(busy).toBeInstanceOf(ApiError);
    expect([(busy as ApiError).status, (busy as ApiError).code]).toEqual([429, 'VERIFIER_BUSY']);
    expect((busy as ApiError).headers['Retry-After']).toBe('1');
    leave[0]!();
    leave[0]!(); // leaving twice counts once
    pool.enter()();
    leave[1]!();
  });
});
