/** Form state with the API's answer mapped onto it: each details[].message by its field, the overall message on top. */
import { useState, type ChangeEvent } from 'react';
import { ApiError } from './api';

export interface FormState<T extends Record<string, unknown>> {
  values: T;
  set: <K extends keyof T>(name: K, value: T[K]) => void;
  setAll: (values: T) => void;
  /** Props for a text-like input or select bound to a string field. */
  bind: (name: keyof T & string) => {
    id: string;
    name: string;
    value: string;
    onChange: (e: ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) => void;
    'aria-invalid': boolean;
    'aria-describedby'?: string;
  };
  errors: Record<string, string>;
  topError: string | null;
  submitting: boolean;
  /** Runs an API call; a rejection fills in the errors instead of throwing. Resolves with the result or undefined. */
  submit: <R>(fn: () => Promise<R>) => Promise<R | undefined>;
  clearErrors: () => void;
}

export const fieldId = (name: string) => `f-${name}`;
export const errorId = (name: string) => `f-${name}-error`;

export function useForm<T extends Record<string, unknown>>(initial: T): FormState<T> {
  const [values, setValues] = useState<T>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [topError, setTopError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  const set = <K extends keyof T>(name: K, value: T[K]) => setValues((v) => ({ ...v, [name]: value }));

  return {
    values,
    set,
    setAll: setValues,
    bind: (name) => ({
      id: fieldId(name),
      name,
      value: values[name] == null ? '' : String(values[name]),
      onChange: (e) => set(name, e.target.value as T[typeof name]),
      'aria-invalid': !!errors[name],
      ...(errors[name] ? { 'aria-describedby': errorId(name) } : {}),
    }),
    errors,
    topError,
    submitting,
    clearErrors: () => {
      setErrors({});
      setTopError(null);
    },
    submit: async (fn) => {
      setSubmitting(true);
      setErrors({});
      setTopError(null);
      try {
        return await fn();
      } catch (e) {
        if (e instanceof ApiError) {
          setErrors(e.fieldMessages());
          setTopError(e.message);
        } else setTopError(String(e));
        return undefined;
      } finally {
        setSubmitting(false);
      }
    },
  };
}

/** Empty text → undefined, otherwise the number as typed (the API judges it). */
export function numberOrUndefined(s: string): number | undefined {
  const t = s.trim();
  return t === '' ? undefined : Number(t);
}

/** Only the fields whose value differs from the original: what a PATCH should carry. */
export function changed<T extends Record<string, unknown>>(original: Partial<T>, next: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(next) as (keyof T)[]) {
    if (JSON.stringify(original[k] ?? null) !== JSON.stringify(next[k] ?? null)) out[k] = next[k];
  }
  return out;
}
