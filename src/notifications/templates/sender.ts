/**
 * Notices to the sender by e-mail (when the organisation has asked for them): a status change,
 * a deadline 24 hours away, and documents about to be deleted that were never downloaded.
 * The sender wrote the title, so the full title is shown. Pure functions.
 */
import type { JobStatus } from '../../job/model.js';
import { DEFAULT_NOTICE_LOCALE, formatOsloTime, type NoticeLocale } from '../locale.js';
import { link, paragraph, type RenderedEmail, renderEmail } from './render.js';

export const SENDER_NOTICE_KINDS = ['STATUS_CHANGED', 'DEADLINE_SOON', 'DOCUMENTS_EXPIRE_SOON'] as const;
export type SenderNoticeKind = (typeof SENDER_NOTICE_KINDS)[number];

interface SenderNoticeBase {
  locale?: NoticeLocale;
  title: string;
  /** The sender's own reference of the job, if any. */
  reference?: string | null;
  /** The job in the sender portal. */
  link: string;
  /** How far the job has come. */
  signed: number;
  signers: number;
}

export type SenderNotice =
  | (SenderNoticeBase & { kind: 'STATUS_CHANGED'; status: JobStatus })
  | (SenderNoticeBase & { kind: 'DEADLINE_SOON'; deadline: Date })
  | (SenderNoticeBase & { kind: 'DOCUMENTS_EXPIRE_SOON'; expiresAt: Date });

/** Everything a sender notice says, per language. */
interface SenderPhrases {
  job(title: string, reference: string | null | undefined): string;
  progress(signed: number, signers: number): string;
  open: string;
  status: Record<JobStatus, string>;
  statusChanged: {
    subject(title: string, status: string): string;
    line(job: string, status: string): string;
  };
  deadlineSoon: { subject(title: string): string; line(job: string, deadline: string): string };
  documentsExpireSoon: { subject(title: string): string; lines(job: string, expiresAt: string): string[] };
}

const PHRASES: Record<NoticeLocale, SenderPhrases> = {
  no: {
    job: (title, reference) => `«${title}»${reference ? ` (referanse ${reference})` : ''}`,
    progress: (signed, signers) => `${signed} av ${signers} har signert.`,
    open: 'Se oppdraget',
    status: { IN_PROGRESS: 'pågår', COMPLETED_SUCCESSFULLY: 'fullført', FAILED: 'feilet' },
    statusChanged: {
      subject: (title, status) => `Signeringsoppdraget «${title}»: ${status}`,
      line: (job, status) => `Signeringsoppdraget ${job} har status: ${status}.`,
    },
    deadlineSoon: {
      subject: (title) => `Fristen for «${title}» går ut om 24 timer`,
      line: (job, deadline) => `Fristen for å signere ${job} går ut ${deadline}.`,
    },
    documentsExpireSoon: {
      subject: (title) => `Dokumentene i «${title}» slettes om 4 dager`,
      lines: (job, expiresAt) => [
        `De signerte dokumentene i ${job} er ikke lastet ned og slettes ${expiresAt}.`,
        'Last dem ned før det hvis dere trenger dem.',
      ],
    },
  },
  en: {
    job: (title, reference) => `"${title}"${reference ? ` (reference ${reference})` : ''}`,
    progress: (signed, signers) => `${signed} of ${signers} have signed.`,
    open: 'View the job',
    status: { IN_PROGRESS: 'in progress', COMPLETED_SUCCESSFULLY: 'completed', FAILED: 'failed' },
    statusChanged: {
      subject: (title, status) => `Signature job "${title}": ${status}`,
      line: (job, status) => `The signature job ${job} is now ${status}.`,
    },
    deadlineSoon: {
      subject: (title) => `The deadline for "${title}" is in 24 hours`,
      line: (job, deadline) => `The deadline for signing ${job} is ${deadline}.`,
    },
    documentsExpireSoon: {
      subject: (title) => `The documents of "${title}" will be deleted in 4 days`,
      lines: (job, expiresAt) => [
        `The signed documents of ${job} have not been downloaded and will be deleted ${expiresAt}.`,
        'Download them before then if you need them.',
      ],
    },
  },
};

export function renderSenderNotice(notice: SenderNotice): RenderedEmail {
  const locale = notice.locale ?? DEFAULT_NOTICE_LOCALE;
  const p = PHRASES[locale];
  const job = p.job(notice.title, notice.reference);
  const progress = paragraph(p.progress(notice.signed, notice.signers));
  const open = link(p.open, notice.link);
  switch (notice.kind) {
    case 'STATUS_CHANGED': {
      const status = p.status[notice.status];
      return renderEmail(locale, p.statusChanged.subject(notice.title, status), [
        paragraph(p.statusChanged.line(job, status)),
        progress,
        open,
      ]);
    }
    case 'DEADLINE_SOON':
      return renderEmail(locale, p.deadlineSoon.subject(notice.title), [
        paragraph(p.deadlineSoon.line(job, formatOsloTime(notice.deadline, locale))),
        progress,
        open,
      ]);
    case 'DOCUMENTS_EXPIRE_SOON':
      return renderEmail(locale, p.documentsExpireSoon.subject(notice.title), [
        ...p.documentsExpireSoon.lines(job, formatOsloTime(notice.expiresAt, locale)).map(paragraph),
        open,
      ]);
  }
}
