/**
 * Controlled prices (调控价格): the list in force, price lists (draft → publish → correct) and the
 * catalogue of controlled products, for the signed-in staff member's city (an administrator picks
 * one). The list detail page is in prices-list.tsx.
 */
import { useState, type FormEvent } from 'react';
import { api, qs, useGet } from '../api';
import { changed, useForm } from '../form';
import { formatTime, type Label } from '../labels';
import { SearchBox } from '../options';
import { Link, navigate, pageOf, setQuery, useLocation } from '../router';
import { useSession } from '../session';
import type { City, Paged } from '../types';
import { EmptyRow, ErrorBox, Field, FormActions, Loading, Modal, PageHeader, Pager, Panel } from '../ui';

// ---------------------------------------------------------------- shapes and helpers shared with prices-list.tsx

export interface Product {
  id: number;
  cityId: number;
  code: string;
  name: string;
  nameEn: string;
  category: string;
  spec: string;
  unit: string;
  aliases: string[];
  active: boolean;
}
export interface PriceItem {
  productId: number;
  productCode: string;
  name: string;
  nameEn: string;
  spec: string;
  category: string;
  capFenPerKg: number;
  capFenPerHalfKg: number;
}
export interface PriceList {
  id: number;
  cityId: number;
  version: number | null;
  title: string;
  issuer: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  status: 'draft' | 'published';
  publishedAt: string | null;
  publishedBy: number | null;
  supersedesId: number | null;
  note: string;
  itemCount: number;
  inForceNow: boolean;
  createdAt: string;
  updatedAt: string;
}
export interface PriceListDetail extends PriceList {
  items: PriceItem[];
}
interface InForce {
  cityId: number;
  cityCode: string;
  cityName: string;
  at: string;
  list: (Omit<PriceList, 'status' | 'itemCount' | 'inForceNow' | 'publishedBy' | 'createdAt' | 'updatedAt'> & { items: PriceItem[] }) | null;
}

export const CATEGORY_LABELS: Record<string, Label> = {
  seafood: { zh: '海鲜', en: 'Seafood' },
  fruit: { zh: '水果', en: 'Fruit' },
  vegetables: { zh: '蔬菜', en: 'Vegetables' },
  meat: { zh: '肉类', en: 'Meat' },
  poultry: { zh: '禽蛋', en: 'Poultry and eggs' },
  grain_oil: { zh: '粮油', en: 'Grain and oil' },
  other: { zh: '其他', en: 'Other' },
};

/** Fen as yuan: 16000 → "160.00". */
export const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
/** Yuan as typed → fen, or null when it is not an amount with at most two decimals. */
export function fenOf(text: string): number | null {
  const m = /^\s*(\d{1,7})(?:\.(\d{1,2}))?\s*$/.exec(text);
  return m ? Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')) : null;
}
/** Per 500 g (斤): half the per-kg cap, rounded half up to the fen, as the server does. */
export const perJin = (fenPerKg: number) => Math.round(fenPerKg / 2);

/** An ISO time as the value of a datetime-local input (the browser's time zone), and back. */
export function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
export const fromLocalInput = (v: string): string | null => (v ? new Date(v).toISOString() : null);

export function period(l: { effectiveFrom: string; effectiveTo: string | null }) {
  return l.effectiveTo ? `${formatTime(l.effectiveFrom)} 至 ${formatTime(l.effectiveTo)}` : `${formatTime(l.effectiveFrom)} 起 from`;
}

export function StatusBadge({ list }: { list: Pick<PriceList, 'status' | 'inForceNow'> }) {
  if (list.status === 'draft') return <span className="badge v-unverified">草稿 Draft</span>;
  return list.inForceNow ? <span className="badge v-valid">现行 In force</span> : <span className="badge v-expiring">已发布 Published</span>;
}

/** Caps per kg and per 斤 of a list's items. */
export function ItemsTable({ items }: { items: PriceItem[] }) {
  return (
    <table className="grid">
      <thead>
        <tr>
          <th>编码 Code</th>
          <th>品名 Product</th>
          <th>规格 Grade</th>
          <th>品类 Category</th>
          <th className="num">元/公斤 Yuan per kg</th>
          <th className="num">元/斤 Yuan per 500 g</th>
        </tr>
      </thead>
      <tbody>
        {items.map((i) => (
          <tr key={i.productId}>
            <td className="mono">{i.productCode}</td>
            <td>
              {i.name} <span className="muted">{i.nameEn}</span>
            </td>
            <td>{i.spec || '—'}</td>
            <td>{CATEGORY_LABELS[i.category]?.zh ?? i.category}</td>
            <td className="num">{yuan(i.capFenPerKg)}</td>
            <td className="num">{yuan(i.capFenPerHalfKg)}</td>
          </tr>
        ))}
        {items.length === 0 && <EmptyRow cols={6} />}
      </tbody>
    </table>
  );
}

