/**
 * Exports a job's workflow history from a running Temporal server into test/histories/, so that a
 * job seen in production (or in `npm run dev`) becomes a replay test.
 *
 *   npm run history:export -- <jobId|workflowId> [--name <scenario>] [--address host:port] [--namespace ns]
 *
 * TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE are used when the options are not given.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { workflowIdForJob } from '../src/job/model.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    address: { type: 'string', default: process.env.TEMPORAL_ADDRESS ?? 'localhost:7233' },
    namespace: { type: 'string', default: process.env.TEMPORAL_NAMESPACE ?? 'default' },
  },
});
const id = positionals[0];
if (!id) {
  console.error(
    'usage: npm run history:export -- <jobId|workflowId> [--name <scenario>] [--address host:port]',
  );
  process.exit(2);
}
const workflowId = id.startsWith('signature-job-') ? id : workflowIdForJob(id);
const connection = await Connection.connect({ address: values.address! });
try {
  const client = new Client({ connection, namespace: values.namespace! });
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const dir = new URL('../test/histories/', import.meta.url);
  await mkdir(dir, { recursive: true });
  const name = (values.name ?? `exported-${workflowId}`).replace(/[^A-Za-z0-9._-]+/g, '-');
  const file = new URL(`${name}.json`, dir);
  await writeFile(file, `${historyToJSON(history)}\n`);
  console.log(`wrote ${history.events?.length ?? 0} events of ${workflowId} to ${file.pathname}`);
} finally {
  await connection.close();
}
