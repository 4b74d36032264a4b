/**
 * IoT scales as devices: the devices page (online/offline, last seen, clock drift), and the scale
 * detail page's IoT panels — connection status and device secret (issue, reissue, revoke), rejected
 * messages, calibration orders (校准授权) and recent sales.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, qs, useGet } from '../api';
import { useForm } from '../form';
import { CLOCK_DRIFT_LIMIT_S, TRANSPORT_LABELS, both, formatTime, formatTimeSec, timeAgo } from '../labels';
import { MarketSelect, useMarkets } from '../options';
import { Link, pageOf, setQuery, useLocation } from '../router';
import { useSession } from '../session';
import type { CalibrationOrder, DeviceListItem, DeviceStatus, IssuedCredentials, Paged, Rejection, Scale } from '../types';
import { EmptyRow, ErrorBox, Facts, Field, FormActions, Loading, Modal, PageHeader, Pager, Panel } from '../ui';
import { IngestStyle, RecentSalesPanel, useNames } from './sales';

/** Re-renders every `ms` so "5 minutes ago" stays true. */
function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

/** Reloads a GET every `ms` while the page is open. */
function useEvery(ms: number, reload: () => void) {
  useEffect(() => {
    const t = setInterval(reload, ms);
    return () => clearInterval(t);
  }, [ms, reload]);
}

export function OnlineState({ online }: { online: boolean }) {
  return online ? (
    <span className="online-state" data-online="true">
      <span className="dot on" aria-hidden="true" />
      在线 <span className="en">Online</span>
    </span>
  ) : (
    <span className="online-state" data-online="false">
      <span className="dot off" aria-hidden="true" />
      离线 <span className="en">Offline</span>
    </span>
  );
}

/** Clock drift in seconds, red beyond the limit; the API gives platform time minus scale time. */
export function Drift({ ms }: { ms: number | null }) {
  if (ms == null) return <span className="muted">—</span>;
  const s = ms / 1000;
  const bad = Math.abs(s) > CLOCK_DRIFT_LIMIT_S;
  const text = `${s > 0 ? '+' : ''}${Math.abs(s) >= 10 ? Math.round(s) : s.toFixed(1)} s`;
  const side = Math.abs(s) < 0.5 ? '' : s > 0 ? '秤慢 scale behind' : '秤快 scale ahead';
  return (
    <span className={bad ? 'drift-bad' : ''} data-testid="clock-drift" title={`超过 ±${CLOCK_DRIFT_LIMIT_S} 秒视为异常 (beyond ±${CLOCK_DRIFT_LIMIT_S} s is a problem)`}>
      <span style={{ whiteSpace: 'nowrap' }}>{text}</span>
      {side && (
        <span className="en" style={{ whiteSpace: 'nowrap' }}>
          {' '}
          {side}
        </span>
      )}
      {bad && <span style={{ whiteSpace: 'nowrap' }}> ⚠ 超限 &gt;±{CLOCK_DRIFT_LIMIT_S} s</span>}
    </span>
  );
}

function LastSeen({ iso, now }: { iso: string | null; now: number }) {
  if (!iso) return <span className="muted">从未上报 Never</span>;
  return (
    <span title={iso}>
      {timeAgo(iso, now)}{' '}
      <span className="muted" style={{ whiteSpace: 'nowrap' }}>
        （{formatTimeSec(iso)}）
      </span>
    </span>
  );
}

const transport = (t: string | null) => {
  const l = t ? TRANSPORT_LABELS[t] : undefined;
  return !t ? '—' : !l ? t : l.zh === l.en ? l.zh : both(l);
};

