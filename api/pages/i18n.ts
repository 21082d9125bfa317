/**
 * The pages' texts in Norwegian (bokmål) and English. The language is chosen by `?lang=` (kept in
 * a cookie), else the cookie, else the browser's Accept-Language; Norwegian is the default.
 * Placeholders `{name}` are filled by `t`.
 */
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

export const LANGUAGES = ['nb', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];
export const LANG_COOKIE = 'esign_lang';

const nb = {
  appName: 'Signering',
  skipToContent: 'Hopp til innholdet',
  otherLanguage: 'English',
  otherLanguageCode: 'en',
  logOut: 'Logg ut',
  loggedInAs: 'Logget inn som {name} (nivå {level})',
  back: 'Tilbake',
  // Login
  level3: 'Nivå 3 (som MinID)',
  level4: 'Nivå 4 (som BankID)',
  loginRefusedTitle: 'Innloggingen ble avvist',
  loginRefusedSTATE:
    'Svaret fra innloggingstjenesten hører ikke til en innlogging som ble startet i denne nettleseren, eller innloggingen tok for lang tid.',
  loginRefusedCANCELLED: 'Innloggingen ble avbrutt.',
  loginRefusedTOKEN: 'Svaret fra innloggingstjenesten kunne ikke godtas. Du er ikke logget inn.',
  loginRefusedLEVEL_TOO_LOW: 'Du logget inn på et lavere sikkerhetsnivå enn det som kreves (nivå {level}).',
  loginRefusedIDENTITY: 'Innloggingstjenesten oppga ikke et gyldig fødselsnummer.',
  loginTryAgain: 'Prøv igjen',
  loginUnavailableTitle: 'Innloggingstjenesten svarer ikke',
  loginUnavailableText: 'Innloggingen kunne ikke startes. Prøv igjen om litt.',
  loggedOutTitle: 'Du er logget ut',
  loggedOutText: 'Du er logget ut av signeringstjenesten og av innloggingstjenesten.',
  // Ceremony
  fromSender: 'Fra {sender}',
  documentsHeading: 'Dokumenter',
  documentOpen: 'Åpne «{title}» i en egen fane',
  documentDeleted: 'Dokumentet er slettet.',
  documentFrameTitle: 'Dokumentet «{title}»',
  signHeading: 'Signer',
  signExplain: 'Når du signerer, bekrefter du at du har lest dokumentene og godtar innholdet.',
  signButton: 'Signer',
  rejectHeading: 'Vil du ikke signere?',
  reasonLabel: 'Begrunnelse til avsenderen (valgfritt)',
  rejectButton: 'Avvis',
  documentNofN: 'Dokument {n} av {of}',
  documentListLabel: 'Dokumentene i oppdraget',
  docMarkSigned: 'Signert av deg',
  docMarkRejected: 'Avvist av deg',
  docMarkOpened: 'Åpnet',
  docMarkNotOpened: 'Ikke åpnet ennå',
  docMarkDeleted: 'Slettet',
  nextDocument: 'Neste dokument: {title}',
  pageNofN: 'Side {n} av {of}',
  viewAs: 'Vis dokumentene som',
  viewText: 'Tekst',
  viewPages: 'Sider',
  zoomOut: 'Mindre',
  zoomIn: 'Større',
  zoomLabel: 'Størrelse',
  readingModeNote:
    'Lesemodus: teksten i dokumentene i lesbar størrelse, fordi sidene ville blitt for små på denne skjermen. «Sider» viser dokumentene slik de signeres.',
  readingModeChosenNote:
    'Lesemodus: teksten i dokumentene i lesbar størrelse. «Sider» viser dokumentene slik de signeres.',
  pagesModeNote: 'Sidene slik de signeres. «Tekst» viser teksten i lesbar størrelse (lesemodus).',
  actionBarLabel: 'Signer eller avvis',
  rejectOpen: 'Avvis …',
  nonsensitiveFallback: 'Dokument fra {sender}',
  levelTooLowTitle: 'Krever sikkerhetsnivå {level}',
  levelTooLowText: 'Dette oppdraget krever innlogging på nivå {level}. Du er logget inn på nivå {current}.',
  loginAgainAt: 'Logg inn på nivå {level}',
  identityMismatchTitle: 'Feil person',
  identityMismatchText:
    'Du er logget inn som en annen person enn den avsenderen har bedt om signatur fra. Logg inn som rett person.',
  mayNotActText: 'Dette oppdraget kan ikke signeres nå.',
  signerStatusText: 'Din status: {status}.',
  signedTitle: 'Takk! Du har signert',
  rejectedTitle: 'Du har avvist oppdraget',
  rejectedText: 'Avsenderen får beskjed om at du ikke vil signere.',
  toPortal: 'Til dine signeringsoppdrag',
  toSenderPortal: 'Til avsenderportalen',
  // Progress line (every signer screen)
  progressLabel: 'Hvor du er',
  progressGroup: 'Gruppe {group} av {groups}',
  progressOthersOne: '1 annen skal også signere',
  progressOthersMany: '{n} andre skal også signere',
  progressNotYet: 'Gruppen din har ikke startet ennå. Du får et varsel når det er din tur.',
  progressYourTurn: 'Det er din tur: les dokumentene og signer.',
  progressSignedWaitingOne: 'Du har signert. Vi venter på 1 til.',
  progressSignedWaitingMany: 'Du har signert. Vi venter på {n} til.',
  progressSealing: 'Alle har signert. Det signerte dokumentet blir laget nå.',
  pageUpdatesItself: 'Denne siden oppdateres av seg selv.',
  progressCompleted: 'Alle har signert. Det signerte dokumentet er klart.',
  progressStopped:
    'Oppdraget ble avsluttet før alle hadde signert. Det blir ikke laget noe signert dokument.',
  copyMailbox:
    'Når alle har signert, kommer det signerte dokumentet til din digitale postkasse. Du kan også laste det ned her.',
  copyDownload:
    'Når alle har signert, kan du laste ned det signerte dokumentet her og under «Dine signeringsoppdrag».',
  copySender: 'Når du har signert, sendes du tilbake til {sender}, som gir deg det signerte dokumentet.',
  copyMailboxDone: 'En kopi er sendt til din digitale postkasse.',
  otherSignersHeading: 'Signatarer og frist',
  nextStepLabel: 'Hva skjer nå',
  nextNotStarted: 'Neste: oppdraget starter på aktiveringstidspunktet.',
  nextPackaging: 'Neste: de signerte dokumentene pakkes.',
  nextSignatures: 'Neste: venter på {n} signatur(er).',
  nextSignaturesUntil: 'Neste: venter på {n} signatur(er), senest {date}.',
  nextGroup: 'Neste: venter på signaturene i gruppe {group} av {groups}.',
  nextGroupUntil: 'Neste: venter på signaturene i gruppe {group} av {groups}, senest {date}.',
  nextHeldSms: 'Varselet til {who} holdes tilbake til {time} (ingen SMS mellom 22:00 og 08:00).',
  signDeadline: 'Alle må ha signert innen {date}.',
  signerNumber: 'Signatar {n}',
  copyMailboxIfAny:
    'Når alle har signert, sendes det signerte dokumentet til din digitale postkasse hvis du har en. Du kan uansett laste det ned her og under «Dine signeringsoppdrag».',
  copyNoMailbox:
    'Du har ingen digital postkasse, så det signerte dokumentet sendes ikke dit. Når alle har signert, laster du det ned her og under «Dine signeringsoppdrag».',
  copyMailboxSending: 'Kopien til din digitale postkasse er ikke sendt ennå.',
  copyMailboxOffered:
    'Du har ingen digital postkasse, så ingen kopi er sendt dit. Oppretter du en før {date}, får du kopien dit.',
  copyMailboxNone: 'Du har ingen digital postkasse, så ingen kopi er sendt dit.',
  copyDownloadHere: 'Last ned det signerte dokumentet her eller under «Dine signeringsoppdrag».',
  copyDownloadUntil:
    'Last ned det signerte dokumentet her eller under «Dine signeringsoppdrag» innen {date}; da slettes det.',
  signedWaitingHeading: 'Signert av deg, venter på andre',
  aboutDocument: '{fileName}, {pages}',
  pageCount: '{n} sider',
  pageCountOne: '1 side',
  documentLoading: 'Viser dokumentet …',
  pageLabel: 'Side {n} av {of}, «{title}»',
  documentRenderFailed: 'Dokumentet kunne ikke vises her. Åpne det i en egen fane.',
  // Direct flow link
  linkGoneTitle: 'Lenken er brukt eller utløpt',
  linkGoneText:
    'En lenke til signering kan bare åpnes én gang, og denne er ikke lenger gyldig. Gå tilbake til tjenesten du kom fra for å få en ny.',
  usedLinkSigned: 'Du har signert. Lenken kan bare åpnes én gang; gå tilbake til tjenesten du kom fra.',
  usedLinkRejected:
    'Du har avvist signeringen. Lenken kan bare åpnes én gang; gå tilbake til tjenesten du kom fra.',
  backToSender: 'Tilbake til {sender}',
  // Signing portal
  portalTitle: 'Dine signeringsoppdrag',
  waitingHeading: 'Venter på deg',
  noneWaiting: 'Ingen oppdrag venter på deg nå.',
  completedHeading: 'Ferdig signert',
  downloadSigned: 'Last ned signert dokument',
  deadline: 'Frist: {date}',
  openJob: 'Åpne',
  requiresLevel: 'Krever nivå {level}',
  // One-time code
  codeTitle: 'Skriv inn engangskoden',
  codeIntro: 'Du fikk en kode sammen med lenken. Skriv den inn for å fortsette.',
  codeIntroSms:
    'Engangskoden kommer ikke sammen med lenken, slik at lenken alene ikke er nok. Vi sender den på SMS til mobilnummeret som slutter på {end}, når du ber om den her. Den sendes med en gang, også om natten.',
  codeIntroEmail:
    'Engangskoden kommer ikke sammen med lenken, slik at lenken alene ikke er nok. Vi sender den på e-post til {address} når du ber om den her. Den sendes med en gang.',
  codeSendButton: 'Send meg koden',
  codeResendButton: 'Send en ny kode',
  codeSentAt: 'En kode ble sendt {time}. Den erstatter koder som er sendt før.',
  codeResendAt: 'Du kan be om en ny kode {time}.',
  codeNoMoreSends:
    'Det kan ikke sendes flere koder for denne lenken. Bruk koden du har fått, eller kontakt avsenderen.',
  codeNotSent: 'Koden kunne ikke sendes akkurat nå. Prøv igjen om litt.',
  codeAskFirst: 'Be om koden først: den sendes når du trykker «Send meg koden».',
  codeMalformed: 'Koden er seks siffer.',
  codeLabel: 'Engangskode (6 siffer)',
  codeButton: 'Fortsett',
  codeWrong: 'Feil kode.',
  codeWrongWait: 'Feil kode. For å hindre gjetting kan du prøve igjen {time}.',
  codeWait: 'For mange feil koder. For å hindre gjetting kan du prøve igjen {time}.',
  linkOnlyTitle: 'Åpne dokumentet',
  linkOnlyText:
    'Avsenderen har bare oppgitt én måte å nå deg på, så du får ingen engangskode: en kode sendt samme vei som lenken ville ikke bevist mer enn lenken selv. Det som viser hvem som signerer, er innloggingen med elektronisk ID i neste steg: signaturen viser navnet på den som logger inn, og avsenderen ser det. Ikke del denne lenken.',
  linkOnlyButton: 'Fortsett til innlogging',
  // Sender portal
  senderTitle: 'Avsenderportal',
  senderNoRole: 'Du har ingen rolle i noen avsendervirksomhet. Be administratoren om tilgang.',
  senderNeedsLevel4: 'Avsenderportalen krever innlogging på nivå 4.',
  senderChooseOrg: 'Velg virksomhet',
  jobsHeading: 'Signeringsoppdrag',
  noJobs: 'Ingen oppdrag ennå.',
  newJob: 'Nytt oppdrag',
  colTitle: 'Tittel',
  colReference: 'Referanse',
  colStatus: 'Status',
  colCreated: 'Opprettet',
  colSigner: 'Undertegner',
  colOrder: 'Rekkefølge',
  colSince: 'Siden',
  colResult: 'Resultat',
  colGroup: 'Gruppe',
  stateNotStarted: 'Venter på at en tidligere gruppe signerer',
  stateAwaitingNotice: 'Varsel ikke sendt ennå',
  stateNotified: 'Varslet',
  stateViewed: 'Har sett dokumentene',
  eventNotified: 'Varslet',
  eventViewed: 'Sett',
  eventSigned: 'Signert',
  eventRejected: 'Avvist',
  nameUnknown: 'Navn vises når personen har signert',
  filterStatus: 'Status',
  filterAll: 'Alle',
  filterSearch: 'Søk i tittel eller referanse',
  filterButton: 'Vis',
  noMatches: 'Ingen oppdrag passer med søket.',
  fieldTitle: 'Tittel',
  fieldNonsensitiveTitle: 'Ikke-sensitiv tittel (vises i varsler og ved nivå 3)',
  fieldDescription: 'Melding til undertegnerne',
  fieldReference: 'Egen referanse (ikke personopplysninger)',
  fieldRequiredAuthentication: 'Sikkerhetsnivå for innlogging',
  fieldDocuments: 'Dokumenter (PDF eller ren tekst, inntil 3 MB hver)',
  signersHeading: 'Undertegnere',
  signersHint:
    'Undertegnerne signerer i grupper. Alle med samme gruppenummer signerer samtidig; gruppe 1 starter først, og neste gruppe får varsel når alle i gruppen før har signert. La feltet stå tomt for å legge alle i gruppe 0.',
  moreSigners: 'Flere undertegnere',
  signerN: 'Undertegner {n}',
  fieldIdentifier: 'Fødselsnummer, e-postadresse eller mobilnummer',
  fieldOrder: 'Gruppe (0-9)',
  fieldOrderHint: 'Lavere tall signerer først. Tomt betyr 0.',
  fieldNotifyEmail: 'Varsel til e-post',
  fieldNotifyMobile: 'Varsel til mobil',
  fieldSignatureType: 'Signaturtype',
  signatureDefault: 'Standard',
  signatureDefaultPublic: 'Standard: autentisert signatur',
  signatureDefaultPrivate: 'Standard: avansert signatur',
  signatureTypeHint:
    'Autentisert: tjenesten bekrefter innloggingen og forsegler. Avansert: signert med personens egen nøkkel fra eID-en.',
  onBehalfDefault: 'Standard: seg selv',
  onBehalfHint:
    'Seg selv: som privatperson (varsel via kontaktregisteret, kopi til digital postkasse). En virksomhet: i en rolle, varsel til adressen du oppgir.',
  keptFiles: 'Beholdt fra forrige forsøk: {files}. Velg filer på nytt bare hvis du vil bytte dem.',
  issueRequired: 'Fyll inn {field}.',
  issueTooLong: '{field} er for lang.',
  issuePid: 'Dette er ikke et gyldig fødselsnummer. Sjekk de 11 sifrene.',
  issueEmail: 'Dette er ikke en gyldig e-postadresse.',
  issueMobile: 'Dette er ikke et gyldig mobilnummer. Skriv det som +4791234567.',
  issueNumber: '{field} må være et tall.',
  issueRange: '{field} er utenfor det som er tillatt.',
  issueDays: 'Velg mellom 1 og 90 dager.',
  issueDateTime: 'Skriv inn dato og klokkeslett.',
  issueNoDocuments: 'Velg minst ett dokument.',
  issueNoSigners: 'Legg til minst én undertegner.',
  issueDuplicateSigner: 'Samme undertegner står to ganger.',
  issueDocument: 'Filen «{file}» kan ikke brukes: {reason}',
  issueDocumentPdf: 'den er ikke en PDF som kan leses (kryptert, skadet eller feil versjon).',
  issueDocumentSize: 'den er større enn 3 MB.',
  issueDocumentText: 'teksten er ikke UTF-8.',
  issueDocumentEmpty: 'den er tom.',
  issueDocumentLimits:
    'den er bygd slik at den ville koste tjenesten for mye å lese (for mye komprimert innhold, for mange sider eller objekter, eller løkker). Lagre den på nytt fra programmet som laget den.',
  issuePersonalData: 'Referansen ser ut til å inneholde personopplysninger (som et fødselsnummer).',
  issueNotForSector: 'Dette valget er ikke tillatt for virksomheten din.',
  issueOther: '{field}: verdien kan ikke brukes.',
  signatureAuthenticated: 'Autentisert signatur',
  signatureAdvanced: 'Avansert signatur (egen nøkkel)',
  fieldOnBehalfOf: 'Signerer på vegne av',
  onBehalfSelf: 'Seg selv',
  onBehalfOther: 'En virksomhet',
  availabilityHeading: 'Tilgjengelighet',
  fieldActivation: 'Aktiveres (norsk tid; tomt betyr nå)',
  fieldAvailableDays: 'Frist for hver gruppe, i dager fra aktivering (1-90)',
  createJob: 'Opprett oppdrag',
  errorSummary: 'Rett opp dette før du sender:',
  fieldDocumentsShort: 'dokumentene',
  jobCreated: 'Oppdraget er opprettet.',
  jobStatusHeading: 'Status',
  cancelJob: 'Avbryt oppdraget',
  jobCancelled: 'Oppdraget er avbrutt.',
  extendHeading: 'Forleng fristen',
  extendDays:
    'Antall dager gruppen som signerer nå har i alt, regnet fra {activated} da den fikk oppdraget (1-90)',
  extendDaysInvalid: 'Skriv et helt antall dager fra 1 til 90.',
  extendHint:
    'Nå: {days} dager, frist {deadline}. Fristen kan bare flyttes senere: et tall som gir en tidligere frist, avvises.',
  deadlineEarlier:
    'Fristen kan bare flyttes senere. Nåværende frist er {current}; {days} dager fra {activated} ville gitt {requested}.',
  extendButton: 'Forleng',
  deadlineExtended: 'Fristen er forlenget til {date}.',
  downloadPades: 'Last ned signert PDF (PAdES)',
  downloadXades: 'Signaturobjekt (XAdES)',
  pdfANotKeptHeading: 'Ikke arkivformat (PDF/A)',
  pdfANotKept:
    'Disse dokumentene oppgir å være PDF/A, men er det ikke. Den signerte PDF-en er derfor vanlig PDF 1.7, ikke PDF/A-3b.',
  resultsPending: 'Resultatene kan lastes ned når alle har signert.',
  actionRefused: 'Det gikk ikke: {message}',
  signWithProvider: 'Signer med {provider}',
  remoteSigningFailedTitle: 'Signaturen ble ikke laget',
  remoteSigningRefused: 'Du avviste signeringen hos {provider}. Ingenting er signert; du kan prøve igjen.',
  remoteSigningUnavailable: '{provider} svarte ikke. Ingenting er signert; prøv igjen om litt.',
  remoteSigningWrongPerson:
    'Signeringssertifikatet fra {provider} tilhører ikke deg. Ingenting er signert; kontakt {provider}.',
  remoteSigningWrongSignature:
    'Signaturen fra {provider} stemte ikke med dokumentene du godkjente. Ingenting er signert; prøv igjen.',
  remoteSigningNoCredential:
    'Du har ingen signeringsnøkkel hos {provider} som kan brukes. Ingenting er signert; velg en annen, eller kontakt {provider}.',
  remoteSigningError: 'Noe gikk galt hos {provider}. Ingenting er signert; prøv igjen.',
  remoteSigningGoneTitle: 'Signeringen er utløpt',
  remoteSigningGoneText:
    'Denne signeringen er allerede brukt eller utløpt. Ingenting er signert; start på nytt fra dokumentet.',
  backToDocument: 'Tilbake til dokumentet',
  // Errors
  notFoundTitle: 'Fant ikke siden',
  notFoundText: 'Siden finnes ikke, eller du har ikke tilgang til den.',
  csrfTitle: 'Skjemaet kunne ikke sendes',
  csrfText:
    'Skjemaet var utløpt eller kom fra et annet nettsted. Gå tilbake, last siden på nytt og prøv igjen.',
  formRefusedTitle: 'Skjemaet ble ikke tatt imot',
  formBODY_TOO_LARGE: 'Skjemaet er større enn {limit}.',
  formTOO_MANY_FIELDS: 'Skjemaet har flere enn {limit} felt.',
  formFIELD_TOO_LARGE: 'Feltet «{field}» er lengre enn {limit}.',
  formTOO_MANY_FILES: 'Skjemaet har flere enn {limit} filer.',
  formFILE_TOO_LARGE: 'Filen i «{field}» er større enn {limit}.',
  formMALFORMED_FORM: 'Skjemaet kunne ikke leses. Gå tilbake, last siden på nytt og prøv igjen.',
  formINVALID_UTF8:
    'Skjemaet inneholder tegn som ikke kunne leses. Gå tilbake, last siden på nytt og prøv igjen.',
  formUNSUPPORTED_CONTENT_TYPE: 'Skjemaet ble sendt i et format tjenesten ikke tar imot.',
  formAborted: 'Skjemaet kom ikke fram i sin helhet. Prøv igjen.',
  errorTitle: 'Noe gikk galt',
  errorText: 'Det oppstod en feil hos oss. Feilen er logget. Prøv igjen senere.',
  conflictTitle: 'Det gikk ikke',
  // Statuses
  job_IN_PROGRESS: 'Pågår',
  job_COMPLETED_SUCCESSFULLY: 'Fullført',
  job_FAILED: 'Mislyktes',
  outcome_IN_PROGRESS: 'Pågår',
  outcome_COMPLETED: 'Fullført',
  outcome_REJECTED: 'Avvist av en signatar',
  outcome_CANCELLED: 'Avbrutt av avsender',
  outcome_EXPIRED: 'Utløpt: fristen gikk ut',
  outcome_RESERVED: 'Mislyktes: en signatar er reservert mot digital kommunikasjon',
  outcome_CONTACT_INFORMATION_MISSING: 'Mislyktes: en signatar mangler kontaktinformasjon',
  outcome_FAILED: 'Mislyktes',
  rejectionReason: 'Begrunnelse til avsender: «{reason}»',
  noRejectionReason: 'Ingen begrunnelse oppgitt.',
  flow_direct: 'Direkte signering (API)',
  flow_portal: 'Signeringsportalen',
  signer_WAITING: 'Venter',
  signer_SIGNED: 'Signert',
  signer_REJECTED: 'Avvist',
  signer_EXPIRED: 'Utløpt',
  signer_CANCELLED: 'Avbrutt',
  signer_NOT_APPLICABLE: 'Ikke aktuell',
  signer_RESERVED: 'Reservert',
  signer_CONTACT_INFORMATION_MISSING: 'Mangler kontaktinformasjon',
  signer_BLOCKED: 'Sperret',
  signer_FAILED: 'Feilet',
} as const;

