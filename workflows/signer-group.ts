/**
 * One signer group's turn: its signers made reachable, its activation with a deadline, its
 * notices as they fall due, and the wait until everyone of it has signed, the job ends otherwise,
 * or the deadline (which the sender may move) passes.
 */
import { prepareSigners, prepareSignersLocally, sendSenderNotice, sendSignerNotice } from './activities.js';
import * as job from './job-state.js';
import { planNotices, type ScheduledNotice, SENDER, sentKey } from './notice-plan.js';
import { nowIso, type RunningJob } from './running-job.js';

/**
 * Portal signers must be reachable before their group is shown to them: a reserved person, or
 * one without contact details, fails the job before anyone of the group is told. False when the
 * job cannot go on.
 */
export async function prepareGroup(run: RunningJob, group: number): Promise<boolean> {
  if (run.input.flow !== 'portal') return true;
  await run.flush();
  const signerIds = job.signersOfGroup(run.state, group).map((s) => s.id);
  const prepare = run.patches.recordsLocally ? prepareSignersLocally : prepareSigners;
  const prepared = await prepare({ jobId: run.input.jobId, signerIds });
  const unreachable = prepared.flatMap((p) =>
    p.outcome === 'OK' ? [] : [{ signerId: p.signerId, outcome: p.outcome }],
  );
  if (unreachable.length > 0 || run.ended) {
    if (!run.ended) run.emit(job.contactFailure(run.state, unreachable, nowIso()));
    return false;
  }
  for (const p of prepared) if (p.channels) run.channels.set(p.signerId, p.channels);
  return true;
}

/** The group's turn, from its activation to its end; it gets its full lifetime from now. */
export async function signGroup(run: RunningJob, group: number): Promise<void> {
  const { state, input } = run;
  const signers = job
    .signersOfGroup(state, group)
    .map((s) => ({ ...run.signer(s.id), channels: run.channels.get(s.id)! }));
  const activatedAt = Date.now();
  run.extensions = 0;
  run.notified.clear();
  run.deadline.set(activatedAt + run.lifetimeSeconds * 1000);
  run.emit(job.activateGroup(state, group, nowIso(), new Date(run.deadline.at).toISOString()));
  await run.flush();

  const planOf = () => planNotices(signers, activatedAt, run.deadline.at);
  let plan = input.flow === 'portal' ? planOf() : [];
  const sent = new Set<string>();
  const groupDone = () => run.ended || job.groupSigned(state, group);

  while (!groupDone()) {
    // Send what is due (at activation: the first notices), oldest first.
    for (const notice of plan) {
      if (notice.at > Date.now() || sent.has(sentKey(notice))) continue;
      if (run.ended) break;
      sent.add(sentKey(notice));
      sendNotice(run, group, notice);
    }
    const nextNotice = plan.find((n) => !sent.has(sentKey(n)) && n.at > Date.now());
    const woken = await run.deadline.wait(
      () => run.hasUnrecorded || groupDone(),
      nextNotice?.at ?? Number.POSITIVE_INFINITY,
    );
    await run.flush();
    if (run.deadline.takeMove()) {
      // Reminders of the old deadline that were not sent are replaced by those of the new one.
      plan = planOf().filter((n) => n.kind !== 'ACTIVATION' && n.at >= Date.now());
      continue;
    }
    if (!woken && Date.now() >= run.deadline.at && !groupDone()) {
      run.emit(job.expire(state, nowIso()));
      await run.flush();
    }
  }
}

/** One notice of the plan, sent in the background: a slow mail relay must not hold up the deadline. */
function sendNotice(run: RunningJob, group: number, notice: ScheduledNotice): void {
  const { state, input } = run;
  const deadline = new Date(run.deadline.at).toISOString();
  if (notice.signerId === SENDER) {
    run.inBackground(
      'sender notice',
      sendSenderNotice({
        jobId: input.jobId,
        noticeKey: `deadline:${group}:${notice.key}`,
        kind: 'DEADLINE_SOON',
        at: deadline,
      }),
    );
    return;
  }
  const signerId = notice.signerId;
  if (state.signers.find((s) => s.id === signerId)?.status !== 'WAITING') return;
  run.notified.add(signerId);
  const notifying = sendSignerNotice({
    jobId: input.jobId,
    signerId,
    noticeKey: notice.key,
    channel: notice.channel,
    kind: notice.kind,
    plannedAt: new Date(notice.at).toISOString(),
    deadline,
  }).then(({ outcome }) => {
    // The register says the person can no longer be reached: the job cannot go on.
    if (
      (outcome === 'RESERVED' || outcome === 'CONTACT_INFORMATION_MISSING') &&
      job.refusalToAct(state, signerId) === null
    ) {
      run.emit(job.contactFailure(state, [{ signerId, outcome }], nowIso()));
    }
  });
  run.inBackground('notice', notifying);
}
