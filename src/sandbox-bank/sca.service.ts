import { timingSafeEqual } from 'node:crypto';
import { type BankId, banks } from './banks.js';
import { decideConsent, grantFor, requestedIbans } from './consents.service.js';
import type { SandboxContext } from './context.js';
import { findAccountByIban, findUser, type SandboxUser } from './data/users.js';
import { approvePayment, refusePayment } from './payments.service.js';
import { resourceUnknown } from './psd2-error.js';
import {
  type AuthorisationRow,
  type ConsentRow,
  findAuthorisation,
  findConsent,
  findPayment,
  type PaymentRow,
  updateAuthorisation,
} from './sandbox.repository.js';

/** After this many wrong sign-ins the authorisation fails (and so does the payment or consent). */
export const MAX_FAILURES = 3;

export interface ScaFlow {
  auth: AuthorisationRow;
  bank: BankId;
  payment: PaymentRow | undefined;
  consent: ConsentRow | undefined;
  user: SandboxUser | undefined;
}

export type ScaOutcome =
  | { kind: 'show' }
  | { kind: 'error'; message: string }
  | { kind: 'redirect'; url: string };

export async function loadFlow(ctx: SandboxContext, bank: BankId, authId: string): Promise<ScaFlow> {
  const auth = await findAuthorisation(ctx.db, authId);
  if (!auth || auth.bank !== bank) throw resourceUnknown('authorisation');
  const payment =
    auth.parent_kind === 'payment' ? await findPayment(ctx.db, bank, auth.parent_id) : undefined;
  const consent =
    auth.parent_kind === 'consent' ? await findConsent(ctx.db, bank, auth.parent_id) : undefined;
  const user = auth.psu_id && auth.step !== 'login' ? findUser(bank, auth.psu_id) : undefined;
  return { auth, bank, payment, consent, user };
}

export function tokenMatches(flow: ScaFlow, token: unknown): boolean {
  if (typeof token !== 'string') return false;
  const a = Buffer.from(token);
  const b = Buffer.from(flow.auth.form_token);
  return a.length === b.length && timingSafeEqual(a, b);
}

const okUri = (flow: ScaFlow) => (flow.payment ?? flow.consent)!.redirect_uri;
const nokUri = (flow: ScaFlow) => {
  const parent = (flow.payment ?? flow.consent)!;
  return parent.nok_redirect_uri ?? parent.redirect_uri;
};

/** The debtor IBAN is asked at sign-in when the API did not send it (rzb_ro, cec_ro). */
export function asksIbanAtLogin(flow: ScaFlow): boolean {
  return (
    flow.payment !== undefined && !flow.payment.debtor_iban && banks[flow.bank].login !== 'user-password-pin'
  );
}

async function fail(ctx: SandboxContext, flow: ScaFlow, message: string): Promise<ScaOutcome> {
  const failures = flow.auth.failures + 1;
  const now = ctx.clock.now();
  if (failures < MAX_FAILURES) {
    await updateAuthorisation(ctx.db, flow.auth.id, flow.auth.step, { failures, updated_at: now });
    return { kind: 'error', message: `${message} (încercarea ${failures} din ${MAX_FAILURES})` };
  }
  await updateAuthorisation(ctx.db, flow.auth.id, flow.auth.step, {
    failures,
    step: 'done',
    sca_status: 'failed',
    updated_at: now,
  });
  if (flow.payment) await refusePayment(ctx, flow.payment, 'sca_failed');
  if (flow.consent) await decideConsent(ctx, flow.consent, 'sca_failed', null).catch(() => undefined);
  return { kind: 'redirect', url: nokUri(flow) };
}