export type TextKey = keyof typeof nb;

const en: Record<TextKey, string> = {
  appName: 'Signing',
  skipToContent: 'Skip to content',
  otherLanguage: 'Norsk',
  otherLanguageCode: 'nb',
  logOut: 'Log out',
  loggedInAs: 'Logged in as {name} (level {level})',
  back: 'Back',
  level3: 'Level 3 (like MinID)',
  level4: 'Level 4 (like BankID)',
  loginRefusedTitle: 'The login was refused',
  loginRefusedSTATE:
    'The answer from the login service does not belong to a login started in this browser, or the login took too long.',
  loginRefusedCANCELLED: 'The login was cancelled.',
  loginRefusedTOKEN: 'The answer from the login service could not be accepted. You are not logged in.',
  loginRefusedLEVEL_TOO_LOW: 'You logged in at a lower security level than required (level {level}).',
  loginRefusedIDENTITY: 'The login service did not give a valid national identity number.',
  loginTryAgain: 'Try again',
  loginUnavailableTitle: 'The login service does not answer',
  loginUnavailableText: 'The login could not be started. Try again in a little while.',
  loggedOutTitle: 'You are logged out',
  loggedOutText: 'You are logged out of the signing service and of the login service.',
  fromSender: 'From {sender}',
  documentsHeading: 'Documents',
  documentOpen: 'Open “{title}” in a new tab',
  documentDeleted: 'The document has been deleted.',
  documentFrameTitle: 'The document “{title}”',
  signHeading: 'Sign',
  signExplain: 'By signing you confirm that you have read the documents and agree to their content.',
  signButton: 'Sign',
  rejectHeading: 'Do not want to sign?',
  reasonLabel: 'Reason for the sender (optional)',
  rejectButton: 'Reject',
  documentNofN: 'Document {n} of {of}',
  documentListLabel: 'The documents of this job',
  docMarkSigned: 'Signed by you',
  docMarkRejected: 'Rejected by you',
  docMarkOpened: 'Opened',
  docMarkNotOpened: 'Not opened yet',
  docMarkDeleted: 'Deleted',
  nextDocument: 'Next document: {title}',
  pageNofN: 'Page {n} of {of}',
  viewAs: 'Show the documents as',
  viewText: 'Text',
  viewPages: 'Pages',
  zoomOut: 'Smaller',
  zoomIn: 'Larger',
  zoomLabel: 'Size',
  readingModeNote:
    'Reading mode: the text of the documents at a readable size, as the pages would be too small on this screen. “Pages” shows the documents as they are signed.',
  readingModeChosenNote:
    'Reading mode: the text of the documents at a readable size. “Pages” shows the documents as they are signed.',
  pagesModeNote: 'The pages as they are signed. “Text” shows the text at a readable size (reading mode).',
  actionBarLabel: 'Sign or reject',
  rejectOpen: 'Reject …',
  nonsensitiveFallback: 'Document from {sender}',
  levelTooLowTitle: 'Security level {level} required',
  levelTooLowText: 'This job requires a login at level {level}. You are logged in at level {current}.',
  loginAgainAt: 'Log in at level {level}',
  identityMismatchTitle: 'Wrong person',
  identityMismatchText:
    'You are logged in as someone other than the person the sender asked to sign. Log in as the right person.',
  mayNotActText: 'This job cannot be signed now.',
  signerStatusText: 'Your status: {status}.',
  signedTitle: 'Thank you! You have signed',
  rejectedTitle: 'You rejected the job',
  rejectedText: 'The sender is told that you do not want to sign.',
  toPortal: 'To your signature jobs',
  toSenderPortal: 'To the sender portal',
  progressLabel: 'Where you are',
  progressGroup: 'Group {group} of {groups}',
  progressOthersOne: '1 other person signs too',
  progressOthersMany: '{n} other people sign too',
  progressNotYet: 'Your group has not started yet. You will be notified when it is your turn.',
  progressYourTurn: 'It is your turn: read the documents and sign.',
  progressSignedWaitingOne: 'You have signed. Waiting for 1 more signer.',
  progressSignedWaitingMany: 'You have signed. Waiting for {n} more signers.',
  progressSealing: 'Everyone has signed. The signed document is being made.',
  pageUpdatesItself: 'This page updates itself.',
  progressCompleted: 'Everyone has signed. The signed document is ready.',
  progressStopped: 'The job ended before everyone had signed. No signed document will be made.',
  copyMailbox:
    'Once everyone has signed, the signed document comes to your digital mailbox. You can also download it here.',
  copyDownload:
    'Once everyone has signed, you can download the signed document here and under “Your signature jobs”.',
  copySender: 'Once you have signed, you go back to {sender}, who gives you the signed document.',
  copyMailboxDone: 'A copy has been sent to your digital mailbox.',
  otherSignersHeading: 'Signers and deadline',
  nextStepLabel: 'What happens next',
  nextNotStarted: 'Next: the job starts at its activation time.',
  nextPackaging: 'Next: the signed documents are being packaged.',
  nextSignatures: 'Next: waiting for {n} signature(s).',
  nextSignaturesUntil: 'Next: waiting for {n} signature(s), until {date}.',
  nextGroup: 'Next: waiting for the signatures of group {group} of {groups}.',
  nextGroupUntil: 'Next: waiting for the signatures of group {group} of {groups}, until {date}.',
  nextHeldSms: 'The notice to {who} is held until {time} (no SMS between 22:00 and 08:00).',
  signDeadline: 'Everyone must have signed by {date}.',
  signerNumber: 'Signer {n}',
  copyMailboxIfAny:
    'Once everyone has signed, the signed document goes to your digital mailbox if you have one. Either way you can download it here and under “Your signature jobs”.',
  copyNoMailbox:
    'You have no digital mailbox, so the signed document is not sent there. Once everyone has signed, you download it here and under “Your signature jobs”.',
  copyMailboxSending: 'The copy for your digital mailbox has not been sent yet.',
  copyMailboxOffered:
    'You have no digital mailbox, so no copy was sent there. If you create one before {date}, the copy goes to it.',
  copyMailboxNone: 'You have no digital mailbox, so no copy was sent there.',
  copyDownloadHere: 'Download the signed document here or under “Your signature jobs”.',
  copyDownloadUntil:
    'Download the signed document here or under “Your signature jobs” until {date}, when it is deleted.',
  signedWaitingHeading: 'Signed by you, waiting for others',
  aboutDocument: '{fileName}, {pages}',
  pageCount: '{n} pages',
  pageCountOne: '1 page',
  documentLoading: 'Showing the document …',
  pageLabel: 'Page {n} of {of}, “{title}”',
  documentRenderFailed: 'The document could not be shown here. Open it in a new tab.',
  linkGoneTitle: 'This link has been used or has expired',
  linkGoneText:
    'A signing link can be opened only once, and this one is no longer valid. Go back to the service you came from to get a new one.',
  usedLinkSigned: 'You have signed. The link can be opened only once; go back to the service you came from.',
  usedLinkRejected:
    'You declined to sign. The link can be opened only once; go back to the service you came from.',
  backToSender: 'Back to {sender}',
  portalTitle: 'Your signature jobs',
  waitingHeading: 'Waiting for you',
  noneWaiting: 'No jobs are waiting for you now.',
  completedHeading: 'Signed',
  downloadSigned: 'Download the signed document',
  deadline: 'Deadline: {date}',
  openJob: 'Open',
  requiresLevel: 'Requires level {level}',
  codeTitle: 'Enter the one-time code',
  codeIntro: 'You received a code with the link. Enter it to continue.',
  codeIntroSms:
    'The one-time code does not come with the link, so the link alone is not enough. We send it by SMS to the mobile number ending in {end} when you ask for it here. It is sent at once, also at night.',
  codeIntroEmail:
    'The one-time code does not come with the link, so the link alone is not enough. We send it by e-mail to {address} when you ask for it here. It is sent at once.',
  codeSendButton: 'Send me the code',
  codeResendButton: 'Send a new code',
  codeSentAt: 'A code was sent at {time}. It replaces any code sent before.',
  codeResendAt: 'You can ask for a new code at {time}.',
  codeNoMoreSends: 'No more codes can be sent for this link. Use the code you have, or contact the sender.',
  codeNotSent: 'The code could not be sent just now. Try again in a moment.',
  codeAskFirst: 'Ask for the code first: it is sent when you press “Send me the code”.',
  codeMalformed: 'The code is six digits.',
  codeLabel: 'One-time code (6 digits)',
  codeButton: 'Continue',
  codeWrong: 'Wrong code.',
  codeWrongWait: 'Wrong code. To stop guessing, you can try again at {time}.',
  codeWait: 'Too many wrong codes. To stop guessing, you can try again at {time}.',
  linkOnlyTitle: 'Open the document',
  linkOnlyText:
    'The sender gave only one way to reach you, so you get no one-time code: a code sent the same way as the link would prove nothing more than the link itself. What shows who signs is your login with electronic ID in the next step: the signature names the person who logs in, and the sender sees it. Do not share this link.',
  linkOnlyButton: 'Continue to log in',
  senderTitle: 'Sender portal',
  senderNoRole: 'You have no role in any sender organisation. Ask the administrator for access.',
  senderNeedsLevel4: 'The sender portal requires a login at level 4.',
  senderChooseOrg: 'Choose organisation',
  jobsHeading: 'Signature jobs',
  noJobs: 'No jobs yet.',
  newJob: 'New job',
  colTitle: 'Title',
  colReference: 'Reference',
  colStatus: 'Status',
  colCreated: 'Created',
  colSigner: 'Signer',
  colOrder: 'Order',
  colSince: 'Since',
  colResult: 'Result',
  colGroup: 'Group',
  stateNotStarted: 'Waiting for an earlier group to sign',
  stateAwaitingNotice: 'Not notified yet',
  stateNotified: 'Notified',
  stateViewed: 'Has seen the documents',
  eventNotified: 'Notified',
  eventViewed: 'Viewed',
  eventSigned: 'Signed',
  eventRejected: 'Rejected',
  nameUnknown: 'Name shown once they have signed',
  filterStatus: 'Status',
  filterAll: 'All',
  filterSearch: 'Search title or reference',
  filterButton: 'Show',
  noMatches: 'No jobs match the search.',
  fieldTitle: 'Title',
  fieldNonsensitiveTitle: 'Non-sensitive title (shown in notices and at level 3)',
  fieldDescription: 'Message to the signers',
  fieldReference: 'Your reference (no personal data)',
  fieldRequiredAuthentication: 'Security level of the login',
  fieldDocuments: 'Documents (PDF or plain text, up to 3 MB each)',
  signersHeading: 'Signers',
  signersHint:
    'Signers sign in groups. Everyone with the same group number signs at the same time; the lowest group starts, and the next group is notified once everyone in the group before has signed. Leave it empty to put everyone in group 0.',
  moreSigners: 'More signers',
  signerN: 'Signer {n}',
  fieldIdentifier: 'Identity number, e-mail address or mobile number',
  fieldOrder: 'Group (0-9)',
  fieldOrderHint: 'Lower numbers sign first. Empty means 0.',
  fieldNotifyEmail: 'Notify by e-mail',
  fieldNotifyMobile: 'Notify by mobile',
  fieldSignatureType: 'Signature type',
  signatureDefault: 'Default',
  signatureDefaultPublic: 'Default: authenticated signature',
  signatureDefaultPrivate: 'Default: advanced signature',
  signatureTypeHint:
    'Authenticated: the service confirms the login and seals. Advanced: signed with the person’s own key from their eID.',
  onBehalfDefault: 'Default: themselves',
  onBehalfHint:
    'Themselves: as a private person (notified through the contact register, copy to their digital mailbox). An organisation: in a role, notified at the address you give.',
  keptFiles: 'Kept from your last attempt: {files}. Choose files again only to replace them.',
  issueRequired: 'Enter {field}.',
  issueTooLong: '{field} is too long.',
  issuePid: 'This is not a valid national identity number. Check the 11 digits.',
  issueEmail: 'This is not a valid e-mail address.',
  issueMobile: 'This is not a valid mobile number. Write it as +4791234567.',
  issueNumber: '{field} must be a number.',
  issueRange: '{field} is outside what is allowed.',
  issueDays: 'Choose between 1 and 90 days.',
  issueDateTime: 'Enter a date and time.',
  issueNoDocuments: 'Choose at least one document.',
  issueNoSigners: 'Add at least one signer.',
  issueDuplicateSigner: 'The same signer is listed twice.',
  issueDocument: 'The file “{file}” cannot be used: {reason}',
  issueDocumentPdf: 'it is not a PDF that can be read (encrypted, damaged or the wrong version).',
  issueDocumentSize: 'it is larger than 3 MB.',
  issueDocumentText: 'the text is not UTF-8.',
  issueDocumentEmpty: 'it is empty.',
  issueDocumentLimits:
    'it is built so that reading it would cost the service too much (too much compressed content, too many pages or objects, or loops). Save it again from the program that made it.',
  issuePersonalData: 'The reference seems to hold personal data (such as an identity number).',
  issueNotForSector: 'This choice is not allowed for your organisation.',
  issueOther: '{field}: this value cannot be used.',
  signatureAuthenticated: 'Authenticated signature',
  signatureAdvanced: 'Advanced signature (own key)',
  fieldOnBehalfOf: 'Signs on behalf of',
  onBehalfSelf: 'Themselves',
  onBehalfOther: 'An organisation',
  availabilityHeading: 'Availability',
  fieldActivation: 'Activation (Norwegian time; empty means now)',
  fieldAvailableDays: 'Deadline of each group, in days from its activation (1-90)',
  createJob: 'Create job',
  errorSummary: 'Correct this before sending:',
  fieldDocumentsShort: 'the documents',
  jobCreated: 'The job has been created.',
  jobStatusHeading: 'Status',
  cancelJob: 'Cancel the job',
  jobCancelled: 'The job has been cancelled.',
  extendHeading: 'Extend the deadline',
  extendDays:
    'Days the group signing now has in all, counted from {activated} when it received the job (1-90)',
  extendDaysInvalid: 'Enter a whole number of days from 1 to 90.',
  extendHint:
    'Now: {days} days, deadline {deadline}. The deadline can only move later: a number giving an earlier deadline is refused.',
  deadlineEarlier:
    'The deadline can only move later. The current deadline is {current}; {days} days from {activated} would end {requested}.',
  extendButton: 'Extend',
  deadlineExtended: 'The deadline is now {date}.',
  downloadPades: 'Download the signed PDF (PAdES)',
  downloadXades: 'Signature object (XAdES)',
  pdfANotKeptHeading: 'Not archival format (PDF/A)',
  pdfANotKept:
    'These documents claim to be PDF/A but are not. The signed PDF is therefore plain PDF 1.7, not PDF/A-3b.',
  resultsPending: 'The results can be downloaded once everyone has signed.',
  actionRefused: 'That did not work: {message}',
  signWithProvider: 'Sign with {provider}',
  remoteSigningFailedTitle: 'The signature was not made',
  remoteSigningRefused:
    'You refused the signature at {provider}. Nothing has been signed; you may try again.',
  remoteSigningUnavailable: '{provider} did not answer. Nothing has been signed; try again in a moment.',
  remoteSigningWrongPerson:
    'The signing certificate from {provider} is not yours. Nothing has been signed; contact {provider}.',
  remoteSigningWrongSignature:
    'The signature from {provider} did not match the documents you approved. Nothing has been signed; try again.',
  remoteSigningNoCredential:
    'You have no usable signing key at {provider}. Nothing has been signed; choose another, or contact {provider}.',
  remoteSigningError: 'Something went wrong at {provider}. Nothing has been signed; try again.',
  remoteSigningGoneTitle: 'This signing has expired',
  remoteSigningGoneText:
    'This signing has been used or has expired. Nothing has been signed; start again from the document.',
  backToDocument: 'Back to the document',
  notFoundTitle: 'Page not found',
  notFoundText: 'The page does not exist, or you do not have access to it.',
  csrfTitle: 'The form could not be sent',
  csrfText: 'The form had expired or came from another site. Go back, reload the page and try again.',
  formRefusedTitle: 'The form was not accepted',
  formBODY_TOO_LARGE: 'The form is larger than {limit}.',
  formTOO_MANY_FIELDS: 'The form has more than {limit} fields.',
  formFIELD_TOO_LARGE: 'The field “{field}” is longer than {limit}.',
  formTOO_MANY_FILES: 'The form has more than {limit} files.',
  formFILE_TOO_LARGE: 'The file in “{field}” is larger than {limit}.',
  formMALFORMED_FORM: 'The form could not be read. Go back, reload the page and try again.',
  formINVALID_UTF8:
    'The form holds characters that could not be read. Go back, reload the page and try again.',
  formUNSUPPORTED_CONTENT_TYPE: 'The form was sent in a format the service does not accept.',
  formAborted: 'The form did not arrive in full. Please try again.',
  errorTitle: 'Something went wrong',
  errorText: 'An error occurred on our side. It has been logged. Please try again later.',
  conflictTitle: 'That did not work',
  job_IN_PROGRESS: 'In progress',
  job_COMPLETED_SUCCESSFULLY: 'Completed',
  job_FAILED: 'Failed',
  outcome_IN_PROGRESS: 'In progress',
  outcome_COMPLETED: 'Completed',
  outcome_REJECTED: 'Rejected by a signer',
  outcome_CANCELLED: 'Cancelled by the sender',
  outcome_EXPIRED: 'Expired: the deadline passed',
  outcome_RESERVED: 'Failed: a signer is reserved against digital communication',
  outcome_CONTACT_INFORMATION_MISSING: 'Failed: a signer has no contact details',
  outcome_FAILED: 'Failed',
  rejectionReason: 'Reason for the sender: “{reason}”',
  noRejectionReason: 'No reason given.',
  flow_direct: 'Direct signing (API)',
  flow_portal: 'Signing portal',
  signer_WAITING: 'Waiting',
  signer_SIGNED: 'Signed',
  signer_REJECTED: 'Rejected',
  signer_EXPIRED: 'Expired',
  signer_CANCELLED: 'Cancelled',
  signer_NOT_APPLICABLE: 'Not applicable',
  signer_RESERVED: 'Reserved',
  signer_CONTACT_INFORMATION_MISSING: 'Contact information missing',
  signer_BLOCKED: 'Blocked',
  signer_FAILED: 'Failed',
};

