/**
 * CPU time used by the processes of a benchmark, grouped (the API, the workers, PostgreSQL, ...),
 * read from /proc: what a phase cost each part, whatever else shares the machine. Linux only.
 */
import { readdir, readFile } from 'node:fs/promises';

/** Names the group a process belongs to, or undefined to leave it out. */
export type ProcessGroups = (pid: number, command: string) => string | undefined;

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on

/** CPU seconds (user + system) used so far by each group's running processes. */
export async function cpuSecondsByGroup(groups: ProcessGroups): Promise<Map<string, number>> {
  const totals = new Map<string, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // "pid (command) state ppid ...": the command may hold spaces and parentheses.
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    if (open < 0 || close < 0) continue;
    const group = groups(Number(entry), stat.slice(open + 1, close));
    if (!group) continue;
    const fields = stat.slice(close + 2).split(' ');
    // After the command: state is field 3, utime 14 and stime 15 (1-based, man 5 proc).
    const ticks = Number(fields[11]) + Number(fields[12]);
    totals.set(group, (totals.get(group) ?? 0) + ticks / TICKS_PER_SECOND);
  }
  return totals;
}

/** What each group used between two readings, in milliseconds per operation. */
export function cpuMsPerOperation(
  before: Map<string, number>,
  after: Map<string, number>,
  operations: number,
): [string, number][] {
  return [...after.entries()]
    .map(([group, seconds]): [string, number] => [
      group,
      ((seconds - (before.get(group) ?? 0)) * 1000) / Math.max(1, operations),
    ])
    .sort(([a], [b]) => a.localeCompare(b));
}

/** One line: each group's CPU milliseconds per operation, and their sum. */
export function formatCpu(perOperation: [string, number][]): string {
  const total = perOperation.reduce((sum, [, ms]) => sum + ms, 0);
  return `${perOperation.map(([g, ms]) => `${g} ${ms.toFixed(1)}`).join(', ')}; all ${total.toFixed(1)} ms CPU per call`;
}
