/**
 * Notices to signers (portal flow), in Norwegian and English: pure functions from what the
 * notice says to its e-mail (subject, text, HTML) and its SMS text.
 *
 * The title shown is chosen by `titleForNotice` (../title.ts); `undefined` means none may be
 * shown and the notice speaks of "a document".
 */
import { DEFAULT_NOTICE_LOCALE, formatOsloTime, type NoticeLocale } from '../locale.js';
import { type Block, link, paragraph, type RenderedEmail, renderEmail } from './render.js';

export const SIGNER_NOTICE_KINDS = [
  'ACTIVATION',
  'REMINDER',
  'CANCELLATION',
  'MAILBOX_DELIVERED',
  'MAILBOX_OFFER',
] as const;
export type SignerNoticeKind = (typeof SIGNER_NOTICE_KINDS)[number];

interface SignerNoticeBase {
  locale?: NoticeLocale;
  /** The sending organisation's name. */
  senderName: string;
  /** From `titleForNotice`: `undefined` when no title may be shown. */
  title: string | undefined;
}

/**
 * For signers addressed by e-mail or mobile, `link` is their unique link and `codeBy` says how its
 * one-time code reaches them: sent over the other channel when they open the link (SMS, EMAIL),
 * or no code at all where only one channel exists (NONE: the eID login is the proof). The code
 * itself is never in the notice. Others get the link to the job's signing page and `codeBy` is absent.
 */
interface SignerAccess {
  link: string;
  codeBy?: 'SMS' | 'EMAIL' | 'NONE';
}

export type SignerNotice =
  | (SignerNoticeBase & SignerAccess & { kind: 'ACTIVATION'; deadline: Date })
  | (SignerNoticeBase & SignerAccess & { kind: 'REMINDER'; deadline: Date })
  | (SignerNoticeBase & { kind: 'CANCELLATION' })
  /** Every signer signed; the signed copy was put in the signer's digital mailbox. `link`: download. */
  | (SignerNoticeBase & { kind: 'MAILBOX_DELIVERED'; link?: string })
  /** Every signer signed; no mailbox yet: one created before `offeredUntil` still gets the copy. */
  | (SignerNoticeBase & { kind: 'MAILBOX_OFFER'; offeredUntil: Date; link: string });

export interface RenderedSignerNotice extends RenderedEmail {
  /** The same notice as one SMS text. */
  sms: string;
}

/** Everything a signer notice says, per language; which parts a notice has is decided once, below. */
interface SignerPhrases {
  /** The title in quotes, or the words for a document without a title. */
  document(title: string | undefined): string;
  openDocument: string;
  /** What the notice says of the code, by how it comes (the same words in e-mail and SMS). */
  codeBy: Record<'SMS' | 'EMAIL' | 'NONE', string>;
  download: string;
  activation: Deadlined;
  reminder: Deadlined;
  cancellation: {
    subject(sender: string, doc: string): string;
    lines(sender: string, doc: string): string[];
    sms(sender: string, doc: string): string;
  };
  mailboxDelivered: {
    subject: string;
    lines(sender: string, doc: string): string[];
    sms(sender: string, doc: string): string;
  };
  mailboxOffer: {
    subject(sender: string, doc: string): string;
    lines(sender: string, doc: string, until: string): string[];
    sms(sender: string, doc: string, until: string, link: string): string;
  };
}

interface Deadlined {
  subject(sender: string): string;
  lines(sender: string, doc: string, deadline: string): string[];
  sms(sender: string, doc: string, deadline: string): string;
}

