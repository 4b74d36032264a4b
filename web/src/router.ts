/**
 * A small history router under /admin: the server answers every /admin/* path with index.html, so
 * deep links and reloads work. Filters live in the query string so Back restores a list.
 */
import { createElement, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

export const BASE = '/admin';
const CHANGE = 'mashang:navigate';

function subscribe(fn: () => void) {
  window.addEventListener('popstate', fn);
  window.addEventListener(CHANGE, fn);
  return () => {
    window.removeEventListener('popstate', fn);
    window.removeEventListener(CHANGE, fn);
  };
}
const snapshot = () => location.pathname + location.search;

export function href(to: string): string {
  return BASE + (to.startsWith('/') ? to : `/${to}`);
}

export function navigate(to: string, opts: { replace?: boolean } = {}) {
  const url = href(to);
  if (url === snapshot()) return;
  if (opts.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.dispatchEvent(new Event(CHANGE));
  if (!opts.replace) window.scrollTo(0, 0);
}

export interface Location {
  path: string;
  query: URLSearchParams;
  /** path + search, within the app */
  full: string;
}

export function useLocation(): Location {
  const s = useSyncExternalStore(subscribe, snapshot);
  const [pathname, search = ''] = s.split('?');
  let path = pathname!.startsWith(BASE) ? pathname!.slice(BASE.length) : pathname!;
  if (!path || path === '') path = '/';
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return { path, query: new URLSearchParams(search), full: path + (search ? `?${search}` : '') };
}

/** Matches "/merchants/:id/edit" against a path; returns the named parts or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/');
  const a = path.split('/');
  if (p.length !== a.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i]!.startsWith(':')) out[p[i]!.slice(1)] = decodeURIComponent(a[i]!);
    else if (p[i] !== a[i]) return null;
  }
  return out;
}

/** The page number in the query string: a whole number from 1, whatever was typed into the address bar. */
export function pageOf(loc: Location): number {
  const n = Math.floor(Number(loc.query.get('page')));
  return Number.isFinite(n) && n >= 1 ? n : 1;
}

/** Sets some query parameters of the current path (empty values removed), replacing the history entry. */
export function setQuery(loc: Location, changes: Record<string, string | number | null | undefined>, opts: { keepPage?: boolean } = {}) {
  const q = new URLSearchParams(loc.query);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === null || v === '') q.delete(k);
    else q.set(k, String(v));
  }
  if (!opts.keepPage && !('page' in changes)) q.delete('page');
  const s = q.toString();
  navigate(loc.path + (s ? `?${s}` : ''), { replace: true });
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string };

export function Link({ to, onClick, ...rest }: LinkProps) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return createElement('a', { ...rest, href: href(to), onClick: handle });
}
