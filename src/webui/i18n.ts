/** Hosted-page languages. Romanian first: the banks Ferry ships with are Romanian. */
export const languages = ['ro', 'en'] as const;
export type Lang = (typeof languages)[number];

export const isLang = (v: unknown): v is Lang => v === 'ro' || v === 'en';

/**
 * The language of a page: an explicit `?lang=` (the switcher), then what the API client chose for the link,
 * then the browser's Accept-Language, then Romanian.
 */
export function pickLanguage(
  query: unknown,
  chosen: string | null | undefined,
  acceptLanguage: unknown,
): Lang {
  if (isLang(query)) return query;
  if (isLang(chosen)) return chosen;
  if (typeof acceptLanguage === 'string') {
    const ranked = acceptLanguage
      .split(',')
      .map((part) => {
        const [tag = '', ...params] = part.trim().split(';');
        const q = params.find((p) => p.trim().startsWith('q='));
        return { lang: tag.trim().slice(0, 2).toLowerCase(), q: q ? Number(q.trim().slice(2)) : 1 };
      })
      .filter((e) => isLang(e.lang) && e.q > 0)
      .sort((a, b) => b.q - a.q);
    if (ranked[0]) return ranked[0].lang as Lang;
  }
  return 'ro';
}

const en = {
  'lang.name': 'English',
  'lang.switch': 'Language',
  skip: 'Skip to content',
  secure: 'Secure payment',
  powered: 'Payment initiated through Ferry over your bank’s open-banking interface.',
  'pay.title': 'Pay {amount}',
  'pay.heading': 'Payment to {creditor}',
  'scheme.domestic': 'Domestic transfer',
  'scheme.instant': 'Instant transfer',
  'scheme.sepa': 'SEPA transfer',
  'remitter.corporate': 'business accounts',
  'pay.to': 'to {creditor}',
  'pay.payee': 'Payee',
  'pay.iban': 'Payee IBAN',
  'pay.amount': 'Amount',
  'pay.total': 'Total',
  'pay.reference': 'Reference',
  'pay.expires': 'Link valid until',
  'pay.choose': 'Choose your bank',
  'pay.choose.select': 'Select a bank',
  'pay.none': 'No bank can take this payment. Please contact the payee.',
  'pay.button': 'Pay {amount}',
  'pay.continue': 'Continue to your bank',
  'pay.inputs': 'Details {bank} needs',
  'pay.debtor_iban': 'Your IBAN',
  'pay.debtor_iban.hint': 'The account you pay from, e.g. RO49 AAAA 1B31 0075 9384 0000.',
  'pay.psu_id': 'Your user ID at the bank',
  'pay.psu_id.hint': 'The ID you sign in to internet banking with.',
  'pay.one_of': 'Fill in at least one of the two.',
  'pay.optional': 'optional',
  'pay.qr': 'Scan to pay on your phone',
  'pay.qr.alt': 'QR code of this payment link',
  'pay.steps': 'Progress',
  'pay.method': 'Paying with',
  'redirect.title': 'Taking you to your bank…',
  'redirect.body': 'You will confirm the payment on {bank}’s own page.',
  'redirect.link': 'Continue to {bank}',
  'status.live': 'Payment status',
  'status.created': 'Waiting for payment',
  'status.started': 'Waiting for payment',
  'status.requested': 'Contacting your bank…',
  'status.intent_accepted': 'Your bank is ready for your confirmation',
  'status.awaiting_authz': 'Waiting for your confirmation at the bank',
  'status.received': 'Your bank received the payment',
  'status.submitted': 'Your bank is executing the payment',
  'status.completed': 'Payment completed',
  'status.failed': 'Payment failed',
  'status.revoked': 'Payment cancelled',
  'status.funds_received': 'Payment completed',
  'status.funds_rejected': 'The payee’s bank rejected the funds',
  'msg.progress': 'This page updates by itself. You can close it: the payee will be told the result.',
  'msg.completed': '{amount} was paid to {creditor}.',
  'msg.failed': 'The payment was not made. No money left your account.',
  'msg.revoked': 'The payee cancelled this payment request.',
  'msg.expired': 'This payment link has expired. Ask the payee for a new one.',
  'msg.funds_rejected': 'The payee’s bank did not accept the transfer. Contact the payee.',
  'expired.title': 'Link expired',
  back: 'Return to {merchant}',
  'back.auto': 'Returning you to {merchant} in a few seconds…',
  resume: 'Continue at the bank',
  'error.title': 'Something went wrong',
  'error.notfound': 'This payment link does not exist.',
  'error.csrf': 'The form expired. Please try again.',
  'error.generic': 'Please try again in a moment.',
  // Why an action was refused, by error code (page-errors.ts): the API's English `message` never reaches a page.
  'error.code.bad_request': 'This step is no longer possible. The page now shows where things stand.',
  'error.code.validation_error': 'Please check what you entered and try again.',
  'error.code.method_selection_error': 'Please choose one of the banks listed.',
  'error.code.method_input_validation_error':
    'Your bank needs more details: please fill in the fields shown for it.',
  'error.code.link_expired': 'The time for this link is over. Please ask for a new one.',
  'error.code.unprocessable_entity':
    'This could not be done right now. Please try again, or choose another bank.',
  'error.bank.refused': 'Your bank refused this request.',
  'error.bank.unavailable': 'Your bank is not available right now. Please try again in a few minutes.',
  'error.bank.codes': 'Bank code: {codes}',
  'step.choose': 'Choose bank',
  'step.authorise': 'Confirm at bank',
  'step.process': 'Bank processing',
  'step.done': 'Done',
} as const;

