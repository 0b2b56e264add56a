import { uxTemplates } from '../auth/index.js';
import { html, type Raw } from './html.js';
import type { Lang, Translate } from './i18n.js';

/** The seven hosted-page templates: the seed's six plus `receipt`, Ferry's own (a paper-receipt layout). */
export const templates = uxTemplates;
export type Template = (typeof templates)[number];
export const isTemplate = (v: unknown): v is Template => (templates as readonly unknown[]).includes(v);

/** How each template draws a choice among banks. */
export type SelectorStyle = 'list' | 'select' | 'rows' | 'grid' | 'chips';
export const selectorStyle: Record<Template, SelectorStyle> = {
  default: 'list',
  classic: 'select',
  compact: 'rows',
  cards: 'grid',
  glass: 'chips',
  sheet: 'list',
  receipt: 'list',
};

/** What a page puts where; each template arranges the regions in its own way. */
export interface Regions {
  /** Who is paid (or asks) and how much: the headline. */
  hero: Raw;
  /** The interactive block: the bank choice form, or the live status. */
  main: Raw;
  /** Supporting facts (a `dl.details`), shown beside, before, folded or printed, per template. */
  details?: Raw | undefined;
  /** Desktop-only extras such as the QR code. */
  aside?: Raw | undefined;
  /** A final action bar (the pay button) that `sheet` pins to the bottom. */
  actions?: Raw | undefined;
}

export interface FrameContext {
  t: Translate;
  lang: Lang;
  /** Language switcher links. */
  langs: Raw;
  /** The merchant or app name in the page header. */
  brand: string;
  /** The page's one h1. */
  heading: string;
}

const footer = (c: FrameContext) => html`<footer class="foot"><p>${c.t('powered')}</p></footer>`;

export const frames: Record<Template, (r: Regions, c: FrameContext) => Raw> = {
  default: (r, c) => html`
<header class="top"><span class="brand">${c.brand}</span><nav aria-label="${c.t('lang.switch')}">${c.langs}</nav></header>
<main id="main" class="wrap">
  <section class="panel hero"><h1>${c.heading}</h1>${r.hero}</section>
  <section class="panel">${r.main}${r.actions}</section>
  <div class="side">${r.details ? html`<section class="panel">${r.details}</section>` : ''}${r.aside ? html`<section class="panel">${r.aside}</section>` : ''}</div>
</main>${footer(c)}`,

  classic: (r, c) => html`
<header class="bar"><span>&#128274; ${c.t('secure')} · ${c.brand}</span><nav aria-label="${c.t('lang.switch')}">${c.langs}</nav></header>
<main id="main">
  <div class="doc">
    <h1>${c.heading}</h1>
    ${r.details ? html`<section class="side">${r.details}</section>` : ''}
    ${r.hero}
    ${r.main}${r.actions}
    ${r.aside}
  </div>
</main>${footer(c)}`,

  compact: (r, c) => html`
<main id="main" class="card">
  <h1 class="sr">${c.heading}</h1>
  <div class="line">${r.hero}</div>
  ${r.details ? html`<details><summary>${c.t('pay.reference')}</summary>${r.details}</details>` : ''}
  ${r.main}${r.actions}
  <div class="foot"><span>${c.t('secure')}</span><nav aria-label="${c.t('lang.switch')}">${c.langs}</nav></div>
</main>`,

  cards: (r, c) => html`
<header class="banner"><div class="row"><div><h1>${c.heading}</h1>${r.hero}</div><nav aria-label="${c.t('lang.switch')}">${c.langs}</nav></div></header>
<main id="main">
  ${r.details ? html`<div class="strip">${r.details}</div>` : ''}
  <div class="grid-wrap">${r.main}${r.actions}${r.aside}</div>
</main>${footer(c)}`,

  glass: (r, c) => html`
<div class="stage">
  <header class="top"><strong>${c.brand}</strong><nav aria-label="${c.t('lang.switch')}">${c.langs}</nav></header>
  <main id="main" class="pane"><div class="hero"><h1>${c.heading}</h1>${r.hero}</div>${r.main}${r.actions}</main>
  <aside class="pane">${r.details}${r.aside}${footer(c)}</aside>
</div>`,

  sheet: (r, c) => html`
<header class="cover"><nav aria-label="${c.t('lang.switch')}">${c.langs}</nav><h1>${c.heading}</h1>${r.hero}</header>
<main id="main" class="sheet">
  ${r.details ? html`<details><summary>${c.t('pay.reference')}</summary>${r.details}</details>` : ''}
  ${r.main}
  ${r.actions ? html`<div class="pay-bar">${r.actions}</div>` : ''}
  ${footer(c)}
</main>`,

  receipt: (r, c) => html`
<main id="main" class="paper">
  <header><p>${c.t('secure')}</p><h1>${c.brand}</h1></header>
  <hr>
  ${r.details}
  <hr>
  <div class="total">${r.hero}</div>
  <hr>
  <h2 class="sr">${c.heading}</h2>
  ${r.main}${r.actions}
  ${r.aside}
  <nav aria-label="${c.t('lang.switch')}">${c.langs}</nav>
  ${footer(c)}
</main>`,
};
