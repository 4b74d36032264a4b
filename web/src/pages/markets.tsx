import { useState, type FormEvent } from 'react';
import { api, qs, useGet } from '../api';
import { changed, fieldId, errorId, numberOrUndefined, useForm } from '../form';
import { MERCHANT_STATUS_LABELS, formatTime } from '../labels';
import { DistrictSelect, SearchBox } from '../options';
import { Link, navigate, pageOf, setQuery, useLocation } from '../router';
import { useSession } from '../session';
import type { Market, Merchant, Paged, Scale, Stall } from '../types';
import { EmptyRow, ErrorBox, Facts, Field, FormActions, Loading, PageHeader, Pager, Panel, VerificationBadge } from '../ui';
import { MarketCodes } from './codes';

/** Markets: search by name or address, filter by district, page through. */
export function MarketsPage() {
  const loc = useLocation();
  const { can } = useSession();
  const q = loc.query.get('q') ?? '';
  const districtId = loc.query.get('districtId') ?? '';
  const page = pageOf(loc);
  const list = useGet<Paged<Market>>(`/api/markets${qs({ q, districtId, page, pageSize: 20 })}`);
  return (
    <>
      <PageHeader
        title="市场"
        en="Markets"
        actions={
          can('market.create') && (
            <Link to="/markets/new" className="btn btn-primary">
              ＋ 新建市场 New market
            </Link>
          )
        }
      />
      <div className="filters">
        <SearchBox value={q} placeholder="名称或地址 Name or address" onSearch={(v) => setQuery(loc, { q: v })} />
        <label className="filter">
          辖区 <span className="en">District</span>
          <DistrictSelect id="filter-district" name="districtId" value={districtId} placeholder="全部 All" onChange={(v) => setQuery(loc, { districtId: v })} />
        </label>
      </div>
      <ErrorBox error={list.error} />
      <table className="grid">
        <thead>
          <tr>
            <th>市场名称 Name</th>
            <th>辖区 District</th>
            <th>地址 Address</th>
            <th>管理方 Managing organisation</th>
            <th>联系人 Contact</th>
            <th className="num">商户 Merchants</th>
            <th className="num">电子秤 Scales</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((m) => (
            <tr key={m.id}>
              <td>
                <Link to={`/markets/${m.id}`}>{m.name}</Link>
              </td>
              <td>{m.districtName}</td>
              <td>{m.address}</td>
              <td>{m.managingOrg}</td>
              <td>
                {m.contactName} {m.contactPhone}
              </td>
              <td className="num">{m.merchantCount}</td>
              <td className="num">{m.scaleCount}</td>
            </tr>
          ))}
          {list.data && list.data.items.length === 0 && <EmptyRow cols={7} />}
        </tbody>
      </table>
      {list.loading && !list.data && <Loading />}
      {list.data && <Pager page={list.data.page} pageSize={list.data.pageSize} total={list.data.total} onPage={(p) => setQuery(loc, { page: p })} />}
    </>
  );
}

/** A market with its stalls, merchants and scales. */
export function MarketDetailPage({ id }: { id: number }) {
  const { can } = useSession();
  const market = useGet<Market>(`/api/markets/${id}`);
  const merchants = useGet<Paged<Merchant>>(can('merchant.read') ? `/api/merchants${qs({ marketId: id, pageSize: 50 })}` : null);
  const scales = useGet<Paged<Scale>>(can('scale.read') ? `/api/scales${qs({ marketId: id, pageSize: 50 })}` : null);
  const m = market.data;
  if (market.error) return <ErrorBox error={market.error} />;
  if (!m) return <Loading />;
  return (
    <>
      <PageHeader
        title={m.name}
        en="Market"
        actions={
          can('market.update') && (
            <Link to={`/markets/${id}/edit`} className="btn">
              编辑 Edit
            </Link>
          )
        }
      >
        <div className="crumbs">
          <Link to="/markets">市场 Markets</Link> › {m.name}
        </div>
      </PageHeader>
      <Panel title="基本信息" en="Details">
        <Facts
          rows={[
            ['辖区', 'District', m.districtName],
            ['地址', 'Address', m.address],
            ['管理方', 'Managing organisation', m.managingOrg],
            ['联系人', 'Contact', m.contactName],
            ['联系电话', 'Phone', m.contactPhone],
            ['商户数', 'Merchants', m.merchantCount],
            ['电子秤数', 'Scales', m.scaleCount],
            ['更新时间', 'Updated', formatTime(m.updatedAt)],
          ]}
        />
      </Panel>
      {can('code.print') && <MarketCodes market={m} />}
      <StallsPanel marketId={id} canWrite={can('stall.write')} />
      {can('merchant.read') && (
        <Panel
          title="商户"
          en="Merchants"
          actions={
            <>
              {can('merchant.write') && (
                <Link to={`/merchants/new?marketId=${id}`} className="btn btn-sm">
                  ＋ 新建商户 New merchant
                </Link>
              )}
              <Link to={`/merchants?marketId=${id}`} className="btn btn-sm">
                全部 All ›
              </Link>
            </>
          }
        >
          <ErrorBox error={merchants.error} />
          <table className="grid">
            <thead>
              <tr>
                <th>名称 Name</th>
                <th>统一社会信用代码 USCC</th>
                <th>法定代表人 Legal rep</th>
                <th>摊位 Stall</th>
                <th>状态 Status</th>
              </tr>
            </thead>
            <tbody>
              {merchants.data?.items.map((x) => (
                <tr key={x.id}>
                  <td>
                    <Link to={`/merchants/${x.id}`}>{x.name}</Link>
                  </td>
                  <td className="mono">{x.uscc ?? '—'}</td>
                  <td>{x.legalRep}</td>
                  <td>{x.stallNumber ?? '—'}</td>
                  <td>{MERCHANT_STATUS_LABELS[x.status]?.zh ?? x.status}</td>
                </tr>
              ))}
              {merchants.data && merchants.data.items.length === 0 && <EmptyRow cols={5} />}
            </tbody>
          </table>
        </Panel>
      )}
      {can('scale.read') && (
        <Panel
          title="电子秤"
          en="Scales"
          actions={
            <Link to={`/scales?marketId=${id}`} className="btn btn-sm">
              全部 All ›
            </Link>
          }
        >
          <ErrorBox error={scales.error} />
          <ScaleMiniTable scales={scales.data?.items} />
        </Panel>
      )}
    </>
  );
}

