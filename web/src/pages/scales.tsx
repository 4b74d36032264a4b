import { useEffect, useState, type FormEvent } from 'react';
import { api, qs, useGet } from '../api';
import { changed, errorId, fieldId, numberOrUndefined, useForm } from '../form';
import { VERIFICATION_LABELS, VERIFICATION_STATUSES, both, formatGrams, formatTime } from '../labels';
import { DistrictSelect, MarketSelect, MerchantPicker, SearchBox, StallSelect, useVocabulary } from '../options';
import { Link, navigate, pageOf, setQuery, useLocation } from '../router';
import { useSession } from '../session';
import type { Assignment, Merchant, Paged, Scale, VerificationRecord } from '../types';
import { EmptyRow, ErrorBox, Facts, Field, FormActions, Loading, Modal, PageHeader, Pager, Panel, VerificationBadge } from '../ui';
import { CodePanel } from './codes';
import { ScaleIotPanels } from './devices';
import { ScaleRatingsPanel } from './ratings';

/** Scales: search, filter by verification status (expired red, expiring amber) and market. */
export function ScalesPage() {
  const loc = useLocation();
  const { can } = useSession();
  const f = { q: loc.query.get('q') ?? '', verification: loc.query.get('verification') ?? '', marketId: loc.query.get('marketId') ?? '' };
  const page = pageOf(loc);
  const list = useGet<Paged<Scale>>(`/api/scales${qs({ ...f, page, pageSize: 20 })}`);
  return (
    <>
      <PageHeader
        title="电子秤"
        en="Scales"
        actions={
          can('scale.write') && (
            <Link to="/scales/new" className="btn btn-primary">
              ＋ 登记电子秤 New scale
            </Link>
          )
        }
      />
      <div className="filters">
        <SearchBox value={f.q} placeholder="出厂编号、厂家、型号或商户 Serial, maker, model or merchant" onSearch={(v) => setQuery(loc, { q: v })} />
        <label className="filter">
          检定状态 <span className="en">Verification</span>
          <select value={f.verification} onChange={(e) => setQuery(loc, { verification: e.target.value })}>
            <option value="">全部 All</option>
            {VERIFICATION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {both(VERIFICATION_LABELS[s])}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          市场 <span className="en">Market</span>
          <MarketSelect id="filter-market" name="marketId" value={f.marketId} placeholder="全部 All" onChange={(v) => setQuery(loc, { marketId: v })} />
        </label>
      </div>
      <ErrorBox error={list.error} />
      <table className="grid">
        <thead>
          <tr>
            <th>出厂编号 Serial no.</th>
            <th>厂家 / 型号 Maker / model</th>
            <th>最大称量 / 分度 Max / e</th>
            <th>准确度 Class</th>
            <th>商户 Merchant</th>
            <th>市场 / 摊位 Market / stall</th>
            <th>检定状态 Verification</th>
            <th>有效期至 Valid until</th>
            <th>物联 IoT</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((s) => (
            <tr key={s.id} className={`row-${s.verification.status}`}>
              <td className="mono">
                <Link to={`/scales/${s.id}`}>{s.serialNo}</Link>
              </td>
              <td>
                {s.manufacturer} {s.model}
              </td>
              <td>
                {formatGrams(s.maxCapacityG)} / {formatGrams(s.divisionG)}
              </td>
              <td>{s.accuracyClass}</td>
              <td>{s.merchantId ? <Link to={`/merchants/${s.merchantId}`}>{s.merchantName}</Link> : <span className="muted">未分配 Unassigned</span>}</td>
              <td>
                {s.marketName ?? s.districtName}
                {s.stallNumber ? ` · ${s.stallNumber}` : ''}
              </td>
              <td>
                <VerificationBadge status={s.verification.status} daysLeft={s.verification.daysLeft} />
              </td>
              <td>{s.verification.validUntil ?? '—'}</td>
              <td>{s.isIot ? '是 Yes' : '否 No'}</td>
            </tr>
          ))}
          {list.data && list.data.items.length === 0 && <EmptyRow cols={9} />}
        </tbody>
      </table>
      {list.loading && !list.data && <Loading />}
      {list.data && <Pager page={list.data.page} pageSize={list.data.pageSize} total={list.data.total} onPage={(p) => setQuery(loc, { page: p })} />}
    </>
  );
}

