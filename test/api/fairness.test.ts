/**
 * Fairness per sender and priority (docs/scaling.md) on the real Temporal dev server: a job's
 * start carries its sender as fairness key with the weight the operator set, activities carry
 * their priority key, and the server hands out a waiting high-priority task before low-priority
 * ones queued earlier, and a small sender's task before a big sender's backlog.
 */
import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/commands.js';
import { workflowIdForJob } from '../../src/job/model.js';
import { BACKGROUND } from '../../workflows/task-priority.js';
import { until } from '../helpers/processes.js';
import { createForm, portalJob, samplePdf } from '../helpers/requests.js';
import { ORG, type Stack, startStack } from '../helpers/stack.js';
import { devServerEnv } from '../helpers/temporal.js';

describe('a job start carries its sender as fairness key, with its weight', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.stop());

  it('starts the workflow with the weight set by `orgs weight`, its notices at background priority', async () => {
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
    expect(await runCli(['orgs', 'weight', ORG, '2.5'], stack.t.db, io)).toBe(0);
    expect(out.join('\n')).toContain('weight 2.5');

    const res = await stack.api(`/api/${ORG}/portal/signature-jobs`, {
      method: 'POST',
      body: createForm(portalJob(), { 'contract.pdf': await samplePdf() }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const handle = stack.env.client.workflow.getHandle(workflowIdForJob(id));
    const description = await handle.describe();
    expect(description.priority).toMatchObject({ fairnessKey: ORG, fairnessWeight: 2.5 });

    // The signer's activation notice: scheduled with the background key; the server merges in
    // the workflow's fairness key and weight when it queues the task.
    const scheduled = await until(
      'the activation notice scheduled',
      async () => {
        const history = await handle.fetchHistory();
        return history.events?.find(
          (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendSignerNotice',
        );
      },
      30_000,
    );
    expect(scheduled.activityTaskScheduledEventAttributes?.priority?.priorityKey).toBe(
      BACKGROUND.priorityKey,
    );
  });
});

describe('the server dispatches by priority, then fairly between senders', () => {
  let env: TestWorkflowEnvironment;
  // One partition: the order within a queue is the server's, not the luck of which partition a
  // start and a poll land on.
  beforeAll(async () => {
    env = await devServerEnv([
      '--dynamic-config-value',
      'matching.numTaskqueueReadPartitions=1',
      '--dynamic-config-value',
      'matching.numTaskqueueWritePartitions=1',
    ]);
  });
  afterAll(async () => env?.teardown());

  /** Queues one workflow task per start (no worker polls the queue), then takes `count` in turn. */
  async function dispatchOrder(
    starts: { id: string; priorityKey?: number; fairnessKey: string }[],
    count: number,
  ): Promise<string[]> {
    const taskQueue = `order-${randomUUID()}`;
    for (const s of starts) {
      await env.client.workflow.start('dispatchProbe', {
        taskQueue,
        workflowId: `${s.id}-${randomUUID()}`,
        priority: { fairnessKey: s.fairnessKey, ...(s.priorityKey ? { priorityKey: s.priorityKey } : {}) },
      });
    }
    // A start returns once its history is written; the history service hands the workflow task
    // to matching afterwards. Poll only when every task waits in the queue, or the order taken
    // would be the order of arrival at matching, not the server's dispatch order.
    await until(
      `all ${starts.length} tasks queued`,
      async () => {
        const { stats } = await env.connection.workflowService.describeTaskQueue({
          namespace: env.namespace ?? 'default',
          taskQueue: { name: taskQueue },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
          reportStats: true,
        });
        return Number(stats?.approximateBacklogCount ?? 0) >= starts.length || undefined;
      },
      20_000,
    );
    const taken: string[] = [];
    for (let i = 0; i < count; i++) {
      // A long poll wants a deadline; the task is waiting, so it answers at once.
      const task = await env.connection.withDeadline(Date.now() + 20_000, () =>
        env.connection.workflowService.pollWorkflowTaskQueue({
          namespace: env.namespace ?? 'default',
          taskQueue: { name: taskQueue },
          identity: 'dispatch-order-test',
        }),
      );
      taken.push(task.workflowExecution!.workflowId!.split('-')[0]!);
    }
    return taken;
  }

  it('hands out a high-priority task before the low-priority ones queued before it', async () => {
    const lows = Array.from({ length: 12 }, (_, i) => ({ id: `low${i}`, priorityKey: 5, fairnessKey: 'A' }));
    const order = await dispatchOrder([...lows, { id: 'high', priorityKey: 1, fairnessKey: 'A' }], 3);
    expect(order[0]).toBe('high');
    // Which low one comes next is the fairness counter's choice, not this test's subject: only
    // that the low ones follow.
    expect(order.slice(1).every((id) => id.startsWith('low'))).toBe(true);
  });

  it("takes turns between senders: a small sender's tasks are not queued behind a big sender's", async () => {
    const big = Array.from({ length: 12 }, (_, i) => ({ id: `big${i}`, fairnessKey: 'big-sender' }));
    const small = Array.from({ length: 3 }, (_, i) => ({ id: `small${i}`, fairnessKey: 'small-sender' }));
    const order = await dispatchOrder([...big, ...small], 6);
    // In arrival order the first six would all be the big sender's.
    expect(order.filter((id) => id.startsWith('small')).sort()).toEqual(['small0', 'small1', 'small2']);
  });
});
