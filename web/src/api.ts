/**
 * The one way the web app talks to the service: JSON over fetch with the session cookie, the CSRF
 * token on every write, errors as ApiError carrying the API's own messages, and a 401 hook that
 * sends the user back to sign in.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Messages by field name, as the API names fields ("categories.0" also counts for "categories"). */
  fieldMessages(): Record<string, string> {
    const out: Record<string, string> = {};
    const add = (k: string, m: string) => (out[k] = out[k] ? `${out[k]}；${m}` : m);
    for (const d of this.details) {
      add(d.field, d.message);
      const head = d.field.split('.')[0]!;
      if (head !== d.field) add(head, d.message);
    }
    return out;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
let csrfToken: string | null = null;
let onUnauthorized: () => void = () => {};

export function setCsrfToken(token: string | null) {
  csrfToken = token;
}
export function setUnauthorizedHandler(fn: () => void) {
  onUnauthorized = fn;
}

function asProblems(details: unknown): FieldProblem[] {
  if (!Array.isArray(details)) return [];
  return details.filter((d): d is FieldProblem => !!d && typeof d.field === 'string' && typeof d.message === 'string');
}

async function toError(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string; details?: unknown } };
    if (body.error?.message) return new ApiError(res.status, body.error.code ?? 'error', body.error.message, asProblems(body.error.details));
  } catch {
    /* not JSON: fall through */
  }
  return new ApiError(res.status, 'http_' + res.status, text.trim().slice(0, 300) || `请求失败 (HTTP ${res.status})`);
}

export interface RequestOptions {
  /** A 401 is the answer itself (e.g. wrong password), not a lost session. */
  expect401?: boolean;
}

/** Sends a request and resolves with the parsed JSON (undefined for 204); rejects with ApiError. */
export async function request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (UNSAFE.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network', '无法连接服务器，请检查网络 (cannot reach the server)');
  }
  if (!res.ok) {
    const err = await toError(res);
    if (res.status === 401 && !opts.expect401) onUnauthorized();
    throw err;
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, body ?? {}, opts),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  del: <T = void>(path: string) => request<T>('DELETE', path),
};

/** The file name a content-disposition header offers (RFC 6266: filename* before filename), if any. */
function dispositionName(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1]!.trim());
    } catch {
      /* malformed: fall back */
    }
  }
  return /filename="?([^";]+)"?/i.exec(header)?.[1] ?? null;
}

/** Downloads a file the API serves (template, export) and saves it under the server's name; rejects with the API's message. */
export async function download(path: string, fileName: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network', '无法连接服务器，请检查网络 (cannot reach the server)');
  }
  if (!res.ok) {
    const err = await toError(res);
    if (res.status === 401) onUnauthorized();
    throw err;
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = dispositionName(res.headers.get('content-disposition')) ?? fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Builds a query string from the values that are set. */
export function qs(params: Record<string, string | number | boolean | null | undefined>): string {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') s.set(k, String(v));
  const out = s.toString();
  return out ? `?${out}` : '';
}

// Lists that rarely change within a session (vocabulary, jurisdictions): fetched once, dropped on sign-out.
const cache = new Map<string, Promise<unknown>>();
export function clearCache() {
  cache.clear();
}
/** One answer per path for the session (a failure is not kept); for names and lists that rarely change. */
export function cachedGet<T>(path: string): Promise<T> {
  let p = cache.get(path) as Promise<T> | undefined;
  if (!p) {
    p = api.get<T>(path);
    cache.set(path, p);
    p.catch(() => cache.delete(path));
  }
  return p;
}

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

/** GETs a path (null: nothing to load) and re-fetches when it changes; `cached` shares one answer per session. */
export function useGet<T>(path: string | null, opts: { cached?: boolean } = {}): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: path !== null });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    if (path === null) {
      setState({ loading: false });
      return;
    }
    const n = ++latest.current;
    setState((s) => ({ data: s.data, loading: true }));
    (opts.cached ? cachedGet<T>(path) : api.get<T>(path)).then(
      (data) => n === latest.current && setState({ data, loading: false }),
      (e: unknown) => n === latest.current && setState({ error: e instanceof ApiError ? e : new ApiError(0, 'error', String(e)), loading: false }),
    );
  }, [path, tick, opts.cached]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