/** The city whose prices are shown: the staff member's own, or (administrator) the one picked in ?cityId. */
export function useCity() {
  const { me } = useSession();
  const loc = useLocation();
  const cities = useGet<City[]>('/api/jurisdictions', { cached: true });
  const picked = Number(loc.query.get('cityId') ?? '') || null;
  const cityId = me.staff.cityId ?? picked ?? cities.data?.[0]?.id ?? null;
  return { cityId, cities: cities.data ?? [], canPick: me.staff.cityId === null, city: cities.data?.find((c) => c.id === cityId) ?? null };
}

// ---------------------------------------------------------------- the page

export function PricesPage() {
  const loc = useLocation();
  const { can } = useSession();
  const { cityId, cities, canPick, city } = useCity();
  const [creating, setCreating] = useState(false);
  const page = pageOf(loc);
  const inForce = useGet<InForce>(cityId ? `/api/prices/in-force${qs({ cityId })}` : null);
  const lists = useGet<Paged<PriceList>>(cityId ? `/api/price-lists${qs({ cityId, page, pageSize: 10 })}` : null);
  const now = inForce.data?.list;
  return (
    <>
      <PageHeader
        title="调控价格"
        en="Controlled prices"
        actions={
          can('price.publish') &&
          cityId && (
            <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
              ＋ 新建价格表 New price list
            </button>
          )
        }
      >
        {canPick && (
          <label className="filter">
            城市 <span className="en">City</span>{' '}
            <select value={cityId ?? ''} onChange={(e) => setQuery(loc, { cityId: e.target.value })} aria-label="城市 City">
              {cities.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} {c.nameEn}
                </option>
              ))}
            </select>
          </label>
        )}
      </PageHeader>

      <Panel
        title="现行调控价格"
        en="In force now"
        actions={
          city && (
            <a className="btn btn-sm" href={`/p/prices/${city.code}`} target="_blank" rel="noreferrer">
              公示页面 Public page ↗
            </a>
          )
        }
      >
        <ErrorBox error={inForce.error} />
        {inForce.loading && !inForce.data && <Loading />}
        {inForce.data && !now && <div className="muted">本市目前没有生效的调控价格 No price list is in force</div>}
        {now && (
          <>
            <p>
              <Link to={`/prices/lists/${now.id}`}>{now.title}</Link> · 第{now.version}版 Version {now.version} · {period(now)} · {now.issuer}
            </p>
            <ItemsTable items={now.items} />
          </>
        )}
      </Panel>

      <Panel title="价格表" en="Price lists">
        <ErrorBox error={lists.error} />
        <table className="grid">
          <thead>
            <tr>
              <th>版本 Version</th>
              <th>标题 Title</th>
              <th>状态 Status</th>
              <th>执行期 In force</th>
              <th className="num">商品 Items</th>
              <th>发布时间 Published</th>
            </tr>
          </thead>
          <tbody>
            {lists.data?.items.map((l) => (
              <tr key={l.id}>
                <td>{l.version ? `第${l.version}版 v${l.version}` : '—'}</td>
                <td>
                  <Link to={`/prices/lists/${l.id}`}>{l.title}</Link>
                  {l.supersedesId && <span className="muted"> · 更正 correction</span>}
                </td>
                <td>
                  <StatusBadge list={l} />
                </td>
                <td>{period(l)}</td>
                <td className="num">{l.itemCount}</td>
                <td>{formatTime(l.publishedAt)}</td>
              </tr>
            ))}
            {lists.data && lists.data.items.length === 0 && <EmptyRow cols={6} />}
          </tbody>
        </table>
        {lists.data && <Pager page={lists.data.page} pageSize={lists.data.pageSize} total={lists.data.total} onPage={(p) => setQuery(loc, { page: p })} />}
      </Panel>

      {cityId && <CataloguePanel cityId={cityId} />}

      {creating && cityId && (
        <Modal title="新建价格表（草稿）" en="New price list (draft)" onClose={() => setCreating(false)}>
          <ListHeaderForm
            cityId={cityId}
            onDone={(l) => {
              setCreating(false);
              navigate(`/prices/lists/${l.id}`);
            }}
          />
        </Modal>
      )}
    </>
  );
}