const PHRASES: Record<NoticeLocale, SignerPhrases> = {
  no: {
    document: (title) => (title === undefined ? 'et dokument' : `«${title}»`),
    openDocument: 'Gå til dokumentet',
    codeBy: {
      SMS: 'Når du åpner lenken, får du en engangskode på SMS. Du trenger både lenken og koden.',
      EMAIL: 'Når du åpner lenken, får du en engangskode på e-post. Du trenger både lenken og koden.',
      NONE: 'Lenken er personlig, så ikke del den. Du bekrefter hvem du er med elektronisk ID.',
    },
    download: 'Last ned dokumentet',
    activation: {
      subject: (sender) => `Du har et dokument å signere fra ${sender}`,
      lines: (sender, doc, deadline) => [
        `${sender} har sendt deg ${doc} til signering.`,
        `Frist for å signere: ${deadline}.`,
      ],
      sms: (sender, doc, deadline) => `${sender} har sendt deg ${doc} til signering. Frist: ${deadline}.`,
    },
    reminder: {
      subject: (sender) => `Påminnelse: du har et dokument å signere fra ${sender}`,
      lines: (sender, doc, deadline) => [
        `Du har ennå ikke signert ${doc} fra ${sender}.`,
        `Fristen går ut ${deadline}.`,
      ],
      sms: (sender, doc, deadline) => `Påminnelse: signer ${doc} fra ${sender} innen ${deadline}.`,
    },
    cancellation: {
      subject: (sender, doc) => `Signeringen av ${doc} fra ${sender} er avbrutt`,
      lines: (sender, doc) => [
        `${sender} har avbrutt signeringen av ${doc}.`,
        'Dokumentet er ikke lenger tilgjengelig for signering, og du trenger ikke gjøre noe.',
      ],
      sms: (sender, doc) => `${sender} har avbrutt signeringen av ${doc}. Du trenger ikke gjøre noe.`,
    },
    mailboxDelivered: {
      subject: 'Det signerte dokumentet er sendt til din digitale postkasse',
      lines: (sender, doc) => [
        `Alle har signert ${doc} fra ${sender}.`,
        'En kopi av det signerte dokumentet er sendt til din digitale postkasse.',
      ],
      sms: (sender, doc) =>
        `Alle har signert ${doc} fra ${sender}. En kopi er sendt til din digitale postkasse.`,
    },
    mailboxOffer: {
      subject: (sender, doc) => `Alle har signert ${doc} fra ${sender}`,
      lines: (sender, doc, until) => [
        `Alle har signert ${doc} fra ${sender}.`,
        `Du har ikke digital postkasse. Oppretter du en innen ${until}, sender vi det signerte dokumentet dit.`,
      ],
      sms: (sender, doc, until, link) =>
        `Alle har signert ${doc} fra ${sender}. Opprett digital postkasse innen ${until} for å få en kopi, eller last ned: ${link}`,
    },
  },
  en: {
    document: (title) => (title === undefined ? 'a document' : `"${title}"`),
    openDocument: 'Go to the document',
    codeBy: {
      SMS: 'When you open the link, you get a one-time code by SMS. You need both the link and the code.',
      EMAIL:
        'When you open the link, you get a one-time code by e-mail. You need both the link and the code.',
      NONE: 'The link is yours alone, so do not share it. You confirm who you are with your electronic ID.',
    },
    download: 'Download the document',
    activation: {
      subject: (sender) => `You have a document to sign from ${sender}`,
      lines: (sender, doc, deadline) => [
        `${sender} has sent you ${doc} to sign.`,
        `Deadline for signing: ${deadline}.`,
      ],
      sms: (sender, doc, deadline) => `${sender} has sent you ${doc} to sign. Deadline: ${deadline}.`,
    },
    reminder: {
      subject: (sender) => `Reminder: you have a document to sign from ${sender}`,
      lines: (sender, doc, deadline) => [
        `You have not yet signed ${doc} from ${sender}.`,
        `The deadline is ${deadline}.`,
      ],
      sms: (sender, doc, deadline) => `Reminder: sign ${doc} from ${sender} by ${deadline}.`,
    },
    cancellation: {
      subject: (sender, doc) => `The signing of ${doc} from ${sender} has been cancelled`,
      lines: (sender, doc) => [
        `${sender} has cancelled the signing of ${doc}.`,
        'The document can no longer be signed, and you need not do anything.',
      ],
      sms: (sender, doc) => `${sender} has cancelled the signing of ${doc}. You need not do anything.`,
    },
    mailboxDelivered: {
      subject: 'The signed document has been sent to your digital mailbox',
      lines: (sender, doc) => [
        `Everyone has signed ${doc} from ${sender}.`,
        'A copy of the signed document has been sent to your digital mailbox.',
      ],
      sms: (sender, doc) =>
        `Everyone has signed ${doc} from ${sender}. A copy has been sent to your digital mailbox.`,
    },
    mailboxOffer: {
      subject: (sender, doc) => `Everyone has signed ${doc} from ${sender}`,
      lines: (sender, doc, until) => [
        `Everyone has signed ${doc} from ${sender}.`,
        `You do not have a digital mailbox. If you create one by ${until}, the signed document will be sent there.`,
      ],
      sms: (sender, doc, until, link) =>
        `Everyone has signed ${doc} from ${sender}. Create a digital mailbox by ${until} to get a copy, or download it: ${link}`,
    },
  },
};

export function renderSignerNotice(notice: SignerNotice): RenderedSignerNotice {
  const locale = notice.locale ?? DEFAULT_NOTICE_LOCALE;
  const { subject, blocks, sms } = compose(notice, PHRASES[locale], locale);
  return { ...renderEmail(locale, subject, blocks), sms };
}

interface NoticeWording {
  subject: string;
  blocks: Block[];
  sms: string;
}

function compose(notice: SignerNotice, p: SignerPhrases, locale: NoticeLocale): NoticeWording {
  const doc = p.document(notice.title);
  const sender = notice.senderName;
  switch (notice.kind) {
    case 'ACTIVATION':
    case 'REMINDER': {
      const words = notice.kind === 'ACTIVATION' ? p.activation : p.reminder;
      const deadline = formatOsloTime(notice.deadline, locale);
      const blocks = [
        ...words.lines(sender, doc, deadline).map(paragraph),
        link(p.openDocument, notice.link),
      ];
      const codeWords = notice.codeBy ? p.codeBy[notice.codeBy] : undefined;
      if (codeWords) blocks.push(paragraph(codeWords));
      const smsAccess = codeWords ? `${notice.link} ${codeWords}` : notice.link;
      return {
        subject: words.subject(sender),
        blocks,
        sms: `${words.sms(sender, doc, deadline)} ${smsAccess}`,
      };
    }
    case 'CANCELLATION':
      return {
        subject: p.cancellation.subject(sender, doc),
        blocks: p.cancellation.lines(sender, doc).map(paragraph),
        sms: p.cancellation.sms(sender, doc),
      };
    case 'MAILBOX_DELIVERED':
      return {
        subject: p.mailboxDelivered.subject,
        blocks: [
          ...p.mailboxDelivered.lines(sender, doc).map(paragraph),
          ...(notice.link ? [link(p.download, notice.link)] : []),
        ],
        sms: p.mailboxDelivered.sms(sender, doc),
      };
    case 'MAILBOX_OFFER': {
      const until = formatOsloTime(notice.offeredUntil, locale);
      return {
        subject: p.mailboxOffer.subject(sender, doc),
        blocks: [...p.mailboxOffer.lines(sender, doc, until).map(paragraph), link(p.download, notice.link)],
        sms: p.mailboxOffer.sms(sender, doc, until, notice.link),
      };
    }
  }
}
