/** Selects fed by the API: districts (from jurisdictions), markets, stalls, and a merchant search picker. */
import { useEffect, useState } from 'react';
import { api, qs, useGet } from './api';
import type { City, Market, Merchant, Paged, Stall, Vocabulary } from './types';

export function useVocabulary() {
  return useGet<Vocabulary>('/api/registry/vocabulary', { cached: true });
}

export function useDistricts() {
  const j = useGet<City[]>('/api/jurisdictions', { cached: true });
  const districts = (j.data ?? []).flatMap((c) => c.districts.map((d) => ({ id: d.id, label: `${c.name} · ${d.name}`, en: d.nameEn, cityId: c.id })));
  return { ...j, districts };
}

/** Every market the caller can see (the API caps a page at 500). */
export function useMarkets() {
  const m = useGet<Paged<Market>>('/api/markets?pageSize=500');
  return { ...m, markets: m.data?.items ?? [] };
}

type SelectProps = { id: string; name: string; value: string; onChange: (v: string) => void; invalid?: boolean; describedBy?: string; placeholder?: string; disabled?: boolean };
const aria = (p: SelectProps) => ({ 'aria-invalid': !!p.invalid, ...(p.describedBy ? { 'aria-describedby': p.describedBy } : {}) });

export function DistrictSelect(p: SelectProps) {
  const { districts } = useDistricts();
  return (
    <select id={p.id} name={p.name} value={p.value} disabled={p.disabled} onChange={(e) => p.onChange(e.target.value)} {...aria(p)}>
      <option value="">{p.placeholder ?? '请选择 Select'}</option>
      {districts.map((d) => (
        <option key={d.id} value={d.id}>
          {d.label} {d.en}
        </option>
      ))}
    </select>
  );
}

export function MarketSelect(p: SelectProps) {
  const { markets } = useMarkets();
  return (
    <select id={p.id} name={p.name} value={p.value} disabled={p.disabled} onChange={(e) => p.onChange(e.target.value)} {...aria(p)}>
      <option value="">{p.placeholder ?? '请选择 Select'}</option>
      {markets.map((m) => (
        <option key={m.id} value={m.id}>
          {m.name}（{m.districtName}）
        </option>
      ))}
    </select>
  );
}

/** Stalls of a market; occupied stalls show who holds them. */
export function StallSelect(p: SelectProps & { marketId: string }) {
  const stalls = useGet<Stall[]>(p.marketId ? `/api/markets/${p.marketId}/stalls` : null);
  return (
    <select id={p.id} name={p.name} value={p.value} disabled={p.disabled || !p.marketId} onChange={(e) => p.onChange(e.target.value)} {...aria(p)}>
      <option value="">{p.marketId ? '不指定 None' : '请先选择市场 Choose a market first'}</option>
      {(stalls.data ?? []).map((s) => (
        <option key={s.id} value={s.id}>
          {s.number} · {s.trade}
          {s.merchantName ? `（${s.merchantName}）` : ''}
        </option>
      ))}
    </select>
  );
}

/** Search-as-you-type over merchants (name, USCC, legal rep); the chosen one is shown with its market. */
export function MerchantPicker(p: { id: string; value: Merchant | null; onChange: (m: Merchant | null) => void; invalid?: boolean; describedBy?: string }) {
  const [text, setText] = useState('');
  const [found, setFound] = useState<Merchant[]>([]);
  useEffect(() => {
    if (p.value || !text.trim()) {
      setFound([]);
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      api.get<Paged<Merchant>>(`/api/merchants${qs({ q: text.trim(), pageSize: 10 })}`).then(
        (r) => live && setFound(r.items),
        () => live && setFound([]),
      );
    }, 200);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [text, p.value]);
  if (p.value)
    return (
      <div className="picked">
        <span>
          {p.value.name} <span className="muted">{p.value.marketName ?? p.value.districtName}{p.value.stallNumber ? ` · ${p.value.stallNumber}` : ''}</span>
        </span>
        <button type="button" className="btn btn-sm" onClick={() => p.onChange(null)}>
          更换 Change
        </button>
      </div>
    );
  return (
    <div className="picker">
      <input id={p.id} value={text} placeholder="输入名称、信用代码或法定代表人搜索 Search name, USCC, legal rep" onChange={(e) => setText(e.target.value)} aria-invalid={!!p.invalid} {...(p.describedBy ? { 'aria-describedby': p.describedBy } : {})} autoComplete="off" />
      {found.length > 0 && (
        <ul className="picker-list" role="listbox">
          {found.map((m) => (
            <li key={m.id} role="option" aria-selected="false" onMouseDown={(e) => e.preventDefault()} onClick={() => p.onChange(m)}>
              {m.name} <span className="muted">{m.uscc ?? '无代码 no USCC'} · {m.marketName ?? m.districtName}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A search box kept in local state and applied on Enter or the button. */
export function SearchBox({ value, placeholder, onSearch }: { value: string; placeholder: string; onSearch: (q: string) => void }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  return (
    <form
      className="search"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        onSearch(text.trim());
      }}
    >
      <input type="search" name="q" value={text} placeholder={placeholder} onChange={(e) => setText(e.target.value)} aria-label={placeholder} />
      <button className="btn">查询 Search</button>
    </form>
  );
}