export function ScaleMiniTable({ scales }: { scales: Scale[] | undefined }) {
  return (
    <table className="grid">
      <thead>
        <tr>
          <th>出厂编号 Serial no.</th>
          <th>厂家 / 型号 Maker / model</th>
          <th>商户 Merchant</th>
          <th>检定状态 Verification</th>
          <th>有效期至 Valid until</th>
        </tr>
      </thead>
      <tbody>
        {scales?.map((s) => (
          <tr key={s.id} className={`row-${s.verification.status}`}>
            <td className="mono">
              <Link to={`/scales/${s.id}`}>{s.serialNo}</Link>
            </td>
            <td>
              {s.manufacturer} {s.model}
            </td>
            <td>{s.merchantName ?? '—'}</td>
            <td>
              <VerificationBadge status={s.verification.status} daysLeft={s.verification.daysLeft} />
            </td>
            <td>{s.verification.validUntil ?? '—'}</td>
          </tr>
        ))}
        {scales && scales.length === 0 && <EmptyRow cols={5} />}
      </tbody>
    </table>
  );
}

type StallValues = { number: string; areaM2: string; trade: string };

function StallsPanel({ marketId, canWrite }: { marketId: number; canWrite: boolean }) {
  const stalls = useGet<Stall[]>(`/api/markets/${marketId}/stalls`);
  const [editing, setEditing] = useState<number | 'new' | null>(null);
  return (
    <Panel
      title="摊位"
      en="Stalls"
      actions={
        canWrite &&
        editing !== 'new' && (
          <button type="button" className="btn btn-sm" onClick={() => setEditing('new')}>
            ＋ 新增摊位 Add stall
          </button>
        )
      }
    >
      <ErrorBox error={stalls.error} />
      {editing === 'new' && (
        <StallForm
          marketId={marketId}
          onDone={() => {
            setEditing(null);
            stalls.reload();
          }}
        />
      )}
      <table className="grid">
        <thead>
          <tr>
            <th>摊位号 Number</th>
            <th>经营行业 Trade</th>
            <th className="num">面积 Area (m²)</th>
            <th>商户 Merchant</th>
            {canWrite && <th />}
          </tr>
        </thead>
        <tbody>
          {stalls.data?.map((s) =>
            editing === s.id ? (
              <tr key={s.id}>
                <td colSpan={canWrite ? 5 : 4}>
                  <StallForm
                    marketId={marketId}
                    stall={s}
                    onDone={() => {
                      setEditing(null);
                      stalls.reload();
                    }}
                  />
                </td>
              </tr>
            ) : (
              <tr key={s.id}>
                <td>{s.number}</td>
                <td>{s.trade}</td>
                <td className="num">{s.areaM2 ?? '—'}</td>
                <td>{s.merchantName ?? <span className="muted">空置 Vacant</span>}</td>
                {canWrite && (
                  <td className="row-actions">
                    <button type="button" className="btn btn-sm btn-link" onClick={() => setEditing(s.id)}>
                      编辑 Edit
                    </button>
                  </td>
                )}
              </tr>
            ),
          )}
          {stalls.data && stalls.data.length === 0 && <EmptyRow cols={canWrite ? 5 : 4} />}
        </tbody>
      </table>
    </Panel>
  );
}

