/** Temporal servers for tests, from the binaries the bootstrap installed (no downloads). */
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { inject } from 'vitest';
import { fairnessArgs } from '../../src/dev/temporal-server.js';
import { temporalCliPath, temporalTestServerPath } from '../../src/dev/tools.js';
import { JOB_SEARCH_ATTRIBUTES } from '../../src/job/search-attributes.js';
import { retentionSweep } from '../../workflows/retention-sweep.js';

/**
 * The time-skipping test server, with the job search attributes registered (it refuses
 * workflows that upsert attributes it does not know).
 */
export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await withStartRetries(() =>
    TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
    }),
  );
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      JOB_SEARCH_ATTRIBUTES.map((k) => [
        k.name,
        temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      ]),
    ),
  });
  return env;
}

/**
 * The real Temporal dev server, with the job search attributes registered and fairness and
 * priority on as in production; `extraArgs` adds to its command line.
 */
export function devServerEnv(extraArgs: string[] = []): Promise<TestWorkflowEnvironment> {
  return withStartRetries(() =>
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: temporalCliPath() },
        searchAttributes: JOB_SEARCH_ATTRIBUTES,
        ip: '127.0.0.1',
        extraArgs: [...fairnessArgs(true), ...extraArgs],
      },
    }),
  );
}

/**
 * The SDK gives a server 5 s to start; on a loaded two-core machine (parallel test files) the JVM
 * of the test server sometimes needs longer. Another attempt (on another port) then succeeds.
 */
async function withStartRetries<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await start();
    } catch (err) {
      if (i >= attempts || !/did not start within/.test(String(err))) throw err;
    }
  }
}

export function workflowBundle() {
  return { codePath: inject('workflowBundlePath') };
}

/**
 * One run of the retention sweep (workflows/retention-sweep.ts), as the hourly schedule starts it,
 * at the server's current time. Through a plain client: the time-skipping client would let the
 * server's clock jump to the next timer of any open workflow while it waits for the result.
 */
export async function runRetentionSweep(env: TestWorkflowEnvironment, taskQueue: string) {
  const client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
  return client.workflow.execute(retentionSweep, {
    taskQueue,
    workflowId: `retention-sweep-${randomUUID()}`,
  });
}

/**
 * A workflow's result, waited for with the server's clock standing still: waiting through the
 * time-skipping client lets the clock jump (years, to a workflow's run timeout) while the
 * workflow's last activities run.
 */
export function resultInPlace<T = unknown>(env: TestWorkflowEnvironment, workflowId: string): Promise<T> {
  const client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
  return client.workflow.getHandle(workflowId).result() as Promise<T>;
}