/** One scale: its verification state and records, its IoT device and sales, assignment history; assign and record a verification. */
export function ScaleDetailPage({ id }: { id: number }) {
  const { can } = useSession();
  const scale = useGet<Scale>(`/api/scales/${id}`);
  const verifications = useGet<VerificationRecord[]>(`/api/scales/${id}/verifications`);
  const assignments = useGet<Assignment[]>(`/api/scales/${id}/assignments`);
  const [dialog, setDialog] = useState<'assign' | 'verify' | null>(null);
  const s = scale.data;
  if (scale.error) return <ErrorBox error={scale.error} />;
  if (!s) return <Loading />;
  const close = () => setDialog(null);
  return (
    <>
      <PageHeader
        title={`电子秤 ${s.serialNo}`}
        en="Scale"
        actions={
          <>
            {can('verification.write') && (
              <button type="button" className="btn btn-primary" onClick={() => setDialog('verify')}>
                记录检定 Record verification
              </button>
            )}
            {can('scale.write') && (
              <button type="button" className="btn" onClick={() => setDialog('assign')}>
                分配商户 Assign
              </button>
            )}
            {can('scale.write') && (
              <Link to={`/scales/${id}/edit`} className="btn">
                编辑 Edit
              </Link>
            )}
          </>
        }
      >
        <div className="crumbs">
          <Link to="/scales">电子秤 Scales</Link> › {s.serialNo}
        </div>
      </PageHeader>
      <div className="two-col">
        <Panel title="器具信息" en="Instrument">
          <Facts
            rows={[
              ['出厂编号', 'Serial no.', <span className="mono">{s.serialNo}</span>],
              ['生产厂家', 'Manufacturer', s.manufacturer],
              ['型号规格', 'Model', s.model],
              ['最大称量', 'Max capacity', formatGrams(s.maxCapacityG)],
              ['检定分度值', 'Division e', formatGrams(s.divisionG)],
              ['准确度等级', 'Accuracy class', s.accuracyClass],
              ['型式批准号', 'Type approval no.', s.typeApprovalNo],
              ['物联网秤', 'IoT scale', s.isIot ? '是 Yes' : '否 No'],
            ]}
          />
        </Panel>
        <Panel title="使用与检定" en="Placement and verification">
          <Facts
            rows={[
              ['商户', 'Merchant', s.merchantId ? <Link to={`/merchants/${s.merchantId}`}>{s.merchantName}</Link> : '未分配 Unassigned'],
              ['市场', 'Market', s.marketId ? <Link to={`/markets/${s.marketId}`}>{s.marketName}</Link> : '—'],
              ['摊位', 'Stall', s.stallNumber],
              ['辖区', 'District', s.districtName],
              ['检定状态', 'Verification', <VerificationBadge status={s.verification.status} daysLeft={s.verification.daysLeft} />],
              ['有效期至', 'Valid until', s.verification.validUntil],
              ['证书编号', 'Certificate no.', s.verification.certificateNo],
              ['更新时间', 'Updated', formatTime(s.updatedAt)],
            ]}
          />
        </Panel>
      </div>
      {can('code.print') && <CodePanel subject="scales" id={id} />}
      {can('rating.read') && <ScaleRatingsPanel scaleId={id} />}
      <ScaleIotPanels scale={s} />
      <Panel title="强制检定记录" en="Mandatory verification records">
        <ErrorBox error={verifications.error} />
        <table className="grid">
          <thead>
            <tr>
              <th>检定日期 Verified on</th>
              <th>结论 Result</th>
              <th>有效期至 Valid until</th>
              <th>证书编号 Certificate no.</th>
              <th>检定机构 Institution</th>
              <th>录入时间 Recorded</th>
            </tr>
          </thead>
          <tbody>
            {verifications.data?.map((v) => (
              <tr key={v.id}>
                <td>{v.verifiedOn}</td>
                <td>{v.result === 'pass' ? <span className="badge v-valid">合格 Pass</span> : <span className="badge v-failed">不合格 Fail</span>}</td>
                <td>{v.validUntil ?? '—'}</td>
                <td className="mono">{v.certificateNo}</td>
                <td>{v.institution}</td>
                <td>{formatTime(v.createdAt)}</td>
              </tr>
            ))}
            {verifications.data && verifications.data.length === 0 && <EmptyRow cols={6} text="尚无检定记录 No verification recorded" />}
          </tbody>
        </table>
      </Panel>
      <Panel title="分配记录" en="Assignment history">
        <ErrorBox error={assignments.error} />
        <table className="grid">
          <thead>
            <tr>
              <th>商户 Merchant</th>
              <th>市场 Market</th>
              <th>摊位 Stall</th>
              <th>起 From</th>
              <th>止 To</th>
            </tr>
          </thead>
          <tbody>
            {assignments.data?.map((a) => (
              <tr key={a.id}>
                <td>{a.merchantId ? <Link to={`/merchants/${a.merchantId}`}>{a.merchantName}</Link> : '—'}</td>
                <td>{a.marketName ?? '—'}</td>
                <td>{a.stallNumber ?? '—'}</td>
                <td>{formatTime(a.fromAt)}</td>
                <td>{a.toAt ? formatTime(a.toAt) : <span className="badge v-valid">当前 Current</span>}</td>
              </tr>
            ))}
            {assignments.data && assignments.data.length === 0 && <EmptyRow cols={5} />}
          </tbody>
        </table>
      </Panel>
      {dialog === 'assign' && (
        <Modal title="分配商户" en="Assign to a merchant" onClose={close}>
          <AssignForm
            scale={s}
            onDone={() => {
              close();
              scale.reload();
              assignments.reload();
            }}
          />
        </Modal>
      )}
      {dialog === 'verify' && (
        <Modal title="记录强制检定" en="Record a mandatory verification" onClose={close}>
          <VerificationForm
            scaleId={id}
            onDone={() => {
              close();
              scale.reload();
              verifications.reload();
            }}
          />
        </Modal>
      )}
    </>
  );
}