/** IoT scales with device credentials within the viewer's jurisdiction. */
export function DevicesPage() {
  const loc = useLocation();
  const { can } = useSession();
  const now = useNow(30_000);
  const f = { marketId: loc.query.get('marketId') ?? '', online: loc.query.get('online') ?? '' };
  const page = pageOf(loc);
  const list = useGet<Paged<DeviceListItem>>(`/api/devices${qs({ ...f, page, pageSize: 50 })}`);
  const onlineCount = useGet<Paged<DeviceListItem>>(`/api/devices${qs({ marketId: f.marketId, online: true, pageSize: 1 })}`);
  const offlineCount = useGet<Paged<DeviceListItem>>(`/api/devices${qs({ marketId: f.marketId, online: false, pageSize: 1 })}`);
  const [r1, r2, r3] = [list.reload, onlineCount.reload, offlineCount.reload];
  const reloadAll = useCallback(() => {
    r1();
    r2();
    r3();
  }, [r1, r2, r3]);
  useEvery(30_000, reloadAll);
  const { markets } = useMarkets();
  const marketName = (id: number | null) => (id ? (markets.find((m) => m.id === id)?.name ?? `#${id}`) : '—');
  const merchantNames = useNames('merchants', list.data?.items.map((d) => d.merchantId) ?? [], can('merchant.read'));
  const stat = (n: number | undefined, tone: string, zh: string, en: string, value: string, testId: string) => (
    <button type="button" className={`stat stat-${tone}`} style={{ textAlign: 'left', cursor: 'pointer', font: 'inherit' }} onClick={() => setQuery(loc, { online: value })} data-testid={testId}>
      <div className="stat-n">{n === undefined ? '…' : n.toLocaleString('zh-CN')}</div>
      <div className="stat-label">
        {zh} <span className="en">{en}</span>
      </div>
    </button>
  );
  const on = onlineCount.data?.total;
  const off = offlineCount.data?.total;
  return (
    <>
      <IngestStyle />
      <PageHeader title="设备在线" en="Devices">
        <p className="sub">
          已签发设备密钥的物联网电子秤：在线状态、最后上报、序号与时钟偏差。每 30 秒刷新。 <span className="en">IoT scales with device credentials: online state, last seen, sequence and clock drift. Refreshes every 30 s.</span>
        </p>
      </PageHeader>
      <ErrorBox error={onlineCount.error ?? offlineCount.error} />
      <div className="stat-row">
        {stat(on !== undefined && off !== undefined ? on + off : undefined, 'unverified', '全部', 'All devices', '', 'count-all')}
        {stat(on, 'valid', '在线', 'Online', 'true', 'count-online')}
        {stat(off, 'expired', '离线', 'Offline', 'false', 'count-offline')}
      </div>
      <div className="filters">
        <label className="filter">
          市场 <span className="en">Market</span>
          <MarketSelect id="filter-market" name="marketId" value={f.marketId} placeholder="全部 All" onChange={(v) => setQuery(loc, { marketId: v })} />
        </label>
        <label className="filter">
          状态 <span className="en">State</span>
          <select name="online" value={f.online} onChange={(e) => setQuery(loc, { online: e.target.value })}>
            <option value="">全部 All</option>
            <option value="true">在线 Online</option>
            <option value="false">离线 Offline</option>
          </select>
        </label>
        <button type="button" className="btn btn-sm" onClick={reloadAll}>
          刷新 Refresh
        </button>
      </div>
      <ErrorBox error={list.error} />
      <table className="grid" data-testid="device-list">
        <thead>
          <tr>
            <th>状态 State</th>
            <th>电子秤 Scale</th>
            <th>商户 Merchant</th>
            <th>市场 Market</th>
            <th>最后上报 Last seen</th>
            <th className="num">最后序号 Last seq</th>
            <th>时钟偏差 Clock drift</th>
            <th>通道 Transport</th>
            <th>密钥 Secret</th>
            {can('sale.read') && <th />}
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((d) => (
            <tr key={d.scaleId} className={d.clockDriftMs != null && Math.abs(d.clockDriftMs) > CLOCK_DRIFT_LIMIT_S * 1000 ? 'row-expiring' : ''} data-scale-id={d.scaleId}>
              <td>
                <OnlineState online={d.isOnline} />
              </td>
              <td>
                <Link to={`/scales/${d.scaleId}`} className="mono">
                  {d.serialNo}
                </Link>
                {d.deviceId !== d.serialNo && <div className="muted mono" title="协议中的 scaleId (the scale protocol's scaleId)">{d.deviceId}</div>}
              </td>
              <td>{d.merchantId ? <Link to={`/merchants/${d.merchantId}`}>{merchantNames.get(d.merchantId) ?? `#${d.merchantId}`}</Link> : <span className="muted">未分配 Unassigned</span>}</td>
              <td>{d.marketId ? <Link to={`/markets/${d.marketId}`}>{marketName(d.marketId)}</Link> : '—'}</td>
              <td>
                <LastSeen iso={d.lastSeenAt} now={now} />
              </td>
              <td className="num mono">{d.lastSeq}</td>
              <td>
                <Drift ms={d.clockDriftMs} />
              </td>
              <td>{transport(d.lastTransport)}</td>
              <td>{d.hasCredentials ? <span className="badge v-valid">有效 Live</span> : <span className="badge v-unverified">已吊销 Revoked</span>}</td>
              {can('sale.read') && (
                <td className="row-actions">
                  <Link to={`/sales?scaleId=${d.scaleId}`} className="btn btn-sm btn-link">
                    交易 Sales
                  </Link>
                </td>
              )}
            </tr>
          ))}
          {list.data && list.data.items.length === 0 && <EmptyRow cols={can('sale.read') ? 10 : 9} text="暂无设备 No devices" />}
        </tbody>
      </table>
      {list.loading && !list.data && <Loading />}
      {list.data && <Pager page={list.data.page} pageSize={list.data.pageSize} total={list.data.total} onPage={(p) => setQuery(loc, { page: p })} />}
    </>
  );
}