export type MessageKey = keyof typeof en;

const ro: Record<MessageKey, string> = {
  'lang.name': 'Română',
  'lang.switch': 'Limba',
  skip: 'Sari la conținut',
  secure: 'Plată securizată',
  powered: 'Plată inițiată prin Ferry, prin interfața open-banking a băncii tale.',
  'pay.title': 'Plătește {amount}',
  'pay.heading': 'Plată către {creditor}',
  'scheme.domestic': 'Transfer intern',
  'scheme.instant': 'Transfer instant',
  'scheme.sepa': 'Transfer SEPA',
  'remitter.corporate': 'conturi de firmă',
  'pay.to': 'către {creditor}',
  'pay.payee': 'Beneficiar',
  'pay.iban': 'IBAN beneficiar',
  'pay.amount': 'Sumă',
  'pay.total': 'Total',
  'pay.reference': 'Detalii plată',
  'pay.expires': 'Link valabil până la',
  'pay.choose': 'Alege banca ta',
  'pay.choose.select': 'Selectează o bancă',
  'pay.none': 'Nicio bancă nu poate prelua această plată. Contactează beneficiarul.',
  'pay.button': 'Plătește {amount}',
  'pay.continue': 'Continuă la banca ta',
  'pay.inputs': 'Date cerute de {bank}',
  'pay.debtor_iban': 'IBAN-ul tău',
  'pay.debtor_iban.hint': 'Contul din care plătești, de ex. RO49 AAAA 1B31 0075 9384 0000.',
  'pay.psu_id': 'ID-ul tău de utilizator la bancă',
  'pay.psu_id.hint': 'ID-ul cu care intri în internet banking.',
  'pay.one_of': 'Completează cel puțin unul dintre cele două.',
  'pay.optional': 'opțional',
  'pay.qr': 'Scanează pentru a plăti de pe telefon',
  'pay.qr.alt': 'Cod QR al acestui link de plată',
  'pay.steps': 'Progres',
  'pay.method': 'Plătești cu',
  'redirect.title': 'Te ducem la banca ta…',
  'redirect.body': 'Vei confirma plata pe pagina {bank}.',
  'redirect.link': 'Continuă la {bank}',
  'status.live': 'Starea plății',
  'status.created': 'Se așteaptă plata',
  'status.started': 'Se așteaptă plata',
  'status.requested': 'Contactăm banca ta…',
  'status.intent_accepted': 'Banca ta așteaptă confirmarea',
  'status.awaiting_authz': 'Se așteaptă confirmarea ta la bancă',
  'status.received': 'Banca ta a primit plata',
  'status.submitted': 'Banca ta execută plata',
  'status.completed': 'Plată efectuată',
  'status.failed': 'Plata a eșuat',
  'status.revoked': 'Plată anulată',
  'status.funds_received': 'Plată efectuată',
  'status.funds_rejected': 'Banca beneficiarului a respins fondurile',
  'msg.progress': 'Pagina se actualizează singură. O poți închide: beneficiarul va afla rezultatul.',
  'msg.completed': 'Ai plătit {amount} către {creditor}.',
  'msg.failed': 'Plata nu a fost făcută. Nu s-au retras bani din contul tău.',
  'msg.revoked': 'Beneficiarul a anulat această cerere de plată.',
  'msg.expired': 'Acest link de plată a expirat. Cere beneficiarului unul nou.',
  'msg.funds_rejected': 'Banca beneficiarului nu a acceptat transferul. Contactează beneficiarul.',
  'expired.title': 'Link expirat',
  back: 'Înapoi la {merchant}',
  'back.auto': 'Te întoarcem la {merchant} în câteva secunde…',
  resume: 'Continuă la bancă',
  'error.title': 'Ceva nu a mers',
  'error.notfound': 'Acest link de plată nu există.',
  'error.csrf': 'Formularul a expirat. Te rugăm să încerci din nou.',
  'error.generic': 'Te rugăm să încerci din nou în câteva momente.',
  'error.code.bad_request': 'Acest pas nu mai este posibil. Pagina arată acum unde ai rămas.',
  'error.code.validation_error': 'Verifică datele introduse și încearcă din nou.',
  'error.code.method_selection_error': 'Alege una dintre băncile din listă.',
  'error.code.method_input_validation_error':
    'Banca ta are nevoie de mai multe date: completează câmpurile afișate pentru ea.',
  'error.code.link_expired': 'Timpul acestui link a expirat. Te rugăm să ceri unul nou.',
  'error.code.unprocessable_entity':
    'Acest pas nu a putut fi făcut acum. Încearcă din nou sau alege altă bancă.',
  'error.bank.refused': 'Banca ta a refuzat această cerere.',
  'error.bank.unavailable': 'Banca ta nu este disponibilă acum. Încearcă din nou în câteva minute.',
  'error.bank.codes': 'Cod bancă: {codes}',
  'step.choose': 'Alege banca',
  'step.authorise': 'Confirmă la bancă',
  'step.process': 'Procesare la bancă',
  'step.done': 'Gata',
};

const dictionaries: Record<Lang, Record<string, string>> = { en, ro };

export type Translate = (key: string, params?: Record<string, string>) => string;

/**
 * A translator for one language. Other pages (the consent page) pass their own strings in `extra`; a key
 * missing in a language falls back to English, then to the key itself.
 */
export function translator(lang: Lang, extra?: Partial<Record<Lang, Record<string, string>>>): Translate {
  const own = { ...dictionaries.en, ...extra?.en, ...dictionaries[lang], ...extra?.[lang] };
  return (key, params) => {
    const text = own[key] ?? key;
    return params ? text.replace(/\{(\w+)\}/g, (m, name: string) => params[name] ?? m) : text;
  };
}

/** Amounts as people read them: "1.234,50 RON" in Romanian, "1,234.50 RON" in English; never via floats. */
export function displayAmount(amount: string, currency: string, lang: Lang): string {
  const [whole = '0', fraction] = amount.split('.');
  const group = lang === 'ro' ? '.' : ',';
  const point = lang === 'ro' ? ',' : '.';
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  return `${grouped}${fraction !== undefined ? point + fraction : ''} ${currency}`;
}

export function displayDate(date: Date, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'ro' ? 'ro-RO' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'Europe/Bucharest',
  }).format(date);
}