const TEXTS: Record<Lang, Record<TextKey, string>> = { nb, en };

export type Translate = (key: TextKey, vars?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  const texts = TEXTS[lang];
  return (key, vars = {}) => texts[key].replace(/\{(\w+)\}/g, (m, name: string) => String(vars[name] ?? m));
}

/** A status name in the reader's language (unknown statuses as they are). */
export function statusText(
  t: Translate,
  kind: 'job' | 'signer' | 'outcome' | 'flow',
  status: string,
): string {
  const key = `${kind}_${status}`;
  return key in nb ? t(key as TextKey) : status;
}

const isLang = (s: string | undefined): s is Lang => LANGUAGES.includes(s as Lang);

/** The first supported language of an Accept-Language header (no, nn and nb all read bokmål). */
export function fromAcceptLanguage(header: string | undefined): Lang | undefined {
  const ranked = (header ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { tag, q: q ? Number(q.trim().slice(2)) : 1 };
    })
    .filter((r) => r.tag && r.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    const primary = tag.split('-')[0];
    if (primary === 'nb' || primary === 'no' || primary === 'nn') return 'nb';
    if (primary === 'en') return 'en';
  }
  return undefined;
}

/**
 * The language the person chose themselves, by `?lang=` now or earlier (the cookie), or undefined
 * when the page language is only the browser's guess (Accept-Language) or the default.
 */
export function chosenLanguage(c: Context): Lang | undefined {
  const asked = c.req.query('lang');
  if (isLang(asked)) return asked;
  const remembered = getCookie(c, LANG_COOKIE);
  return isLang(remembered) ? remembered : undefined;
}

/** The request's language; a `?lang=` choice is remembered in a cookie. */
export function pickLanguage(c: Context, secureCookie: boolean): Lang {
  const asked = c.req.query('lang');
  if (isLang(asked)) {
    setCookie(c, LANG_COOKIE, asked, {
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
      secure: secureCookie,
      maxAge: 365 * 24 * 3600,
    });
    return asked;
  }
  const remembered = getCookie(c, LANG_COOKIE);
  if (isLang(remembered)) return remembered;
  return fromAcceptLanguage(c.req.header('accept-language')) ?? 'nb';
}
