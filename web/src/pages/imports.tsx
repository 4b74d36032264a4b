import { useEffect, useRef, useState } from 'react';
import { api, ApiError, download } from '../api';
import { IMPORT_KIND_LABELS, IMPORT_PHASE_LABELS, both, formatTime } from '../labels';
import type { ImportJob, ImportKind } from '../types';
import { ErrorBox, Notice, PageHeader, Panel } from '../ui';

const KINDS: ImportKind[] = ['markets', 'merchants', 'scales'];
const POLL_MS = 400;

/**
 * Spreadsheet import: choose kind and file → dry run (progress, then the report of problems) →
 * commit when clean, or skipping bad rows. Contract: POST /api/imports (multipart: kind, mode,
 * skipInvalid, file) answers 202 with an ImportJob; GET /api/imports/:id until done or failed.
 */
export function ImportsPage() {
  const [kind, setKind] = useState<ImportKind>('merchants');
  const [file, setFile] = useState<File | null>(null);
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [dryRun, setDryRun] = useState<ImportJob | null>(null);
  const [commit, setCommit] = useState<ImportJob | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [fileKey, setFileKey] = useState(0);
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const reset = () => {
    setDryRun(null);
    setCommit(null);
    setError(null);
    setSkipInvalid(false);
  };

  /** Uploads the file and follows the job to its end, reporting every poll through `onJob`. */
  const run = async (mode: 'dry_run' | 'commit', onJob: (j: ImportJob) => void) => {
    if (!file) return;
    setBusy(true);
    setError(null);
    let started = false;
    try {
      const form = new FormData();
      form.set('kind', kind);
      form.set('mode', mode);
      form.set('skipInvalid', mode === 'commit' && skipInvalid ? 'true' : 'false');
      form.set('file', file, file.name);
      let job = await api.post<ImportJob>('/api/imports', form);
      started = true;
      onJob(job);
      while (alive.current && job.status === 'running') {
        await new Promise((r) => setTimeout(r, POLL_MS));
        job = await api.get<ImportJob>(`/api/imports/${encodeURIComponent(job.id)}`);
        if (alive.current) onJob(job);
      }
    } catch (e) {
      if (!alive.current) return;
      const message = e instanceof ApiError ? e.message : String(e);
      // A 404 to the upload itself means the import service is not deployed here.
      const unavailable = !started && e instanceof ApiError && e.status === 404;
      setError(unavailable ? `导入服务暂不可用 (the import service is not available): ${message}` : message);
    } finally {
      if (alive.current) setBusy(false);
    }
  };

  const current = commit ?? dryRun;
  const dryDone = dryRun?.status === 'done' && dryRun.outcome === 'dry_run';
  const canCommit = !!dryDone && !commit && dryRun.validRows > 0 && (dryRun.problemCount === 0 || skipInvalid);

  return (
    <>
      <PageHeader title="导入导出" en="Import / export">
        <p className="sub">
          先试运行校验，确认无误后再正式导入。 <span className="en">Dry-run first; import once the report is clean.</span>
        </p>
      </PageHeader>
      <Panel title="批量导入" en="Import from a spreadsheet">
        <div className="form-grid" data-testid="import-form">
          <div className="field">
            <label htmlFor="import-kind">
              数据类型 <span className="en">Kind</span>
            </label>
            <select
              id="import-kind"
              value={kind}
              disabled={busy}
              onChange={(e) => {
                setKind(e.target.value as ImportKind);
                reset();
              }}
            >
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {both(IMPORT_KIND_LABELS[k])}
                </option>
              ))}
            </select>
            <div className="hint">
              <TemplateLink kind={kind} onError={setError} />
            </div>
          </div>
          <div className="field">
            <label htmlFor="import-file">
              文件 <span className="en">File (.xlsx, .csv)</span>
            </label>
            <input
              key={fileKey}
              id="import-file"
              type="file"
              accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
              disabled={busy}
              onChange={(e) => {
                setFile(e.target.files?.[0] ?? null);
                reset();
              }}
            />
          </div>
          <div className="form-actions">
            <button type="button" className="btn btn-primary" disabled={!file || busy} onClick={() => { reset(); void run('dry_run', setDryRun); }}>
              试运行校验 Dry run
            </button>
            {current && !busy && (
              <button
                type="button"
                className="btn"
                onClick={() => {
                  setFile(null);
                  setFileKey((k) => k + 1);
                  reset();
                }}
              >
                重新选择 Start over
              </button>
            )}
          </div>
        </div>
        <ErrorBox message={error} />
        {current?.status === 'running' && <Progress job={current} />}
        {current?.status === 'failed' && <ErrorBox message={`导入失败 (import failed): ${current.error?.message ?? current.error?.code ?? ''}`} />}
        {dryRun && dryRun.status === 'done' && <Report job={dryRun} title="试运行结果" en="Dry-run report" />}
        {dryDone && !commit && (
          <div className="commit-bar" data-testid="commit-bar">
            {dryRun.problemCount > 0 && (
              <label className="check">
                <input type="checkbox" checked={skipInvalid} onChange={(e) => setSkipInvalid(e.target.checked)} />
                跳过错误行，仅导入 {dryRun.validRows} 条有效记录 <span className="en">skip bad rows, import the {dryRun.validRows} valid ones</span>
              </label>
            )}
            <button type="button" className="btn btn-primary" disabled={!canCommit || busy} onClick={() => void run('commit', setCommit)}>
              正式导入 Import
            </button>
            {dryRun.problemCount > 0 && !skipInvalid && <span className="muted">存在错误，请修正文件或选择跳过错误行 (fix the file, or skip bad rows)</span>}
          </div>
        )}
        {commit?.status === 'done' && commit.outcome === 'imported' && (
          <Notice kind="ok">
            <span data-testid="imported-count">
              已导入 {commit.importedRows} 条{IMPORT_KIND_LABELS[commit.kind]?.zh}记录 · {commit.importedRows} rows imported
            </span>
            {commit.invalidRows > 0 && ` · 跳过 ${commit.invalidRows} 条错误行 (${commit.invalidRows} bad rows skipped)`}
          </Notice>
        )}
        {commit?.status === 'done' && commit.outcome === 'rejected' && <Report job={commit} title="导入被拒绝" en="Import rejected" />}
      </Panel>
      <Panel title="导出" en="Export">
        <p className="sub">导出您辖区内的登记数据为 Excel。 <span className="en">Export the registry within your jurisdiction as Excel.</span></p>
        <div className="button-row">
          {KINDS.map((k) => (
            <DownloadButton key={k} path={`/api/exports/${k}.xlsx`} fileName={`${k}.xlsx`} label={`导出${IMPORT_KIND_LABELS[k]!.zh} Export ${IMPORT_KIND_LABELS[k]!.en.toLowerCase()}`} onError={setError} />
          ))}
        </div>
      </Panel>
    </>
  );
}

