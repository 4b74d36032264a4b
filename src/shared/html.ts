/**
 * Escaping for server-rendered pages. `html` is a tagged template that escapes every interpolated
 * value unless it is already SafeHtml (another `html` result, or `raw()` of trusted markup);
 * arrays are joined, null and undefined render as nothing.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe in element content and in quoted attribute values. */
export const escapeHtml = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]!);

export class SafeHtml {
  constructor(readonly value: string) {}
  toString() {
    return this.value;
  }
}

/** Markup the caller vouches for: never pass it anything that came from a request or the database. */
export const raw = (markup: string) => new SafeHtml(markup);

const piece = (v: unknown): string => (v instanceof SafeHtml ? v.value : Array.isArray(v) ? v.map(piece).join('') : v === null || v === undefined || v === false ? '' : escapeHtml(v));

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += piece(values[i]) + strings[i + 1]!;
  return new SafeHtml(out);
}
