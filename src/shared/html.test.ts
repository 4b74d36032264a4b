import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw } from './html.js';

describe('html escaping', () => {
  it('escapes the five characters that matter in text and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(42)).toBe('42');
  });

  it('escapes every interpolated value unless it is already safe; joins arrays; drops null, undefined and false', () => {
    const name = '<script>alert(1)</script>';
    expect(html`<b title="${'"q"'}">${name}</b>`.value).toBe('<b title="&quot;q&quot;">&lt;script&gt;alert(1)&lt;/script&gt;</b>');
    expect(html`<ul>${['<1>', '2'].map((x) => html`<li>${x}</li>`)}</ul>`.value).toBe('<ul><li>&lt;1&gt;</li><li>2</li></ul>');
    expect(html`${raw('<br>')}${null}${undefined}${false}${0}`.value).toBe('<br>0');
    expect(String(html`<i>${'&'}</i>`)).toBe('<i>&amp;</i>');
  });
});
