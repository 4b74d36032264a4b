/** Small shared pieces of the back office: page frame, panels, fields, pager, badges, modal. */
import { useEffect, type ReactNode } from 'react';
import type { ApiError } from './api';
import { errorId, fieldId } from './form';
import { VERIFICATION_LABELS } from './labels';
import type { VerificationStatus } from './types';

export function PageHeader({ title, en, actions, children }: { title: string; en: string; actions?: ReactNode; children?: ReactNode }) {
  return (
    <div className="page-header">
      <div>
        <h1>
          {title} <span className="en">{en}</span>
        </h1>
        {children}
      </div>
      {actions && <div className="actions">{actions}</div>}
    </div>
  );
}

export function Panel({ title, en, actions, children, className }: { title: string; en?: string; actions?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={`panel ${className ?? ''}`}>
      <header>
        <h2>
          {title} {en && <span className="en">{en}</span>}
        </h2>
        {actions && <div className="actions">{actions}</div>}
      </header>
      <div className="panel-body">{children}</div>
    </section>
  );
}

export function ErrorBox({ error, message }: { error?: ApiError | null; message?: string | null }) {
  const text = message ?? error?.message;
  if (!text) return null;
  return (
    <div className="alert alert-error" role="alert">
      {text}
    </div>
  );
}

export function Notice({ children, kind = 'info' }: { children: ReactNode; kind?: 'info' | 'warn' | 'ok' }) {
  return <div className={`alert alert-${kind}`}>{children}</div>;
}

export function Loading() {
  return <div className="loading">加载中… Loading…</div>;
}

/** A labelled form field; the control inside must use id f-{name} (FormState.bind does). */
export function Field({ label, en, name, error, hint, children, wide, required }: { label: string; en: string; name: string; error?: string; hint?: ReactNode; children: ReactNode; wide?: boolean; required?: boolean }) {
  return (
    <div className={`field ${wide ? 'wide' : ''} ${error ? 'has-error' : ''}`}>
      <label htmlFor={fieldId(name)}>
        {required && <span className="req">*</span>}
        {label} <span className="en">{en}</span>
      </label>
      {children}
      {hint && <div className="hint">{hint}</div>}
      {error && (
        <div className="field-error" id={errorId(name)} data-field={name}>
          {error}
        </div>
      )}
    </div>
  );
}

export function FormActions({ children }: { children: ReactNode }) {
  return <div className="form-actions">{children}</div>;
}

export function Pager({ page, pageSize, total, onPage }: { page: number; pageSize: number; total: number; onPage: (p: number) => void }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <div className="pager">
      <span>
        共 {total} 条 · 第 {page}/{pages} 页 <span className="en">{total} total · page {page} of {pages}</span>
      </span>
      <button type="button" className="btn btn-sm" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        ‹ 上一页 Prev
      </button>
      <button type="button" className="btn btn-sm" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        下一页 Next ›
      </button>
    </div>
  );
}

export function VerificationBadge({ status, daysLeft }: { status: VerificationStatus; daysLeft?: number | null }) {
  const l = VERIFICATION_LABELS[status];
  return (
    <span className={`badge v-${status}`} title={l.en}>
      {l.zh} {l.en}
      {status === 'expiring' && daysLeft != null ? ` · ${daysLeft}天` : ''}
    </span>
  );
}

export function Modal({ title, en, onClose, children }: { title: string; en: string; onClose: () => void; children: ReactNode }) {
  useEffect(() => {
    const key = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', key);
    return () => window.removeEventListener('keydown', key);
  }, [onClose]);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal" role="dialog" aria-modal="true" aria-label={`${title} ${en}`}>
        <header>
          <h2>
            {title} <span className="en">{en}</span>
          </h2>
          <button type="button" className="btn-close" aria-label="关闭 Close" onClick={onClose}>
            ×
          </button>
        </header>
        <div className="modal-body">{children}</div>
      </div>
    </div>
  );
}

/** Two-column read-only facts: [label, English, value]. */
export function Facts({ rows }: { rows: [string, string, ReactNode][] }) {
  return (
    <dl className="facts">
      {rows.map(([zh, en, v]) => (
        <div key={en}>
          <dt>
            {zh} <span className="en">{en}</span>
          </dt>
          <dd>{v === '' || v == null ? '—' : v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function EmptyRow({ cols, text = '暂无数据 No records' }: { cols: number; text?: string }) {
  return (
    <tr className="empty">
      <td colSpan={cols}>{text}</td>
    </tr>
  );
}