function TemplateLink({ kind, onError }: { kind: ImportKind; onError: (m: string | null) => void }) {
  return <DownloadButton path={`/api/imports/templates/${kind}.xlsx`} fileName={`${kind}-template.xlsx`} label="下载模板 Download template" onError={onError} link />;
}

function DownloadButton({ path, fileName, label, onError, link }: { path: string; fileName: string; label: string; onError: (m: string | null) => void; link?: boolean }) {
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      className={link ? 'btn btn-sm btn-link' : 'btn'}
      disabled={busy}
      onClick={async () => {
        setBusy(true);
        onError(null);
        try {
          await download(path, fileName);
        } catch (e) {
          onError(`${label}：${e instanceof ApiError ? e.message : String(e)}`);
        } finally {
          setBusy(false);
        }
      }}
    >
      {label}
    </button>
  );
}

function Progress({ job }: { job: ImportJob }) {
  const pct = job.rowsTotal ? Math.min(100, Math.round((job.rowsRead / job.rowsTotal) * 100)) : null;
  return (
    <div className="progress-wrap" data-testid="import-progress">
      <div className="progress-label">
        {both(IMPORT_PHASE_LABELS[job.phase], job.phase)} · 已读 {job.rowsRead}
        {job.rowsTotal != null ? ` / ${job.rowsTotal}` : ''} 行 <span className="en">rows read</span>
      </div>
      <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} {...(pct !== null ? { 'aria-valuenow': pct } : {})}>
        <div className={pct === null ? 'bar indeterminate' : 'bar'} style={pct === null ? undefined : { width: `${pct}%` }} />
      </div>
    </div>
  );
}

function Report({ job, title, en }: { job: ImportJob; title: string; en: string }) {
  return (
    <div className="report" data-testid="import-report">
      <h3>
        {title} <span className="en">{en}</span> <span className="muted">· {job.fileName} · {formatTime(job.finishedAt)}</span>
      </h3>
      <div className="stat-row compact">
        <div className="stat">
          <div className="stat-n">{job.rowsRead}</div>
          <div className="stat-label">读取行数 <span className="en">Rows read</span></div>
        </div>
        <div className="stat stat-valid">
          <div className="stat-n" data-testid="valid-rows">{job.validRows}</div>
          <div className="stat-label">有效 <span className="en">Valid</span></div>
        </div>
        <div className={`stat ${job.invalidRows ? 'stat-expired' : ''}`}>
          <div className="stat-n" data-testid="invalid-rows">{job.invalidRows}</div>
          <div className="stat-label">有误 <span className="en">Invalid</span></div>
        </div>
        <div className={`stat ${job.problemCount ? 'stat-expired' : ''}`}>
          <div className="stat-n">{job.problemCount}</div>
          <div className="stat-label">问题数 <span className="en">Problems</span></div>
        </div>
      </div>
      {job.problemCount === 0 ? (
        <Notice kind="ok">未发现问题，可以导入。 No problems found; ready to import.</Notice>
      ) : (
        <>
          {job.problemCount > job.problems.length && (
            <Notice kind="warn">
              仅显示前 {job.problems.length} 条，共 {job.problemCount} 条问题 (showing the first {job.problems.length} of {job.problemCount})
            </Notice>
          )}
          <div className="scroll">
            <table className="grid" data-testid="problems">
              <thead>
                <tr>
                  <th className="num">行 Row</th>
                  <th>列 Column</th>
                  <th>值 Value</th>
                  <th>原因 Reason</th>
                </tr>
              </thead>
              <tbody>
                {job.problems.map((p, i) => (
                  <tr key={i}>
                    <td className="num">{p.row}</td>
                    <td>{p.column}</td>
                    <td className="mono">{p.value}</td>
                    <td>{p.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}
