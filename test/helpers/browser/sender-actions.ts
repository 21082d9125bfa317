/** What a sender's staff member does on a job's page in the sender portal, as steps tests share. */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { PagesStack } from '../pages-stack.js';
import { waitForJob } from './jobs.js';

/**
 * Cancels the job whose page `staff` shows, through its confirmation page, and waits until the
 * notice says so and the job has ended; the page is then reloaded from the recorded state.
 */
export async function cancelThroughConfirmation(staff: Page, ps: PagesStack, jobId: string): Promise<void> {
  await staff.getByRole('link', { name: 'Cancel the job' }).click();
  await staff.getByRole('button', { name: 'Yes, cancel the job' }).click();
  await expect
    .poll(() => staff.getByRole('status').textContent(), { timeout: 30_000 })
    .toContain('The job has been cancelled.');
  await waitForJob(ps, 'portal', jobId, (j) => j.status === 'FAILED');
  await staff.reload();
}