function AssignForm({ scale, onDone }: { scale: Scale; onDone: () => void }) {
  const [merchant, setMerchant] = useState<Merchant | null>(null);
  const f = useForm({ stallId: '' });
  const assign = (merchantId: number | null) =>
    f.submit(async () => {
      await api.post(`/api/scales/${scale.id}/assignment`, { merchantId, stallId: merchantId ? (numberOrUndefined(f.values.stallId) ?? null) : null });
      onDone();
    });
  return (
    <form
      className="form-grid one"
      onSubmit={(e) => {
        e.preventDefault();
        if (merchant) void assign(merchant.id);
      }}
    >
      <ErrorBox message={f.topError} />
      <Field label="商户" en="Merchant" name="merchantId" error={f.errors.merchantId} required>
        <MerchantPicker
          id={fieldId('merchantId')}
          value={merchant}
          onChange={(m) => {
            setMerchant(m);
            f.set('stallId', m?.stallId ? String(m.stallId) : '');
          }}
          invalid={!!f.errors.merchantId}
        />
      </Field>
      {merchant?.marketId && (
        <Field label="摊位" en="Stall" name="stallId" error={f.errors.stallId} hint="默认为商户的摊位 (defaults to the merchant's stall)">
          <StallSelect id={fieldId('stallId')} name="stallId" marketId={String(merchant.marketId)} value={f.values.stallId} onChange={(v) => f.set('stallId', v)} />
        </Field>
      )}
      <FormActions>
        <button className="btn btn-primary" disabled={!merchant || f.submitting}>
          分配 Assign
        </button>
        {scale.merchantId && (
          <button type="button" className="btn btn-danger" disabled={f.submitting} onClick={() => confirm(`解除与“${scale.merchantName}”的分配？ Unassign?`) && void assign(null)}>
            解除分配 Unassign
          </button>
        )}
      </FormActions>
    </form>
  );
}

const isoDay = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