/** Everything IoT on a scale's page; nothing for a scale that is not IoT-enabled. */
export function ScaleIotPanels({ scale }: { scale: Scale }) {
  const { can } = useSession();
  if (!scale.isIot) return null;
  return (
    <>
      <IngestStyle />
      {can('device.read') && <DevicePanel scaleId={scale.id} />}
      {can('sale.read') && <RecentSalesPanel scaleId={scale.id} />}
      {can('device.read') && <RejectionsPanel scaleId={scale.id} />}
      {can('device.read') && <CalibrationPanel scaleId={scale.id} />}
    </>
  );
}

function DevicePanel({ scaleId }: { scaleId: number }) {
  const { can } = useSession();
  const now = useNow(15_000);
  const status = useGet<DeviceStatus>(`/api/scales/${scaleId}/device`);
  useEvery(15_000, status.reload);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [issued, setIssued] = useState<IssuedCredentials | null>(null);
  const d = status.data;
  const manage = can('device.manage');

  const issue = async (reissue: boolean) => {
    if (
      reissue &&
      !confirm('重新签发将立即吊销旧密钥，秤须换用新密钥才能继续上报。确定重新签发？\nReissuing revokes the old secret at once; the scale must be given the new one before it can report again. Reissue?')
    )
      return;
    setBusy(true);
    setError(null);
    try {
      setIssued(await api.post<IssuedCredentials>(`/api/scales/${scaleId}/device-credentials`));
      status.reload();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));
    } finally {
      setBusy(false);
    }
  };
  const revoke = async () => {
    if (!confirm('吊销后该秤将立即无法上报数据，直至重新签发密钥。确定吊销？\nAfter revoking, the scale cannot report until a new secret is issued. Revoke?')) return;
    setBusy(true);
    setError(null);
    try {
      await api.del(`/api/scales/${scaleId}/device-credentials`);
      status.reload();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Panel
      title="物联网设备"
      en="IoT device"
      className="device-panel"
      actions={
        manage &&
        d && (
          <>
            {d.hasCredentials ? (
              <>
                <button type="button" className="btn btn-sm" disabled={busy} onClick={() => void issue(true)}>
                  重新签发 Reissue
                </button>
                <button type="button" className="btn btn-sm btn-danger" disabled={busy} onClick={() => void revoke()}>
                  吊销 Revoke
                </button>
              </>
            ) : (
              <button type="button" className="btn btn-sm btn-primary" disabled={busy} onClick={() => void issue(false)}>
                签发设备密钥 Issue device secret
              </button>
            )}
          </>
        )
      }
    >
      <ErrorBox error={error ?? status.error} />
      {!d && !status.error && <Loading />}
      {d && (
        <Facts
          rows={[
            ['连接状态', 'Connection', <span data-testid="device-online"><OnlineState online={d.isOnline} />{d.statusChangedAt && <span className="muted"> · 自 {formatTime(d.statusChangedAt)} since</span>}</span>],
            ['最后上报', 'Last seen', <LastSeen iso={d.lastSeenAt} now={now} />],
            ['最后序号', 'Last sequence no.', <span className="mono" data-testid="last-seq">{d.lastSeq}</span>],
            ['时钟偏差', 'Clock drift', <Drift ms={d.clockDriftMs} />],
            ['传输方式', 'Transport', transport(d.lastTransport)],
            ['设备编号', 'Protocol scaleId', <span className="mono">{d.deviceId}</span>],
            [
              '设备密钥',
              'Device secret',
              d.hasCredentials ? (
                <span data-testid="credentials-state">
                  <span className="badge v-valid">已签发 Issued</span> <span title={formatTimeSec(d.issuedAt)}>{formatTime(d.issuedAt)}</span>
                </span>
              ) : d.revokedAt ? (
                <span data-testid="credentials-state">
                  <span className="badge v-expired">已吊销 Revoked</span> <span title={formatTimeSec(d.revokedAt)}>{formatTime(d.revokedAt)}</span>
                </span>
              ) : (
                <span data-testid="credentials-state" className="badge v-unverified">
                  未签发 Not issued
                </span>
              ),
            ],
          ]}
        />
      )}
      {issued && <SecretDialog issued={issued} onClose={() => setIssued(null)} />}
    </Panel>
  );
}