type HeaderValues = { title: string; issuer: string; effectiveFrom: string; effectiveTo: string; note: string };

/** Creates a draft (no list) or edits a draft's title, period, issuer and note. */
export function ListHeaderForm({ cityId, list, onDone }: { cityId: number; list?: PriceList; onDone: (l: PriceListDetail) => void }) {
  const original: HeaderValues = {
    title: list?.title ?? '',
    issuer: list?.issuer ?? '',
    effectiveFrom: toLocalInput(list?.effectiveFrom ?? null),
    effectiveTo: toLocalInput(list?.effectiveTo ?? null),
    note: list?.note ?? '',
  };
  const f = useForm<HeaderValues>(original);
  const body = (v: HeaderValues) => ({ title: v.title.trim(), issuer: v.issuer.trim(), effectiveFrom: fromLocalInput(v.effectiveFrom) ?? '', effectiveTo: fromLocalInput(v.effectiveTo), note: v.note });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const saved = await f.submit(() =>
      list ? api.patch<PriceListDetail>(`/api/price-lists/${list.id}`, changed(body(original), body(f.values))) : api.post<PriceListDetail>('/api/price-lists', { cityId, ...body(f.values), issuer: f.values.issuer.trim() || undefined }),
    );
    if (saved) onDone(saved);
  };
  return (
    <form className="form-grid" onSubmit={submit} noValidate>
      <ErrorBox message={f.topError} />
      <Field label="标题" en="Title" name="title" error={f.errors.title} required wide>
        <input {...f.bind('title')} placeholder="如：三亚市海鲜、水果调控价格（第1期）" autoFocus />
      </Field>
      <Field label="生效时间" en="In force from" name="effectiveFrom" error={f.errors.effectiveFrom} required>
        <input type="datetime-local" {...f.bind('effectiveFrom')} />
      </Field>
      <Field label="失效时间" en="In force until" name="effectiveTo" error={f.errors.effectiveTo} hint="留空表示直至被新版本取代 (empty: until superseded)">
        <input type="datetime-local" {...f.bind('effectiveTo')} />
      </Field>
      <Field label="发布单位" en="Publishing body" name="issuer" error={f.errors.issuer} hint="默认为您所在机构 (defaults to your organisation)">
        <input {...f.bind('issuer')} placeholder="如：三亚市价格监测中心" />
      </Field>
      <Field label="备注" en="Note" name="note" error={f.errors.note} wide>
        <input {...f.bind('note')} />
      </Field>
      <FormActions>
        <button className="btn btn-primary" disabled={f.submitting}>
          保存 Save
        </button>
      </FormActions>
    </form>
  );
}

// ---------------------------------------------------------------- the catalogue

