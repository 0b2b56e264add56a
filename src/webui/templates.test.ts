import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw } from './html.js';
import { displayAmount, pickLanguage, translator } from './i18n.js';
import { templates } from './templates.js';

describe('hosted page templates', () => {
  it('there are seven', () => {
    expect(templates).toEqual(['default', 'classic', 'compact', 'cards', 'glass', 'sheet', 'receipt']);
  });
});

describe('webui helpers', () => {
  it('html escapes interpolations unless raw', () => {
    expect(html`<p>${'<b>&"\''}</p>`.value).toBe('<p>&lt;b&gt;&amp;&quot;&#39;</p>');
    expect(html`<p>${raw('<b>')}</p>`.value).toBe('<p><b></p>');
    expect(html`<p>${['a', html`<i>${'<'}</i>`]}</p>`.value).toBe('<p>a<i>&lt;</i></p>');
    expect(escapeHtml('x')).toBe('x');
  });

  it('picks the language: query, link option, Accept-Language, then ro', () => {
    expect(pickLanguage('en', 'ro', 'ro')).toBe('en');
    expect(pickLanguage(undefined, 'en', 'ro')).toBe('en');
    expect(pickLanguage(undefined, null, 'de-DE,en;q=0.8,ro;q=0.5')).toBe('en');
    expect(pickLanguage(undefined, null, 'fr')).toBe('ro');
    expect(pickLanguage('xx', null, undefined)).toBe('ro');
  });

  it('formats amounts per language from the string, never a float', () => {
    expect(displayAmount('1234567.50', 'RON', 'ro')).toBe('1.234.567,50 RON');
    expect(displayAmount('1234567.50', 'RON', 'en')).toBe('1,234,567.50 RON');
    expect(displayAmount('0.10', 'EUR', 'en')).toBe('0.10 EUR');
    expect(displayAmount('999999999.99', 'RON', 'en')).toBe('999,999,999.99 RON');
  });

  it('has every message in both languages', () => {
    const en = translator('en');
    const ro = translator('ro');
    const keys = [
      'pay.heading',
      'status.completed',
      'status.funds_rejected',
      'msg.expired',
      'back',
      'step.done',
    ];
    for (const k of keys) {
      expect(en(k)).not.toBe(k);
      expect(ro(k)).not.toBe(k);
      expect(ro(k)).not.toBe(en(k));
    }
    expect(translator('ro', { ro: { 'x.y': 'Salut {n}' } })('x.y', { n: 'Ana' })).toBe('Salut Ana');
  });
});