export async function submitLogin(
  ctx: SandboxContext,
  flow: ScaFlow,
  form: Record<string, string | undefined>,
): Promise<ScaOutcome> {
  if (flow.auth.step !== 'login') return { kind: 'show' };
  const profile = banks[flow.bank];
  const login = (form.username ?? form.psuId ?? '').trim();
  const user = findUser(flow.bank, login);
  const passwordOk =
    profile.login === 'psu-id' || (user?.password !== undefined && form.password === user.password);
  if (!user || !passwordOk) return fail(ctx, flow, 'Date de autentificare incorecte');
  if (flow.auth.psu_id && flow.auth.psu_id !== user.psuId)
    return fail(ctx, flow, 'Utilizatorul nu corespunde cererii (PSU-ID)');
  let debtorIban: string | null = null;
  if (flow.payment) {
    const wanted =
      flow.payment.debtor_iban ??
      (asksIbanAtLogin(flow) ? (form.iban ?? '').replace(/\s+/g, '').toUpperCase() : null);
    if (wanted !== null) {
      if (!user.accounts.some((a) => a.iban === wanted))
        return fail(ctx, flow, 'IBAN-ul nu aparține utilizatorului');
      debtorIban = wanted;
    }
  }
  const nextStep = profile.login === 'user-password-pin' ? 'pin' : 'review';
  await updateAuthorisation(ctx.db, flow.auth.id, 'login', {
    psu_id: user.psuId,
    debtor_iban: debtorIban,
    step: nextStep,
    sca_status: nextStep === 'pin' ? 'psuIdentified' : 'psuAuthenticated',
    updated_at: ctx.clock.now(),
  });
  return { kind: 'show' };
}

export async function submitPin(
  ctx: SandboxContext,
  flow: ScaFlow,
  pin: string | undefined,
): Promise<ScaOutcome> {
  if (flow.auth.step !== 'pin') return { kind: 'show' };
  const user = findUser(flow.bank, flow.auth.psu_id ?? '');
  if (!user?.pin || pin !== user.pin) return fail(ctx, flow, 'Cod PIN incorect');
  await updateAuthorisation(ctx.db, flow.auth.id, 'pin', {
    step: 'review',
    sca_status: 'psuAuthenticated',
    updated_at: ctx.clock.now(),
  });
  return { kind: 'show' };
}

/** Accounts the PSU may pay from: the one fixed by the API or sign-in, else theirs in the payment currency. */
export function debtorChoices(flow: ScaFlow): string[] {
  const fixed = flow.payment?.debtor_iban ?? flow.auth.debtor_iban;
  if (fixed) return [fixed];
  return (flow.user?.accounts ?? []).filter((a) => a.currency === flow.payment?.currency).map((a) => a.iban);
}

export async function submitDecision(
  ctx: SandboxContext,
  flow: ScaFlow,
  form: { decision?: string | undefined; debtor?: string | undefined; accounts: string[] },
): Promise<ScaOutcome> {
  if (flow.auth.step !== 'review' || !flow.user) return { kind: 'show' };
  const approve = form.decision === 'approve';
  const now = ctx.clock.now();
  if (approve && flow.consent) {
    const grant = grantFor(flow.consent, flow.user, form.accounts);
    if (grant.accounts.length === 0) return { kind: 'error', message: 'Selectați cel puțin un cont.' };
  }
  let debtor: string | undefined;
  if (approve && flow.payment) {
    const choices = debtorChoices(flow);
    debtor = choices.length === 1 ? choices[0] : form.debtor;
    if (!debtor || !choices.includes(debtor))
      return { kind: 'error', message: 'Alegeți contul din care plătiți.' };
  }
  const done = await updateAuthorisation(ctx.db, flow.auth.id, 'review', {
    step: 'done',
    sca_status: approve ? 'finalised' : 'failed',
    updated_at: now,
  });
  if (!done) return { kind: 'show' };
  if (flow.payment) {
    if (!approve) {
      await refusePayment(ctx, flow.payment, 'denied');
      return { kind: 'redirect', url: nokUri(flow) };
    }
    const outcome = await approvePayment(ctx, flow.payment, debtor!);
    return { kind: 'redirect', url: outcome.status === 'ACTC' ? okUri(flow) : nokUri(flow) };
  }
  const consent = flow.consent!;
  if (!approve) {
    await decideConsent(ctx, consent, 'denied', flow.user.psuId);
    return { kind: 'redirect', url: nokUri(flow) };
  }
  await decideConsent(
    ctx,
    consent,
    'authorised',
    flow.user.psuId,
    grantFor(consent, flow.user, form.accounts),
  );
  return { kind: 'redirect', url: okUri(flow) };
}

export function consentAccountsForPage(flow: ScaFlow) {
  if (!flow.consent || !flow.user) return { ibans: [], selectable: false, foreign: [] };
  return requestedIbans(flow.consent, flow.user);
}

export const accountLabel = (iban: string) => {
  const acc = findAccountByIban(iban);
  return acc ? `${acc.name} · ${acc.currency} · ${iban}` : iban;
};
