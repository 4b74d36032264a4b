import { useState, type FormEvent } from 'react';
import { api, qs, useGet } from '../api';
import { changed, errorId, fieldId, numberOrUndefined, useForm } from '../form';
import { KEY_POINT_LABELS, MERCHANT_STATUS_LABELS, MIN_RETENTION_DAYS, both, formatTime } from '../labels';
import { DistrictSelect, MarketSelect, SearchBox, StallSelect, useVocabulary } from '../options';
import { Link, navigate, pageOf, setQuery, useLocation } from '../router';
import { useSession } from '../session';
import type { Camera, Merchant, Paged, Scale } from '../types';
import { EmptyRow, ErrorBox, Facts, Field, FormActions, Loading, PageHeader, Pager, Panel } from '../ui';
import { CodePanel } from './codes';
import { MerchantCreditPanel } from './credit';
import { MerchantPenaltiesPanel } from './penalties';
import { ScaleMiniTable } from './markets';
import { RecentSalesPanel } from './sales';

const STATUSES = ['operating', 'suspended', 'closed'];

/** Merchants: search by name, USCC or legal representative; filter by market, status, category. */
export function MerchantsPage() {
  const loc = useLocation();
  const { can } = useSession();
  const vocab = useVocabulary();
  const f = { q: loc.query.get('q') ?? '', marketId: loc.query.get('marketId') ?? '', status: loc.query.get('status') ?? '', category: loc.query.get('category') ?? '' };
  const page = pageOf(loc);
  const list = useGet<Paged<Merchant>>(`/api/merchants${qs({ ...f, page, pageSize: 20 })}`);
  const catLabel = (c: string) => vocab.data?.categories.find((x) => x.value === c)?.zh ?? c;
  return (
    <>
      <PageHeader
        title="商户"
        en="Merchants"
        actions={
          can('merchant.write') && (
            <Link to={`/merchants/new${qs({ marketId: f.marketId })}`} className="btn btn-primary">
              ＋ 新建商户 New merchant
            </Link>
          )
        }
      />
      <div className="filters">
        <SearchBox value={f.q} placeholder="名称、信用代码或法定代表人 Name, USCC or legal rep" onSearch={(v) => setQuery(loc, { q: v })} />
        <label className="filter">
          市场 <span className="en">Market</span>
          <MarketSelect id="filter-market" name="marketId" value={f.marketId} placeholder="全部 All" onChange={(v) => setQuery(loc, { marketId: v })} />
        </label>
        <label className="filter">
          状态 <span className="en">Status</span>
          <select value={f.status} onChange={(e) => setQuery(loc, { status: e.target.value })}>
            <option value="">全部 All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {both(MERCHANT_STATUS_LABELS[s], s)}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          经营类别 <span className="en">Category</span>
          <select value={f.category} onChange={(e) => setQuery(loc, { category: e.target.value })}>
            <option value="">全部 All</option>
            {vocab.data?.categories.map((c) => (
              <option key={c.value} value={c.value}>
                {c.zh} {c.en}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBox error={list.error} />
      <table className="grid" data-testid="merchant-list">
        <thead>
          <tr>
            <th>主体名称 Name</th>
            <th>统一社会信用代码 USCC</th>
            <th>法定代表人 Legal rep</th>
            <th>主体类型 Entity type</th>
            <th>市场 / 摊位 Market / stall</th>
            <th>经营类别 Categories</th>
            <th>状态 Status</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((m) => (
            <tr key={m.id}>
              <td>
                <Link to={`/merchants/${m.id}`}>{m.name}</Link>
              </td>
              <td className="mono">{m.uscc ?? <span className="muted">无 None</span>}</td>
              <td>{m.legalRep}</td>
              <td>{m.entityType}</td>
              <td>
                {m.marketName ?? m.districtName}
                {m.stallNumber ? ` · ${m.stallNumber}` : ''}
              </td>
              <td>{m.categories.map(catLabel).join('、')}</td>
              <td>
                <StatusTag status={m.status} />
              </td>
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

function StatusTag({ status }: { status: string }) {
  return <span className={`tag tag-${status}`}>{both(MERCHANT_STATUS_LABELS[status], status)}</span>;
}

/** One merchant: its record, its credit, its scales, its recent sales and its cameras. */
export function MerchantDetailPage({ id }: { id: number }) {
  const { can } = useSession();
  const vocab = useVocabulary();
  const merchant = useGet<Merchant>(`/api/merchants/${id}`);
  const scales = useGet<Paged<Scale>>(can('scale.read') ? `/api/scales${qs({ merchantId: id, pageSize: 100 })}` : null);
  // A penalty deducts credit: the credit panel is drawn afresh when one is recorded.
  const [creditKey, setCreditKey] = useState(0);
  const m = merchant.data;
  if (merchant.error) return <ErrorBox error={merchant.error} />;
  if (!m) return <Loading />;
  const cat = (c: string) => both(vocab.data?.categories.find((x) => x.value === c), c);
  return (
    <>
      <PageHeader
        title={m.name}
        en="Merchant"
        actions={
          can('merchant.write') && (
            <Link to={`/merchants/${id}/edit`} className="btn">
              编辑 Edit
            </Link>
          )
        }
      >
        <div className="crumbs">
          <Link to="/merchants">商户 Merchants</Link> › {m.name}
        </div>
      </PageHeader>
      <Panel title="主体信息" en="Market entity">
        <Facts
          rows={[
            ['统一社会信用代码', 'USCC', m.hasUscc ? <span className="mono">{m.uscc}</span> : '无（个体工商户） None (individual business)'],
            ['法定代表人/经营者', 'Legal representative', m.legalRep],
            ['主体类型', 'Entity type', m.entityType],
            ['状态', 'Status', <StatusTag status={m.status} />],
            ['市场', 'Market', m.marketId ? <Link to={`/markets/${m.marketId}`}>{m.marketName}</Link> : '—'],
            ['摊位', 'Stall', m.stallNumber],
            ['辖区', 'District', m.districtName],
            ['经营地址', 'Address', m.address],
            ['经营类别', 'Categories', m.categories.map(cat).join('、')],
            ['许可证号', 'Licence numbers', m.licenceNumbers.join('、')],
            ['登记时间', 'Registered', formatTime(m.createdAt)],
            ['更新时间', 'Updated', formatTime(m.updatedAt)],
          ]}
        />
      </Panel>
      {can('credit.read') && <MerchantCreditPanel key={creditKey} merchantId={id} cityId={m.cityId} />}
      {can('penalty.read') && <MerchantPenaltiesPanel merchantId={id} cityId={m.cityId} onRecorded={() => setCreditKey((k) => k + 1)} />}
      {can('code.print') && <CodePanel subject="merchants" id={id} />}
      {can('scale.read') && (
        <Panel
          title="电子秤"
          en="Scales"
          actions={
            can('scale.write') && (
              <Link to={`/scales/new?merchantId=${id}`} className="btn btn-sm">
                ＋ 登记电子秤 New scale
              </Link>
            )
          }
        >
          <ErrorBox error={scales.error} />
          <ScaleMiniTable scales={scales.data?.items} />
        </Panel>
      )}
      {can('sale.read') && <RecentSalesPanel merchantId={id} />}
      {can('camera.read') && <CamerasPanel merchantId={id} canWrite={can('camera.write')} />}
    </>
  );
}

function CamerasPanel({ merchantId, canWrite }: { merchantId: number; canWrite: boolean }) {
  const cams = useGet<Paged<Camera>>(`/api/cameras${qs({ merchantId, pageSize: 100 })}`);
  const [editing, setEditing] = useState<number | 'new' | null>(null);
  const done = () => {
    setEditing(null);
    cams.reload();
  };
  return (
    <Panel
      title="视频监控"
      en="Cameras"
      actions={
        canWrite &&
        editing !== 'new' && (
          <button type="button" className="btn btn-sm" onClick={() => setEditing('new')}>
            ＋ 新增摄像头 Add camera
          </button>
        )
      }
    >
      <ErrorBox error={cams.error} />
      {editing === 'new' && <CameraForm merchantId={merchantId} onDone={done} />}
      <table className="grid">
        <thead>
          <tr>
            <th>监控点位 Key point</th>
            <th>视频流地址 Stream URL</th>
            <th className="num">存储天数 Retention (days)</th>
            <th>更新时间 Updated</th>
            {canWrite && <th />}
          </tr>
        </thead>
        <tbody>
          {cams.data?.items.map((c) =>
            editing === c.id ? (
              <tr key={c.id}>
                <td colSpan={5}>
                  <CameraForm merchantId={merchantId} camera={c} onDone={done} />
                </td>
              </tr>
            ) : (
              <tr key={c.id} className={c.meetsRetention ? '' : 'row-expired'}>
                <td>{both(KEY_POINT_LABELS[c.keyPoint], c.keyPoint)}</td>
                <td className="mono">{c.streamUrl}</td>
                <td className="num">
                  {c.retentionDays}
                  {!c.meetsRetention && <span className="badge v-expired">不足{MIN_RETENTION_DAYS}天 Below {MIN_RETENTION_DAYS} days</span>}
                </td>
                <td>{formatTime(c.updatedAt)}</td>
                {canWrite && (
                  <td className="row-actions">
                    <button type="button" className="btn btn-sm btn-link" onClick={() => setEditing(c.id)}>
                      编辑 Edit
                    </button>
                  </td>
                )}
              </tr>
            ),
          )}
          {cams.data && cams.data.items.length === 0 && <EmptyRow cols={canWrite ? 5 : 4} />}
        </tbody>
      </table>
    </Panel>
  );
}

function CameraForm({ merchantId, camera, onDone }: { merchantId: number; camera?: Camera; onDone: () => void }) {
  const vocab = useVocabulary();
  const f = useForm({ keyPoint: camera?.keyPoint ?? 'weighing_area', streamUrl: camera?.streamUrl ?? '', retentionDays: String(camera?.retentionDays ?? MIN_RETENTION_DAYS) });
  const days = numberOrUndefined(f.values.retentionDays);
  const short = days !== undefined && Number.isFinite(days) && days < MIN_RETENTION_DAYS;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = { keyPoint: f.values.keyPoint, streamUrl: f.values.streamUrl.trim(), retentionDays: days };
    const ok = await f.submit(() =>
      camera
        ? api.patch(`/api/cameras/${camera.id}`, changed({ keyPoint: camera.keyPoint, streamUrl: camera.streamUrl, retentionDays: camera.retentionDays }, body))
        : api.post('/api/cameras', { merchantId, ...body }),
    );
    if (ok) onDone();
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <ErrorBox message={f.topError} />
      <div className="form-grid cols-4">
        <Field label="监控点位" en="Key point" name="keyPoint" error={f.errors.keyPoint} required>
          <select {...f.bind('keyPoint')}>
            {(vocab.data?.cameraKeyPoints ?? Object.keys(KEY_POINT_LABELS)).map((k) => (
              <option key={k} value={k}>
                {both(KEY_POINT_LABELS[k], k)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="视频流地址" en="Stream URL" name="streamUrl" error={f.errors.streamUrl} required>
          <input {...f.bind('streamUrl')} placeholder="rtsp://…" />
        </Field>
        <Field
          label="存储天数"
          en="Retention days"
          name="retentionDays"
          error={f.errors.retentionDays}
          hint={short ? <span className="warn-text">少于{MIN_RETENTION_DAYS}天，不符合留存要求 (below the required {MIN_RETENTION_DAYS} days)</span> : `要求 ≥ ${MIN_RETENTION_DAYS} 天 (required)`}
        >
          <input {...f.bind('retentionDays')} inputMode="numeric" />
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

type MerchantValues = {
  name: string;
  uscc: string;
  noUscc: boolean;
  legalRep: string;
  entityType: string;
  address: string;
  categories: string[];
  licenceNumbers: string;
  marketId: string;
  districtId: string;
  stallId: string;
  status: string;
};

/** Create (no id) or edit a merchant. */
export function MerchantEditPage({ id }: { id?: number }) {
  const merchant = useGet<Merchant>(id ? `/api/merchants/${id}` : null);
  const loc = useLocation();
  if (id && merchant.error) return <ErrorBox error={merchant.error} />;
  if (id && !merchant.data) return <Loading />;
  return <MerchantForm merchant={merchant.data} presetMarketId={loc.query.get('marketId') ?? ''} />;
}

function toValues(m: Merchant | undefined, presetMarketId: string): MerchantValues {
  return {
    name: m?.name ?? '',
    uscc: m?.uscc ?? '',
    noUscc: m ? !m.hasUscc : false,
    legalRep: m?.legalRep ?? '',
    entityType: m?.entityType ?? '个体工商户',
    address: m?.address ?? '',
    categories: m?.categories ?? [],
    licenceNumbers: m?.licenceNumbers.join('，') ?? '',
    marketId: m ? (m.marketId ? String(m.marketId) : '') : presetMarketId,
    districtId: m && !m.marketId ? String(m.districtId) : '',
    stallId: m?.stallId ? String(m.stallId) : '',
    status: m?.status ?? 'operating',
  };
}

/** The request body the API expects, from the form's values. */
function toBody(v: MerchantValues, withStatus: boolean) {
  const marketId = numberOrUndefined(v.marketId) ?? null;
  return {
    name: v.name,
    uscc: v.noUscc ? null : v.uscc,
    hasUscc: !v.noUscc,
    legalRep: v.legalRep,
    entityType: v.entityType,
    address: v.address,
    categories: v.categories,
    licenceNumbers: v.licenceNumbers.split(/[,，;；\s]+/).filter(Boolean),
    marketId,
    districtId: marketId ? null : (numberOrUndefined(v.districtId) ?? null),
    stallId: marketId ? (numberOrUndefined(v.stallId) ?? null) : null,
    ...(withStatus ? { status: v.status } : {}),
  };
}

function MerchantForm({ merchant, presetMarketId }: { merchant?: Merchant; presetMarketId: string }) {
  const vocab = useVocabulary();
  const original = toValues(merchant, presetMarketId);
  const f = useForm<MerchantValues>(original);
  const v = f.values;
  const e = f.errors;
  const described = (name: string) => (e[name] ? errorId(name) : undefined);

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    const body = toBody(v, !!merchant);
    const saved = await f.submit(() => (merchant ? api.patch<Merchant>(`/api/merchants/${merchant.id}`, changed(toBody(original, true), body)) : api.post<Merchant>('/api/merchants', body)));
    if (saved) navigate(`/merchants/${saved.id}`);
  };
  const toggleCategory = (c: string) => f.set('categories', v.categories.includes(c) ? v.categories.filter((x) => x !== c) : [...v.categories, c]);

  return (
    <>
      <PageHeader title={merchant ? `编辑商户：${merchant.name}` : '新建商户'} en={merchant ? 'Edit merchant' : 'New merchant'}>
        <div className="crumbs">
          <Link to="/merchants">商户 Merchants</Link> › {merchant ? <Link to={`/merchants/${merchant.id}`}>{merchant.name}</Link> : '新建 New'}
        </div>
      </PageHeader>
      <Panel title="经营主体信息" en="Market entity">
        <form onSubmit={submit} className="form-grid" noValidate data-testid="merchant-form">
          <ErrorBox message={f.topError} />
          <Field label="主体名称" en="Name" name="name" error={e.name} required>
            <input {...f.bind('name')} />
          </Field>
          <Field label="主体类型" en="Entity type" name="entityType" error={e.entityType} required>
            <select {...f.bind('entityType')}>
              {(vocab.data?.entityTypes ?? [{ value: v.entityType, zh: v.entityType, en: '' }]).map((t) => (
                <option key={t.value} value={t.value}>
                  {t.zh} {t.en}
                </option>
              ))}
            </select>
          </Field>
          <Field label="统一社会信用代码" en="USCC" name="uscc" error={e.uscc} required={!v.noUscc} hint="18位，含校验码 (18 characters with a check character)">
            <input {...f.bind('uscc')} className="mono" maxLength={30} disabled={v.noUscc} autoComplete="off" spellCheck={false} />
          </Field>
          <Field label="无统一社会信用代码" en="No USCC" name="hasUscc" error={e.hasUscc}>
            <label className="check">
              <input
                type="checkbox"
                id={fieldId('hasUscc')}
                checked={v.noUscc}
                onChange={(x) => {
                  f.set('noUscc', x.target.checked);
                  if (x.target.checked) f.set('uscc', '');
                }}
                aria-describedby={described('hasUscc')}
              />
              无代码的个体工商户 <span className="en">individual business without a USCC</span>
            </label>
          </Field>
          <Field label="法定代表人/经营者" en="Legal representative" name="legalRep" error={e.legalRep} required>
            <input {...f.bind('legalRep')} />
          </Field>
          <Field label="经营地址" en="Address" name="address" error={e.address}>
            <input {...f.bind('address')} />
          </Field>
          <Field label="所在市场" en="Market" name="marketId" error={e.marketId}>
            <MarketSelect
              id={fieldId('marketId')}
              name="marketId"
              value={v.marketId}
              placeholder="不在市场内 Not in a market"
              onChange={(x) => {
                f.set('marketId', x);
                f.set('stallId', '');
              }}
              invalid={!!e.marketId}
              describedBy={described('marketId')}
            />
          </Field>
          {v.marketId ? (
            <Field label="摊位" en="Stall" name="stallId" error={e.stallId}>
              <StallSelect id={fieldId('stallId')} name="stallId" marketId={v.marketId} value={v.stallId} onChange={(x) => f.set('stallId', x)} invalid={!!e.stallId} describedBy={described('stallId')} />
            </Field>
          ) : (
            <Field label="所在辖区" en="District" name="districtId" error={e.districtId} hint="不在市场内的商户须指定辖区 (required outside a market)">
              <DistrictSelect id={fieldId('districtId')} name="districtId" value={v.districtId} onChange={(x) => f.set('districtId', x)} invalid={!!e.districtId} describedBy={described('districtId')} />
            </Field>
          )}
          <Field label="经营类别" en="Categories" name="categories" error={e.categories} wide>
            <div className="checks" id={fieldId('categories')} role="group" aria-describedby={described('categories')}>
              {vocab.data?.categories.map((c) => (
                <label key={c.value} className="check">
                  <input type="checkbox" name="categories" value={c.value} checked={v.categories.includes(c.value)} onChange={() => toggleCategory(c.value)} />
                  {c.zh} <span className="en">{c.en}</span>
                </label>
              ))}
            </div>
          </Field>
          <Field label="许可证号" en="Licence numbers" name="licenceNumbers" error={e.licenceNumbers} hint="多个以逗号分隔 (separate several with commas)">
            <input {...f.bind('licenceNumbers')} />
          </Field>
          {merchant && (
            <Field label="状态" en="Status" name="status" error={e.status}>
              <select {...f.bind('status')}>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {both(MERCHANT_STATUS_LABELS[s], s)}
                  </option>
                ))}
              </select>
            </Field>
          )}
          <FormActions>
            <button className="btn btn-primary" disabled={f.submitting}>
              保存 Save
            </button>
            <Link to={merchant ? `/merchants/${merchant.id}` : '/merchants'} className="btn">
              取消 Cancel
            </Link>
          </FormActions>
        </form>
      </Panel>
    </>
  );
}