/** The new secret, shown this once. Closing other than by the button asks first. */
function SecretDialog({ issued, onClose }: { issued: IssuedCredentials; onClose: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(issued.secret);
      setCopied('yes');
    } catch {
      const input = document.getElementById('device-secret') as HTMLInputElement | null;
      input?.select();
      setCopied(document.execCommand?.('copy') ? 'yes' : 'no');
    }
  };
  const endpoint = `${location.origin}/api/device/v1/scales/${issued.deviceId}/messages`;
  return (
    <Modal
      title="设备密钥"
      en="Device secret"
      onClose={() => {
        if (confirm('关闭后将无法再次查看此密钥。确定已保存？\nThe secret cannot be shown again after closing. Have you stored it?')) onClose();
      }}
    >
      <div data-testid="secret-dialog">
        <div className="alert alert-warn" role="alert">
          <strong>密钥只显示这一次</strong>，关闭后无法再次查看；请立即复制并写入电子秤。遗失只能重新签发，而重新签发会立即吊销旧密钥。
          <div className="en">This secret is shown only this once and cannot be retrieved later: copy it into the scale now. If it is lost, reissue — which revokes the old secret at once.</div>
        </div>
        <Facts
          rows={[
            ['设备编号', 'scaleId (protocol)', <span className="mono" data-testid="secret-device-id">{issued.deviceId}</span>],
            ['平台秤ID', 'Platform scale id', <span className="mono">{issued.scaleId}</span>],
            ['签发时间', 'Issued', formatTimeSec(issued.issuedAt)],
          ]}
        />
        <div className="field" style={{ marginTop: 10 }}>
          <label htmlFor="device-secret">
            设备密钥 <span className="en">Secret (base64url)</span>
          </label>
          <div className="secret-box">
            <input id="device-secret" data-testid="device-secret" readOnly value={issued.secret} onFocus={(e) => e.target.select()} spellCheck={false} />
            <button type="button" className="btn btn-primary" onClick={() => void copy()}>
              {copied === 'yes' ? '已复制 Copied' : '复制 Copy'}
            </button>
          </div>
          {copied === 'no' && <div className="field-error">无法访问剪贴板，请手动选中复制 (could not reach the clipboard: select and copy by hand)</div>}
        </div>
        <p className="hint">
          MQTT：用户名与客户端 ID 为 <span className="mono">{issued.deviceId}</span>，密码为此密钥。HTTP：<span className="mono">POST {endpoint}</span>，<span className="mono">Authorization: Bearer &lt;密钥&gt;</span>。
          <span className="en"> MQTT: username and client id {issued.deviceId}, password the secret. HTTP: bearer token.</span>
        </p>
        <FormActions>
          <button type="button" className="btn" onClick={onClose} data-testid="secret-done">
            我已妥善保存，关闭 I have stored it — close
          </button>
        </FormActions>
      </div>
    </Modal>
  );
}