function VerificationForm({ scaleId, onDone }: { scaleId: number; onDone: () => void }) {
  const { me } = useSession();
  const today = new Date();
  const nextYear = new Date(today.getFullYear() + 1, today.getMonth(), today.getDate() - 1);
  const f = useForm({ certificateNo: '', institution: '', verifiedOn: isoDay(today), result: 'pass', validUntil: isoDay(nextYear) });
  const v = f.values;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await f.submit(() =>
      api.post(`/api/scales/${scaleId}/verifications`, {
        certificateNo: v.certificateNo.trim(),
        ...(v.institution.trim() ? { institution: v.institution.trim() } : {}),
        verifiedOn: v.verifiedOn,
        result: v.result,
        validUntil: v.result === 'pass' ? v.validUntil || null : null,
      }),
    );
    if (ok !== undefined) onDone();
  };
  return (
    <form className="form-grid" onSubmit={submit} noValidate>
      <ErrorBox message={f.topError} />
      <Field label="检定证书编号" en="Certificate no." name="certificateNo" error={f.errors.certificateNo} required>
        <input {...f.bind('certificateNo')} autoFocus />
      </Field>
      <Field label="检定机构" en="Institution" name="institution" error={f.errors.institution} hint={me.staff.organisation ? `留空则为 ${me.staff.organisation} (blank: your organisation)` : undefined}>
        <input {...f.bind('institution')} placeholder={me.staff.organisation} />
      </Field>
      <Field label="检定日期" en="Verified on" name="verifiedOn" error={f.errors.verifiedOn} required>
        <input type="date" {...f.bind('verifiedOn')} />
      </Field>
      <Field label="检定结论" en="Result" name="result" error={f.errors.result} required>
        <select {...f.bind('result')}>
          <option value="pass">合格 Pass</option>
          <option value="fail">不合格 Fail</option>
        </select>
      </Field>
      {v.result === 'pass' && (
        <Field label="有效期至" en="Valid until" name="validUntil" error={f.errors.validUntil} required>
          <input type="date" {...f.bind('validUntil')} />
        </Field>
      )}
      <FormActions>
        <button className="btn btn-primary" disabled={f.submitting}>
          保存 Save
        </button>
      </FormActions>
    </form>
  );
}

type ScaleValues = { serialNo: string; manufacturer: string; model: string; maxCapacityG: string; divisionG: string; accuracyClass: string; typeApprovalNo: string; isIot: boolean; districtId: string; stallId: string };

/** Register (no id) or edit a scale. */
export function ScaleEditPage({ id }: { id?: number }) {
  const scale = useGet<Scale>(id ? `/api/scales/${id}` : null);
  const loc = useLocation();
  const presetMerchant = loc.query.get('merchantId');
  const merchant = useGet<Merchant>(!id && presetMerchant ? `/api/merchants/${presetMerchant}` : null);
  if (id && scale.error) return <ErrorBox error={scale.error} />;
  if ((id && !scale.data) || merchant.loading) return <Loading />;
  return <ScaleForm scale={scale.data} presetMerchant={merchant.data ?? null} />;
}

