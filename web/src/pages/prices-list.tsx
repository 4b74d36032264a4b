/**
 * One price list: its facts and items. A draft's items and header are edited here and it is
 * published from here; a published list is never edited, only corrected by a new version.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { api, qs, request, useGet } from '../api';
import { useForm } from '../form';
import { formatTime } from '../labels';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import type { Paged } from '../types';
import { ErrorBox, Facts, Field, FormActions, Loading, Modal, Notice, PageHeader, Panel } from '../ui';
import { CATEGORY_LABELS, fenOf, fromLocalInput, ItemsTable, ListHeaderForm, period, perJin, StatusBadge, toLocalInput, yuan, type PriceListDetail, type Product } from './prices';

/** Keyed by id, so moving to another list (a correction just started) starts with fresh state. */
export function PriceListPage({ id }: { id: number }) {
  return <PriceListView key={id} id={id} />;
}

function PriceListView({ id }: { id: number }) {
  const { can } = useSession();
  const list = useGet<PriceListDetail>(`/api/price-lists/${id}`);
  const [dialog, setDialog] = useState<'header' | 'correct' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const l = list.data;
  if (list.error) return <ErrorBox error={list.error} />;
  if (!l) return <Loading />;
  const editable = l.status === 'draft' && can('price.publish');

  const publish = async () => {
    if (!confirm('发布后价格表不可修改，只能发布更正版本。确定发布？ Once published the list never changes; corrections are new versions. Publish?')) return;
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/price-lists/${id}/publish`);
      list.reload();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader
        title={l.title}
        en={l.status === 'draft' ? 'Draft price list' : `Price list, version ${l.version}`}
        actions={
          <>
            {editable && (
              <>
                <button type="button" className="btn" onClick={() => setDialog('header')}>
                  编辑信息 Edit details
                </button>
                <button type="button" className="btn btn-primary" disabled={busy || l.items.length === 0} onClick={() => void publish()}>
                  发布 Publish
                </button>
              </>
            )}
            {l.status === 'published' && can('price.publish') && (
              <button type="button" className="btn" onClick={() => setDialog('correct')}>
                更正 Correct
              </button>
            )}
          </>
        }
      >
        <div className="crumbs">
          <Link to="/prices">调控价格 Controlled prices</Link> › {l.title}
        </div>
      </PageHeader>
      <ErrorBox message={error} />
      <Panel title="基本信息" en="Details">
        <Facts
          rows={[
            ['状态', 'Status', <StatusBadge key="s" list={l} />],
            ['版本', 'Version', l.version ? `第${l.version}版 v${l.version}` : '发布时编号 numbered when published'],
            ['执行期', 'In force', period(l)],
            ['发布单位', 'Publishing body', l.issuer],
            ['发布时间', 'Published', formatTime(l.publishedAt)],
            ['更正自', 'Corrects', l.supersedesId ? <Link key="c" to={`/prices/lists/${l.supersedesId}`}>#{l.supersedesId}</Link> : ''],
            ['备注', 'Note', l.note],
            ['更新时间', 'Updated', formatTime(l.updatedAt)],
          ]}
        />
      </Panel>
      {l.status === 'published' && <Notice>已发布的价格表不可修改；如需调整请“更正”，发布新版本 (a published list never changes: correct it with a new version)</Notice>}
      <Panel title="调控价格" en="Caps">
        {editable ? <ItemsEditor list={l} onSaved={list.reload} /> : <ItemsTable items={l.items} />}
      </Panel>
      {dialog === 'header' && (
        <Modal title="编辑价格表信息" en="Edit draft details" onClose={() => setDialog(null)}>
          <ListHeaderForm
            cityId={l.cityId}
            list={l}
            onDone={() => {
              setDialog(null);
              list.reload();
            }}
          />
        </Modal>
      )}
      {dialog === 'correct' && (
        <Modal title="更正价格表" en="Correct this list" onClose={() => setDialog(null)}>
          <CorrectForm list={l} />
        </Modal>
      )}
    </>
  );
}

type Row = { productId: number; cap: string };

/** A draft's items: caps typed in yuan per kg, per 斤 shown beside; saved together. */
function ItemsEditor({ list, onSaved }: { list: PriceListDetail; onSaved: () => void }) {
  const products = useGet<Paged<Product>>(`/api/products${qs({ cityId: list.cityId, active: true, pageSize: 500 })}`);
  const [rows, setRows] = useState<Row[]>(() => list.items.map((i) => ({ productId: i.productId, cap: yuan(i.capFenPerKg) })));
  const [adding, setAdding] = useState('');
  const f = useForm<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  useEffect(() => setRows(list.items.map((i) => ({ productId: i.productId, cap: yuan(i.capFenPerKg) }))), [list]);
  const byId = new Map((products.data?.items ?? []).map((p) => [p.id, p]));
  const label = (id: number) => {
    const p = byId.get(id) ?? list.items.find((i) => i.productId === id);
    return p ? `${p.name}${p.spec ? `（${p.spec}）` : ''}` : `#${id}`;
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const bad = rows.findIndex((r) => fenOf(r.cap) === null || fenOf(r.cap) === 0);
    if (bad >= 0) {
      f.clearErrors();
      alert(`第${bad + 1}行调控价无效，应为正的金额，最多两位小数 (row ${bad + 1}: the cap must be a positive amount in yuan, at most two decimals)`);
      return;
    }
    const ok = await f.submit(() => request('PUT', `/api/price-lists/${list.id}/items`, { items: rows.map((r) => ({ productId: r.productId, capFenPerKg: fenOf(r.cap)! })) }));
    if (ok) {
      setSaved(true);
      onSaved();
    }
  };
  const unused = (products.data?.items ?? []).filter((p) => !rows.some((r) => r.productId === p.id));
  return (
    <form onSubmit={submit} noValidate>
      <ErrorBox message={f.topError} />
      {saved && <Notice kind="ok">已保存 Saved</Notice>}
      <table className="grid">
        <thead>
          <tr>
            <th>品名 Product</th>
            <th>品类 Category</th>
            <th className="num">元/公斤 Yuan per kg</th>
            <th className="num">元/斤 Yuan per 500 g</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => {
            const fen = fenOf(r.cap);
            const err = f.errors[`items.${i}.capFenPerKg`] ?? f.errors[`items.${i}.productId`];
            const category = byId.get(r.productId)?.category ?? list.items.find((x) => x.productId === r.productId)?.category ?? '';
            return (
              <tr key={r.productId}>
                <td>
                  {label(r.productId)}
                  {err && <div className="field-error">{err}</div>}
                </td>
                <td>{CATEGORY_LABELS[category]?.zh ?? category}</td>
                <td className="num">
                  <input
                    aria-label={`${label(r.productId)} 元/公斤 yuan per kg`}
                    inputMode="decimal"
                    value={r.cap}
                    size={10}
                    aria-invalid={fen === null}
                    onChange={(e) => setRows(rows.map((x, k) => (k === i ? { ...x, cap: e.target.value } : x)))}
                  />
                </td>
                <td className="num">{fen === null ? '—' : yuan(perJin(fen))}</td>
                <td className="row-actions">
                  <button type="button" className="btn btn-sm btn-link" onClick={() => setRows(rows.filter((_, k) => k !== i))}>
                    移除 Remove
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="filters">
        <label className="filter">
          添加商品 <span className="en">Add product</span>{' '}
          <select value={adding} onChange={(e) => setAdding(e.target.value)} aria-label="添加商品 Add product">
            <option value="">请选择 Select</option>
            {unused.map((p) => (
              <option key={p.id} value={p.id}>
                {p.code} {p.name}
                {p.spec ? `（${p.spec}）` : ''}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="btn btn-sm"
          disabled={!adding}
          onClick={() => {
            setRows([...rows, { productId: Number(adding), cap: '' }]);
            setAdding('');
          }}
        >
          ＋ 添加 Add
        </button>
      </div>
      <FormActions>
        <button className="btn btn-primary" disabled={f.submitting}>
          保存价格 Save caps
        </button>
      </FormActions>
    </form>
  );
}

function CorrectForm({ list }: { list: PriceListDetail }) {
  const f = useForm({ effectiveFrom: toLocalInput(new Date().toISOString()), note: '' });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const draft = await f.submit(() =>
      api.post<PriceListDetail>(`/api/price-lists/${list.id}/correct`, { effectiveFrom: fromLocalInput(f.values.effectiveFrom) ?? undefined, ...(f.values.note.trim() ? { note: f.values.note.trim() } : {}) }),
    );
    if (draft) navigate(`/prices/lists/${draft.id}`);
  };
  return (
    <form className="form-grid one" onSubmit={submit} noValidate>
      <ErrorBox message={f.topError} />
      <p className="muted">
        将生成一份新的草稿，包含本表全部商品；修改后发布，自生效时间起取代第{list.version}版。 A new draft with this list's items; once published it supersedes version {list.version} from the time below.
      </p>
      <Field label="更正生效时间" en="Correction in force from" name="effectiveFrom" error={f.errors.effectiveFrom} required>
        <input type="datetime-local" {...f.bind('effectiveFrom')} autoFocus />
      </Field>
      <Field label="更正说明" en="Note" name="note" error={f.errors.note}>
        <input {...f.bind('note')} placeholder={`更正第${list.version}版`} />
      </Field>
      <FormActions>
        <button className="btn btn-primary" disabled={f.submitting}>
          生成更正草稿 Start correction
        </button>
      </FormActions>
    </form>
  );
}
