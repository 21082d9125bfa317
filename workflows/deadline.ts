/**
 * A deadline that can move while the workflow waits for it: the active group's, which the
 * sender's extension moves. Waiting wakes on the caller's condition, on a move, or at the
 * deadline (or an earlier time the caller names, such as the next reminder).
 */
import { condition } from '@temporalio/workflow';

export class MovableDeadline {
  #at = Number.POSITIVE_INFINITY;
  #moved = false;

  /** A new deadline (the next group's), not a move: a move not yet taken stays pending. */
  set(at: number): void {
    this.#at = at;
  }

  get at(): number {
    return this.#at;
  }

  move(to: number): void {
    this.#at = to;
    this.#moved = true;
  }

  /** Whether it moved since the last call (so a caller replans once per move). */
  takeMove(): boolean {
    const moved = this.#moved;
    this.#moved = false;
    return moved;
  }

  /** True when woken by `until` or a move; false when the time came (the deadline or `wakeAt`). */
  wait(until: () => boolean, wakeAt = this.#at): Promise<boolean> {
    // condition() treats a timeout of 0 as "no timeout": wait at least a millisecond.
    return condition(() => this.#moved || until(), Math.max(1, Math.min(wakeAt, this.#at) - Date.now()));
  }
}