function ScaleForm({ scale, presetMerchant }: { scale?: Scale; presetMerchant: Merchant | null }) {
  const vocab = useVocabulary();
  const original: ScaleValues = {
    serialNo: scale?.serialNo ?? '',
    manufacturer: scale?.manufacturer ?? '',
    model: scale?.model ?? '',
    maxCapacityG: scale ? String(scale.maxCapacityG) : '',
    divisionG: scale ? String(scale.divisionG) : '',
    accuracyClass: scale?.accuracyClass ?? 'III',
    typeApprovalNo: scale?.typeApprovalNo ?? '',
    isIot: scale?.isIot ?? true,
    districtId: scale ? String(scale.districtId) : '',
    stallId: presetMerchant?.stallId ? String(presetMerchant.stallId) : '',
  };
  const f = useForm<ScaleValues>(original);
  const [merchant, setMerchant] = useState<Merchant | null>(presetMerchant);
  useEffect(() => setMerchant(presetMerchant), [presetMerchant]);
  const v = f.values;
  const e = f.errors;

  const fields = (x: ScaleValues) => ({
    serialNo: x.serialNo.trim(),
    manufacturer: x.manufacturer,
    model: x.model,
    maxCapacityG: numberOrUndefined(x.maxCapacityG),
    divisionG: numberOrUndefined(x.divisionG),
    accuracyClass: x.accuracyClass,
    typeApprovalNo: x.typeApprovalNo,
    isIot: x.isIot,
  });
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    const saved = await f.submit(() => {
      if (scale) {
        const patch = changed(fields(original), fields(v)) as Record<string, unknown>;
        if (!scale.merchantId && v.districtId !== original.districtId) patch.districtId = numberOrUndefined(v.districtId) ?? null;
        return api.patch<Scale>(`/api/scales/${scale.id}`, patch);
      }
      const place = merchant ? { merchantId: merchant.id, stallId: numberOrUndefined(v.stallId) ?? null } : { districtId: numberOrUndefined(v.districtId) ?? null };
      return api.post<Scale>('/api/scales', { ...fields(v), ...place });
    });
    if (saved) navigate(`/scales/${saved.id}`);
  };

  return (
    <>
      <PageHeader title={scale ? `编辑电子秤：${scale.serialNo}` : '登记电子秤'} en={scale ? 'Edit scale' : 'New scale'}>
        <div className="crumbs">
          <Link to="/scales">电子秤 Scales</Link> › {scale ? <Link to={`/scales/${scale.id}`}>{scale.serialNo}</Link> : '新建 New'}
        </div>
      </PageHeader>
      <Panel title="器具信息" en="Instrument">
        <form onSubmit={submit} className="form-grid" noValidate>
          <ErrorBox message={f.topError} />
          <Field label="出厂编号" en="Serial no." name="serialNo" error={e.serialNo} required>
            <input {...f.bind('serialNo')} className="mono" />
          </Field>
          <Field label="生产厂家" en="Manufacturer" name="manufacturer" error={e.manufacturer} required>
            <input {...f.bind('manufacturer')} />
          </Field>
          <Field label="型号规格" en="Model" name="model" error={e.model} required>
            <input {...f.bind('model')} />
          </Field>
          <Field label="准确度等级" en="Accuracy class" name="accuracyClass" error={e.accuracyClass} required>
            <select {...f.bind('accuracyClass')}>
              {(vocab.data?.accuracyClasses ?? ['I', 'II', 'III', 'IIII']).map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </Field>
          <Field label="最大称量（克）" en="Max capacity (g)" name="maxCapacityG" error={e.maxCapacityG} required>
            <input {...f.bind('maxCapacityG')} inputMode="numeric" placeholder="30000" />
          </Field>
          <Field label="检定分度值（克）" en="Division e (g)" name="divisionG" error={e.divisionG} required>
            <input {...f.bind('divisionG')} inputMode="numeric" placeholder="10" />
          </Field>
          <Field label="型式批准号" en="Type approval no." name="typeApprovalNo" error={e.typeApprovalNo}>
            <input {...f.bind('typeApprovalNo')} />
          </Field>
          <Field label="物联网秤" en="IoT scale" name="isIot" error={e.isIot}>
            <label className="check">
              <input type="checkbox" id={fieldId('isIot')} checked={v.isIot} onChange={(x) => f.set('isIot', x.target.checked)} />
              按秤协议上报交易 <span className="en">reports sales over the scale protocol</span>
            </label>
          </Field>
          {!scale && (
            <Field label="使用商户" en="Merchant" name="merchantId" error={e.merchantId} hint="可稍后分配 (may be assigned later)">
              <MerchantPicker
                id={fieldId('merchantId')}
                value={merchant}
                onChange={(m) => {
                  setMerchant(m);
                  f.set('stallId', m?.stallId ? String(m.stallId) : '');
                }}
                invalid={!!e.merchantId}
                describedBy={e.merchantId ? errorId('merchantId') : undefined}
              />
            </Field>
          )}
          {!scale && merchant?.marketId && (
            <Field label="摊位" en="Stall" name="stallId" error={e.stallId}>
              <StallSelect id={fieldId('stallId')} name="stallId" marketId={String(merchant.marketId)} value={v.stallId} onChange={(x) => f.set('stallId', x)} />
            </Field>
          )}
          {((!scale && !merchant) || (scale && !scale.merchantId)) && (
            <Field label="所在辖区" en="District" name="districtId" error={e.districtId} hint="未分配商户的秤须指定辖区 (an unassigned scale needs a district)">
              <DistrictSelect id={fieldId('districtId')} name="districtId" value={v.districtId} onChange={(x) => f.set('districtId', x)} invalid={!!e.districtId} describedBy={e.districtId ? errorId('districtId') : undefined} />
            </Field>
          )}
          <FormActions>
            <button className="btn btn-primary" disabled={f.submitting}>
              保存 Save
            </button>
            <Link to={scale ? `/scales/${scale.id}` : '/scales'} className="btn">
              取消 Cancel
            </Link>
          </FormActions>
        </form>
      </Panel>
    </>
  );
}