function CataloguePanel({ cityId }: { cityId: number }) {
  const { can } = useSession();
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [dialog, setDialog] = useState<Product | 'new' | null>(null);
  const products = useGet<Paged<Product>>(`/api/products${qs({ cityId, q, page, pageSize: 50 })}`);
  return (
    <Panel
      title="商品目录"
      en="Catalogue of controlled products"
      actions={
        can('price.publish') && (
          <button type="button" className="btn btn-sm" onClick={() => setDialog('new')}>
            ＋ 新增商品 Add product
          </button>
        )
      }
    >
      <div className="filters">
        <SearchBox
          value={q}
          placeholder="名称、别名或编码 Name, alias or code"
          onSearch={(v) => {
            setQ(v);
            setPage(1);
          }}
        />
      </div>
      <ErrorBox error={products.error} />
      <table className="grid">
        <thead>
          <tr>
            <th>编码 Code</th>
            <th>品名 Name</th>
            <th>规格 Grade</th>
            <th>品类 Category</th>
            <th>别名 Aliases</th>
            <th>状态 Status</th>
            {can('price.publish') && <th />}
          </tr>
        </thead>
        <tbody>
          {products.data?.items.map((p) => (
            <tr key={p.id}>
              <td className="mono">{p.code}</td>
              <td>
                {p.name} <span className="muted">{p.nameEn}</span>
              </td>
              <td>{p.spec || '—'}</td>
              <td>{CATEGORY_LABELS[p.category]?.zh ?? p.category}</td>
              <td>{p.aliases.join('、') || '—'}</td>
              <td>{p.active ? <span className="tag tag-operating">启用 Active</span> : <span className="tag tag-closed">停用 Inactive</span>}</td>
              {can('price.publish') && (
                <td className="row-actions">
                  <button type="button" className="btn btn-sm btn-link" onClick={() => setDialog(p)}>
                    编辑 Edit
                  </button>
                </td>
              )}
            </tr>
          ))}
          {products.data && products.data.items.length === 0 && <EmptyRow cols={can('price.publish') ? 7 : 6} />}
        </tbody>
      </table>
      {products.data && <Pager page={products.data.page} pageSize={products.data.pageSize} total={products.data.total} onPage={setPage} />}
      {dialog && (
        <Modal title={dialog === 'new' ? '新增商品' : `编辑商品 ${dialog.name}`} en={dialog === 'new' ? 'Add product' : 'Edit product'} onClose={() => setDialog(null)}>
          <ProductForm
            cityId={cityId}
            product={dialog === 'new' ? undefined : dialog}
            onDone={() => {
              setDialog(null);
              products.reload();
            }}
          />
        </Modal>
      )}
    </Panel>
  );
}

type ProductValues = { code: string; name: string; nameEn: string; category: string; spec: string; aliases: string; active: string };

function ProductForm({ cityId, product, onDone }: { cityId: number; product?: Product; onDone: () => void }) {
  const original: ProductValues = {
    code: product?.code ?? '',
    name: product?.name ?? '',
    nameEn: product?.nameEn ?? '',
    category: product?.category ?? 'seafood',
    spec: product?.spec ?? '',
    aliases: (product?.aliases ?? []).join('、'),
    active: product?.active === false ? 'false' : 'true',
  };
  const f = useForm<ProductValues>(original);
  const body = (v: ProductValues) => ({
    code: v.code.trim(),
    name: v.name.trim(),
    nameEn: v.nameEn.trim(),
    category: v.category,
    spec: v.spec.trim(),
    aliases: v.aliases.split(/[、,，;；\s]+/).map((a) => a.trim()).filter(Boolean),
    active: v.active === 'true',
  });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await f.submit(() => (product ? api.patch(`/api/products/${product.id}`, changed(body(original), body(f.values))) : api.post('/api/products', { cityId, ...body(f.values) })));
    if (ok) onDone();
  };
  return (
    <form className="form-grid" onSubmit={submit} noValidate>
      <ErrorBox message={f.topError} />
      <Field label="商品编码" en="Code" name="code" error={f.errors.code} required>
        <input {...f.bind('code')} placeholder="SY-SF-001" autoFocus />
      </Field>
      <Field label="品名" en="Name" name="name" error={f.errors.name} required>
        <input {...f.bind('name')} placeholder="石斑鱼" />
      </Field>
      <Field label="英文名" en="English name" name="nameEn" error={f.errors.nameEn}>
        <input {...f.bind('nameEn')} placeholder="Grouper" />
      </Field>
      <Field label="品类" en="Category" name="category" error={f.errors.category} required>
        <select {...f.bind('category')}>
          {Object.entries(CATEGORY_LABELS).map(([k, l]) => (
            <option key={k} value={k}>
              {l.zh} {l.en}
            </option>
          ))}
        </select>
      </Field>
      <Field label="规格 / 等级" en="Size grade" name="spec" error={f.errors.spec}>
        <input {...f.bind('spec')} placeholder="活，500g以上" />
      </Field>
      <Field label="状态" en="Status" name="active" error={f.errors.active}>
        <select {...f.bind('active')}>
          <option value="true">启用 Active</option>
          <option value="false">停用 Inactive</option>
        </select>
      </Field>
      <Field label="别名" en="Aliases" name="aliases" error={f.errors.aliases} wide hint="用顿号或逗号分隔；小票上可能打印的其他名称，每个至少2个字 (other names a receipt may print, 2+ characters each)">
        <input {...f.bind('aliases')} placeholder="青石斑、石斑" />
      </Field>
      <FormActions>
        <button className="btn btn-primary" disabled={f.submitting}>
          保存 Save
        </button>
      </FormActions>
    </form>
  );
}