/** Raw bytes of a rejected message, pretty-printed when they are JSON. */
function RawBlock({ raw }: { raw: string }) {
  let text = raw;
  try {
    text = JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    /* not JSON: as received */
  }
  return (
    <details className="raw-block">
      <summary>原始报文 Raw ({raw.length} B)</summary>
      <pre className="mono">{text}</pre>
    </details>
  );
}

function RejectionsPanel({ scaleId }: { scaleId: number }) {
  const rejections = useGet<Rejection[]>(`/api/scales/${scaleId}/rejections`);
  const [all, setAll] = useState(false);
  const rows = rejections.data ?? [];
  const shown = all ? rows : rows.slice(0, 10);
  return (
    <Panel
      title="被拒报文"
      en="Rejected messages"
      actions={
        <button type="button" className="btn btn-sm" onClick={rejections.reload}>
          刷新 Refresh
        </button>
      }
    >
      <ErrorBox error={rejections.error} />
      <p className="hint" style={{ marginTop: 0 }}>
        格式、签名或时间不合规而被拒收的报文，保留原文与原因备查。 <span className="en">Messages refused for their form, signature or time, kept with their raw bytes and the reason.</span>
      </p>
      <table className="grid" data-testid="rejection-list">
        <thead>
          <tr>
            <th>收到时间 Received</th>
            <th className="num">序号 Seq</th>
            <th>通道 Channel</th>
            <th>原因 Reason</th>
            <th>原文 Raw</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.id}>
              <td style={{ whiteSpace: 'nowrap' }}>{formatTimeSec(r.receivedAt)}</td>
              <td className="num mono">{r.seq ?? '—'}</td>
              <td>
                {transport(r.transport)} <span className="muted">{r.channel}</span>
              </td>
              <td>{r.reason}</td>
              <td>
                <RawBlock raw={r.raw} />
              </td>
            </tr>
          ))}
          {rejections.data && rows.length === 0 && <EmptyRow cols={5} text="没有被拒报文 No rejected messages" />}
        </tbody>
      </table>
      {rows.length > shown.length && (
        <div className="button-row">
          <button type="button" className="btn btn-sm" onClick={() => setAll(true)}>
            显示全部 {rows.length} 条 Show all {rows.length}
          </button>
        </div>
      )}
    </Panel>
  );
}

/** A datetime-local value as an ISO time with the browser's own offset: "2026-06-27T10:30" → "2026-06-27T10:30:00+08:00". */
export function localIsoWithOffset(v: string): string {
  const d = new Date(v);
  if (!v || Number.isNaN(d.getTime())) return v;
  const withSeconds = /T\d\d:\d\d$/.test(v) ? `${v}:00` : v;
  const off = -d.getTimezoneOffset();
  const p = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  return `${withSeconds}${off >= 0 ? '+' : '-'}${p(off / 60)}:${p(off % 60)}`;
}

function localInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function orderState(o: CalibrationOrder, now: number) {
  if (now < new Date(o.validFrom).getTime()) return <span className="badge v-unverified">未开始 Upcoming</span>;
  if (now <= new Date(o.validUntil).getTime()) return <span className="badge v-valid">生效中 Active</span>;
  return <span className="badge v-unverified">已结束 Ended</span>;
}

