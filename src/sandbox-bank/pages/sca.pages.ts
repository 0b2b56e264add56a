import { type BankId, banks } from '../banks.js';
import { accessKind } from '../consents.service.js';
import { fromMinor, toMinor } from '../data/money.js';
import {
  accountLabel,
  asksIbanAtLogin,
  consentAccountsForPage,
  debtorChoices,
  type ScaFlow,
} from '../sca.service.js';
import { errorBox, esc, field, hidden, layout } from './render.js';

const CREDENTIAL_HINTS: Record<BankId, string> = {
  rzb_ro: 'PSU ID 9999999998 · IBAN RO03RZBR0000069999999999',
  bt_ro: 'utilizator testbt · parolă testbt · PIN 1234567',
  cec_ro: 'utilizator testcecapi · parolă testcecapi · IBAN RO42CECEAG0202RON0007466',
};

function action(base: string, flow: ScaFlow, step: string) {
  return `${esc(base)}/sca/${esc(flow.auth.id)}/${step}`;
}

export function loginPage(base: string, flow: ScaFlow, error?: string): string {
  const bank = banks[flow.bank];
  const preset = flow.auth.psu_id ?? '';
  let fields: string;
  if (bank.login === 'psu-id') {
    fields = field('psuId', 'PSU ID (cod client)', { value: preset });
  } else {
    fields =
      field('username', 'Utilizator', { value: preset, autocomplete: 'username' }) +
      field('password', 'Parolă', { type: 'password', autocomplete: 'current-password' });
  }
  if (asksIbanAtLogin(flow)) fields += field('iban', 'IBAN cont debitor');
  const what = flow.payment ? 'autorizarea plății' : 'accesul la conturi';
  return layout(
    flow.bank,
    base,
    'Autentificare',
    `${errorBox(error)}<p>Autentificați-vă pentru ${what}.</p>
<form method="post" action="${action(base, flow, 'login')}" id="login-form">
${hidden('token', flow.auth.form_token)}${fields}
<button class="primary" type="submit" id="submit">Continuă</button>
</form>
<p class="hint">Date de test: ${esc(CREDENTIAL_HINTS[flow.bank])}</p>`,
  );
}

export function pinPage(base: string, flow: ScaFlow, error?: string): string {
  return layout(
    flow.bank,
    base,
    'Confirmare cu PIN',
    `${errorBox(error)}<p>Introduceți codul PIN trimis în aplicația BT Pay.</p>
<form method="post" action="${action(base, flow, 'pin')}" id="pin-form">
${hidden('token', flow.auth.form_token)}${field('pin', 'PIN', { type: 'password', autocomplete: 'one-time-code' })}
<button class="primary" type="submit" id="submit">Confirmă</button>
</form>`,
  );
}

const decisionButtons = `<div class="actions">
<button class="primary" type="submit" name="decision" value="approve" id="approve">Autorizează</button>
<button class="secondary" type="submit" name="decision" value="deny" id="deny" formnovalidate>Refuză</button>
</div>`;

export function reviewPage(base: string, flow: ScaFlow, error?: string): string {
  if (flow.payment) {
    const p = flow.payment;
    const choices = debtorChoices(flow);
    const debtor =
      choices.length === 1
        ? `<dt>Din contul</dt><dd id="debtor">${esc(accountLabel(choices[0]!))}</dd>`
        : `</dl><p>Alegeți contul din care plătiți:</p>${choices
            .map(
              (iban, i) =>
                `<label class="account"><input type="radio" name="debtor" value="${esc(iban)}"${i === 0 ? ' checked' : ''}> ${esc(accountLabel(iban))}</label>`,
            )
            .join('')}<dl>`;
    const remittance =
      typeof p.request.remittanceInformationUnstructured === 'string'
        ? p.request.remittanceInformationUnstructured
        : '';
    return layout(
      flow.bank,
      base,
      'Autorizare plată',
      `${errorBox(error)}<div class="amount" id="amount">${esc(fromMinor(toMinor(p.amount)!))} ${esc(p.currency)}</div>
<form method="post" action="${action(base, flow, 'decision')}" id="decision-form">
${hidden('token', flow.auth.form_token)}
<dl>
<dt>Beneficiar</dt><dd id="creditor">${esc(p.creditor_name)}</dd>
<dt>IBAN beneficiar</dt><dd>${esc(p.creditor_iban)}</dd>
${remittance ? `<dt>Detalii</dt><dd>${esc(remittance)}</dd>` : ''}
${debtor}
</dl>
${decisionButtons}
</form>`,
    );
  }
  const { ibans, selectable, foreign } = consentAccountsForPage(flow);
  const kind = flow.consent ? accessKind(flow.consent.access) : 'named';
  const scope =
    kind === 'availableAccounts'
      ? 'lista conturilor'
      : kind === 'availableAccountsWithBalance'
        ? 'lista conturilor și soldurile'
        : 'conturile, soldurile și tranzacțiile';
  const list = ibans
    .map((iban) =>
      selectable
        ? `<label class="account"><input type="checkbox" name="accounts" value="${esc(iban)}" checked> ${esc(accountLabel(iban))}</label>`
        : `<div class="account">${esc(accountLabel(iban))}</div>`,
    )
    .join('');
  const warning = foreign.length
    ? `<p class="hint">${foreign.length} cont(uri) cerute nu vă aparțin și nu vor fi partajate.</p>`
    : '';
  return layout(
    flow.bank,
    base,
    'Acord acces la conturi',
    `${errorBox(error)}<p>Aplicația solicită acces la ${scope}, până la ${esc(flow.consent?.valid_until ?? '')}.</p>
<form method="post" action="${action(base, flow, 'decision')}" id="decision-form">
${hidden('token', flow.auth.form_token)}
<div id="accounts">${list}</div>${warning}
${decisionButtons}
</form>`,
  );
}

export function donePage(base: string, flow: ScaFlow): string {
  const failed = flow.auth.sca_status !== 'finalised';
  const parent = (flow.payment ?? flow.consent)!;
  const back = failed ? (parent.nok_redirect_uri ?? parent.redirect_uri) : parent.redirect_uri;
  return layout(
    flow.bank,
    base,
    failed ? 'Autorizare nereușită' : 'Autorizare finalizată',
    `<p>${failed ? 'Autorizarea nu a fost acordată.' : 'Autorizarea a fost înregistrată.'}</p><p><a href="${esc(back)}" id="back">Înapoi la aplicație</a></p>`,
  );
}

export function notFoundPage(bank: BankId, base: string): string {
  return layout(
    bank,
    base,
    'Sesiune necunoscută',
    '<p>Link-ul de autorizare nu este valid sau a expirat.</p>',
  );
}
