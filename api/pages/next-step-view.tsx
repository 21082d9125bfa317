/** "What happens next" in words, the same on the signing page and the sender's job page. */
import type { FC } from 'hono/jsx';
import type { NextStep } from '../../src/rules/next-step.js';
import type { Lang, Translate } from './i18n.js';
import { formatTime } from './layout.js';

/**
 * How a group is named: by its place in the signing order ("group 1 of 2", for signers, who never
 * saw the numbers), or for the sender by the order number the sender gave it (the API's `order`,
 * the form's "signing group" and the job page's "Group n"), with its place.
 */
export type GroupNaming = 'position' | 'order';

/** The sentences of a job's next step, in reading order (none once the job ended). */
export function nextStepTexts(
  t: Translate,
  lang: Lang,
  step: NextStep,
  naming: GroupNaming = 'position',
): string[] {
  switch (step.kind) {
    case 'NONE':
      return [];
    case 'NOT_STARTED':
      return [t('nextNotStarted')];
    case 'PACKAGING':
      return [t('nextPackaging')];
    case 'SIGNATURES': {
      const vars = { group: step.group, groups: step.groups, n: step.waitingFor, order: step.order };
      const byOrder = naming === 'order';
      const head =
        step.groups > 1
          ? step.deadline
            ? t(byOrder ? 'nextGroupOrderUntil' : 'nextGroupUntil', {
                ...vars,
                date: formatTime(lang, step.deadline),
              })
            : t(byOrder ? 'nextGroupOrder' : 'nextGroup', vars)
          : step.deadline
            ? t('nextSignaturesUntil', { ...vars, date: formatTime(lang, step.deadline) })
            : t('nextSignatures', vars);
      return [
        head,
        ...step.held.map((h) =>
          t('nextHeldSms', {
            who: h.name ?? t('signerNumber', { n: h.number }),
            time: formatTime(lang, h.until),
          }),
        ),
      ];
    }
  }
}

export const NextStepLine: FC<{ t: Translate; lang: Lang; step: NextStep; naming?: GroupNaming }> = ({
  t,
  lang,
  step,
  naming,
}) => {
  const texts = nextStepTexts(t, lang, step, naming);
  if (texts.length === 0) return null;
  return (
    <section class="next-step" aria-label={t('nextStepLabel')} data-next={step.kind}>
      {texts.map((text) => (
        <p>{text}</p>
      ))}
    </section>
  );
};