function StallForm({ marketId, stall, onDone }: { marketId: number; stall?: Stall; onDone: () => void }) {
  const original: StallValues = { number: stall?.number ?? '', areaM2: stall?.areaM2 == null ? '' : String(stall.areaM2), trade: stall?.trade ?? '' };
  const f = useForm<StallValues>(original);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = { number: f.values.number.trim(), trade: f.values.trade.trim(), areaM2: numberOrUndefined(f.values.areaM2) ?? null };
    const ok = await f.submit(() =>
      stall
        ? api.patch(`/api/stalls/${stall.id}`, changed({ number: stall.number, trade: stall.trade, areaM2: stall.areaM2 }, body))
        : api.post(`/api/markets/${marketId}/stalls`, body),
    );
    if (ok) onDone();
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <ErrorBox message={f.topError} />
      <div className="form-grid cols-4">
        <Field label="摊位号" en="Number" name="number" error={f.errors.number} required>
          <input {...f.bind('number')} autoFocus />
        </Field>
        <Field label="经营行业" en="Trade" name="trade" error={f.errors.trade} required>
          <input {...f.bind('trade')} placeholder="海鲜 / 水果 …" />
        </Field>
        <Field label="面积 (m²)" en="Area" name="areaM2" error={f.errors.areaM2}>
          <input {...f.bind('areaM2')} inputMode="decimal" />
        </Field>
        <FormActions>
          <button className="btn btn-primary btn-sm" disabled={f.submitting}>
            保存 Save
          </button>
          <button type="button" className="btn btn-sm" onClick={onDone}>
            取消 Cancel
          </button>
        </FormActions>
      </div>
    </form>
  );
}

type MarketValues = { districtId: string; name: string; address: string; managingOrg: string; contactName: string; contactPhone: string };

/** Create (no id) or edit a market. */
export function MarketEditPage({ id }: { id?: number }) {
  const market = useGet<Market>(id ? `/api/markets/${id}` : null);
  if (id && market.error) return <ErrorBox error={market.error} />;
  if (id && !market.data) return <Loading />;
  return <MarketForm market={market.data} />;
}

function MarketForm({ market }: { market?: Market }) {
  const original: MarketValues = {
    districtId: market ? String(market.districtId) : '',
    name: market?.name ?? '',
    address: market?.address ?? '',
    managingOrg: market?.managingOrg ?? '',
    contactName: market?.contactName ?? '',
    contactPhone: market?.contactPhone ?? '',
  };
  const f = useForm<MarketValues>(original);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const v = f.values;
    const body = { ...v, districtId: numberOrUndefined(v.districtId), name: v.name.trim() };
    const saved = await f.submit(() =>
      market
        ? api.patch<Market>(`/api/markets/${market.id}`, changed({ ...original, districtId: market.districtId, name: market.name }, body))
        : api.post<Market>('/api/markets', body),
    );
    if (saved) navigate(`/markets/${saved.id}`);
  };
  return (
    <>
      <PageHeader title={market ? `编辑市场：${market.name}` : '新建市场'} en={market ? 'Edit market' : 'New market'}>
        <div className="crumbs">
          <Link to="/markets">市场 Markets</Link> › {market ? <Link to={`/markets/${market.id}`}>{market.name}</Link> : '新建 New'}
        </div>
      </PageHeader>
      <Panel title="市场信息" en="Market">
        <form onSubmit={submit} className="form-grid" noValidate>
          <ErrorBox message={f.topError} />
          <Field label="辖区" en="District" name="districtId" error={f.errors.districtId} required>
            <DistrictSelect id={fieldId('districtId')} name="districtId" value={f.values.districtId} onChange={(v) => f.set('districtId', v)} invalid={!!f.errors.districtId} describedBy={f.errors.districtId ? errorId('districtId') : undefined} />
          </Field>
          <Field label="市场名称" en="Name" name="name" error={f.errors.name} required>
            <input {...f.bind('name')} />
          </Field>
          <Field label="地址" en="Address" name="address" error={f.errors.address} wide>
            <input {...f.bind('address')} />
          </Field>
          <Field label="管理方" en="Managing organisation" name="managingOrg" error={f.errors.managingOrg}>
            <input {...f.bind('managingOrg')} />
          </Field>
          <Field label="联系人" en="Contact" name="contactName" error={f.errors.contactName}>
            <input {...f.bind('contactName')} />
          </Field>
          <Field label="联系电话" en="Phone" name="contactPhone" error={f.errors.contactPhone}>
            <input {...f.bind('contactPhone')} inputMode="tel" />
          </Field>
          <FormActions>
            <button className="btn btn-primary" disabled={f.submitting}>
              保存 Save
            </button>
            <Link to={market ? `/markets/${market.id}` : '/markets'} className="btn">
              取消 Cancel
            </Link>
          </FormActions>
        </form>
      </Panel>
    </>
  );
}
