import { html, type Raw, raw } from './html.js';
import type { Lang, Translate } from './i18n.js';
import type { SelectorStyle } from './templates.js';

/**
 * The state the page script (assets/pay.js.ts) applies: sent over SSE, by the polling endpoint, and with the
 * first render. Every flow's page has this shape, so one script serves them all.
 */
export interface LiveState<S extends string = string> {
  status: S;
  title: string;
  message: string;
  final: boolean;
  ok: boolean;
  /** The current step (0–3), 4 when final. */
  step: number;
  /** Whether the user may go back to the bank's SCA page. */
  resume: boolean;
  redirect: string | null;
  auto: string | null;
}

/** The client's redirect_url with the flow's ids and status set; null when there is none (or it is no URL). */
export function returnUrl(redirectUrl: string | null, params: Record<string, string>): string | null {
  if (!redirectUrl) return null;
  try {
    const url = new URL(redirectUrl);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url.href;
  } catch {
    return null;
  }
}

/** The step a status stands at: the index of the first group holding it, else the last step. */
export function stepOf<S extends string>(status: S, groups: readonly (readonly S[])[]): number {
  const at = groups.findIndex((group) => group.includes(status));
  return at < 0 ? groups.length : at;
}

/** One choice among banks: a payment method, an AIS method. */
export interface BankChoice {
  id: string;
  providerId: string;
  name: string;
  /** A second line (the payment scheme). */
  sub?: string | undefined;
}

/** The bank choice drawn in the template's selector style (`method_id` in the form). */
export function bankPicker(o: {
  selector: SelectorStyle;
  legend: string;
  placeholder: string;
  choices: readonly BankChoice[];
  chosen: string;
}): Raw {
  if (o.selector === 'select') {
    return html`<div class="field"><label for="method">${o.legend}</label><select id="method" name="method_id" required>
<option value="">${o.placeholder}</option>
${o.choices.map((c) => html`<option value="${c.id}"${raw(c.id === o.chosen ? ' selected' : '')}>${c.name}${c.sub === undefined ? '' : ` — ${c.sub}`}</option>`)}</select></div>`;
  }
  const list = o.selector === 'grid' ? 'tiles' : o.selector === 'chips' ? 'methods-chips' : 'methods';
  return html`<fieldset><legend>${o.legend}</legend><div class="${list}">${o.choices.map((c) => {
    const id = `m-${c.id}`;
    return html`<label class="method" for="${id}"><input type="radio" id="${id}" name="method_id" value="${c.id}" required${raw(c.id === o.chosen ? ' checked' : '')}><img src="${`/providers/logos/${c.providerId}.svg`}" alt="" width="36" height="36"><span><span class="m-name">${c.name}</span>${c.sub === undefined ? '' : html`<span class="m-sub">${c.sub}</span>`}</span></label>`;
  })}</div></fieldset>`;
}

/**
 * The live status block the page script keeps current: badge, steps, "continue at the bank" (posts to
 * `{base}/authorize`) and the way back to the client.
 */
export function statusBlock(o: {
  base: string;
  lang: Lang;
  t: Translate;
  csrf: string;
  state: LiveState;
  /** The four step labels (i18n keys). */
  steps: readonly string[];
  stepsLabel: string;
  /** Show a spinner while not final. */
  busy: boolean;
  /** Who the user returns to. */
  merchant: string;
}): Raw {
  const { t, state: s } = o;
  const lang = `?lang=${o.lang}`;
  return html`<div class="status" data-live="${`${o.base}/events${lang}`}" data-poll="${`${o.base}/status${lang}`}" data-status="${s.status}" data-final="${s.final ? '1' : '0'}" data-state="${JSON.stringify(s)}">
<div role="status" aria-live="polite" aria-atomic="true">
<p><span class="badge"${raw(s.final ? ` data-final="${s.ok ? 'ok' : 'bad'}"` : '')}>${s.title}</span> ${o.busy && !s.final ? html`<span class="spin" aria-hidden="true"></span>` : ''}</p>
<h2 class="sr" data-s="title">${s.title}</h2>
<p data-s="message">${s.message}</p>
</div>
<ol class="steps" aria-label="${o.stepsLabel}">${o.steps.map((k, n) => html`<li data-state="${n < s.step ? 'done' : n === s.step ? 'current' : 'todo'}"${raw(n === s.step ? ' aria-current="step"' : '')}>${t(k)}</li>`)}</ol>
<form method="post" action="${`${o.base}/authorize`}" data-s="resume"${raw(s.resume ? '' : ' hidden')}><input type="hidden" name="csrf" value="${o.csrf}"><button type="submit" class="btn secondary">${t('resume')}</button></form>
<a class="btn" data-s="back" href="${s.redirect ?? '#'}"${raw(s.redirect ? '' : ' hidden')}>${t('back', { merchant: o.merchant })}</a>
<p class="hint" data-s="auto"></p>
</div>`;
}