function CalibrationPanel({ scaleId }: { scaleId: number }) {
  const { can } = useSession();
  const now = useNow(60_000);
  const orders = useGet<CalibrationOrder[]>(`/api/scales/${scaleId}/calibration-orders`);
  const [adding, setAdding] = useState(false);
  const canWrite = can('calibration.write');
  return (
    <Panel
      title="校准授权"
      en="Calibration orders"
      actions={
        canWrite &&
        !adding && (
          <button type="button" className="btn btn-sm" onClick={() => setAdding(true)}>
            ＋ 新增授权 New order
          </button>
        )
      }
    >
      <ErrorBox error={orders.error} />
      <p className="hint" style={{ marginTop: 0 }}>
        授权时段内的校准或参数变更事件不报警；时段外的即为未授权校准。 <span className="en">Calibration or configuration changes within an authorised window raise no alert; outside one they are unauthorised.</span>
      </p>
      {adding && (
        <CalibrationForm
          scaleId={scaleId}
          onDone={(saved) => {
            setAdding(false);
            if (saved) orders.reload();
          }}
        />
      )}
      <table className="grid" data-testid="calibration-list">
        <thead>
          <tr>
            <th>状态 State</th>
            <th>起 Valid from</th>
            <th>止 Valid until</th>
            <th>校准人员证号 Calibrator licence</th>
            <th>事由 Reason</th>
            <th>签发时间 Issued</th>
          </tr>
        </thead>
        <tbody>
          {orders.data?.map((o) => (
            <tr key={o.id}>
              <td>{orderState(o, now)}</td>
              <td>{formatTimeSec(o.validFrom)}</td>
              <td>{formatTimeSec(o.validUntil)}</td>
              <td className="mono">{o.calibrator ?? <span className="muted">不限 Any</span>}</td>
              <td>{o.reason || '—'}</td>
              <td>{formatTimeSec(o.issuedAt)}</td>
            </tr>
          ))}
          {orders.data && orders.data.length === 0 && <EmptyRow cols={6} text="尚无校准授权 No calibration orders" />}
        </tbody>
      </table>
    </Panel>
  );
}

function CalibrationForm({ scaleId, onDone }: { scaleId: number; onDone: (saved: boolean) => void }) {
  const start = new Date();
  start.setSeconds(0, 0);
  const f = useForm({ validFrom: localInput(start), validUntil: localInput(new Date(start.getTime() + 2 * 3_600_000)), calibrator: '', reason: '' });
  const v = f.values;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const saved = await f.submit(() =>
      api.post<CalibrationOrder>(`/api/scales/${scaleId}/calibration-orders`, {
        validFrom: localIsoWithOffset(v.validFrom),
        validUntil: localIsoWithOffset(v.validUntil),
        ...(v.calibrator.trim() ? { calibrator: v.calibrator.trim() } : {}),
        ...(v.reason.trim() ? { reason: v.reason.trim() } : {}),
      }),
    );
    if (saved) onDone(true);
  };
  const tz = localIsoWithOffset('2000-01-01T00:00').slice(-6);
  return (
    <form className="inline-form" onSubmit={submit} noValidate data-testid="calibration-form">
      <ErrorBox message={f.topError} />
      <div className="form-grid">
        <Field label="授权开始" en="Valid from" name="validFrom" error={f.errors.validFrom} required hint={`本机时区 Local time (UTC${tz})`}>
          <input type="datetime-local" {...f.bind('validFrom')} />
        </Field>
        <Field label="授权结束" en="Valid until" name="validUntil" error={f.errors.validUntil} required hint="最长 7 天 (at most 7 days)">
          <input type="datetime-local" {...f.bind('validUntil')} />
        </Field>
        <Field label="校准人员证号" en="Calibrator licence no." name="calibrator" error={f.errors.calibrator} hint="留空则不限人员 (blank: anyone)">
          <input {...f.bind('calibrator')} className="mono" maxLength={64} />
        </Field>
        <Field label="事由" en="Reason" name="reason" error={f.errors.reason}>
          <input {...f.bind('reason')} maxLength={200} />
        </Field>
        <FormActions>
          <button className="btn btn-primary btn-sm" disabled={f.submitting}>
            签发授权 Issue order
          </button>
          <button type="button" className="btn btn-sm" onClick={() => onDone(false)}>
            取消 Cancel
          </button>
        </FormActions>
      </div>
    </form>
  );
}
