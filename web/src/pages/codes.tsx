/**
 * Signed QR codes in the back office: the code panel of a merchant, scale or market (image, check
 * code, PNG, reissue), a market's printable label sheets, and the codes page (any market's labels,
 * the city's price-list code). The server issues a code on its first request; images come from
 * the API as <img> (same-origin cookie), so the browser needs no QR library.
 */
import { useState } from 'react';
import { api, ApiError, download, qs, useGet } from '../api';
import { CODE_SUBJECT_LABELS, formatTime } from '../labels';
import { MarketSelect, useMarkets } from '../options';
import { Link, setQuery, useLocation } from '../router';
import { useSession } from '../session';
import type { City, IssuedCode, Market } from '../types';
import { ErrorBox, Facts, Loading, Notice, PageHeader, Panel } from '../ui';

const CSS = `
.code-box { display: flex; gap: 18px; align-items: flex-start; flex-wrap: wrap; }
.code-box .qr { width: 168px; height: 168px; flex: none; border: 1px solid var(--line); background: #fff; padding: 4px; }
.code-box .facts { flex: 1; min-width: 260px; grid-template-columns: minmax(0, 1fr); }
.code-box .facts dt { width: 110px; }
.check-code { font-size: 17px; font-weight: 600; letter-spacing: 0.12em; }
.code-url { font-size: 11px; color: var(--muted); word-break: break-all; }
.label-rows { width: 100%; border-collapse: collapse; margin-top: 8px; }
.label-rows td { padding: 6px 8px 6px 0; border-bottom: 1px solid var(--line-2); vertical-align: middle; }
.label-rows td.acts { text-align: right; white-space: nowrap; }
.label-rows td.acts > * + * { margin-left: 6px; }
`;
export const CodeStyle = () => <style>{CSS}</style>;

export type CodeSubject = keyof typeof CODE_SUBJECT_LABELS;
const PUBLIC_PAGE: Record<CodeSubject, string> = { merchants: '/p/merchants', scales: '/p/scales', markets: '/p/markets' };
const REISSUE_WARNING: Record<CodeSubject, string> = {
  merchants: '重新签发后，旧二维码立即作废：已张贴的旧商户码扫描将显示“此码已作废”，须打印新码替换。确定重新签发？\nReissuing revokes the old code at once: printed merchant stickers with it will show “此码已作废” (void) when scanned and must be replaced. Reissue?',
  scales: '重新签发后，旧二维码立即作废：贴在秤上的旧码扫描将显示“此码已作废”，须打印新码替换。确定重新签发？\nReissuing revokes the old code at once: the sticker on the scale will show “此码已作废” (void) when scanned and must be replaced. Reissue?',
  markets: '重新签发后，旧二维码立即作废：市场入口张贴的旧码扫描将显示“此码已作废”，须打印新码替换。确定重新签发？\nReissuing revokes the old code at once: the printed entrance code will show “此码已作废” (void) when scanned and must be replaced. Reissue?',
};

/** A code URL as a path on this server: the URL names the configured public host, which may not be the one serving this page. */
const pathOf = (url: string) => {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
};

const asApiError = (e: unknown) => (e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));

/**
 * The current QR code of a merchant, scale or market: image, check code (核对码), serial, issue
 * date, public page, PNG; reissue for roles that may. Render only for roles with code.print.
 */
export function CodePanel({ subject, id, title = '二维码', en = 'QR code' }: { subject: CodeSubject; id: number; title?: string; en?: string }) {
  const { can } = useSession();
  const code = useGet<IssuedCode>(`/api/${subject}/${id}/code`);
  const [reissued, setReissued] = useState<IssuedCode | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const c = reissued ?? code.data;
  const label = CODE_SUBJECT_LABELS[subject];
  // The serial in the query string makes the browser fetch the new image after a reissue.
  const image = (ext: 'svg' | 'png') => `/api/${subject}/${id}/code.${ext}${c ? qs({ serial: c.serial }) : ''}`;

  const reissue = async () => {
    if (!confirm(REISSUE_WARNING[subject])) return;
    setBusy(true);
    setError(null);
    try {
      setReissued(await api.post<IssuedCode>(`/api/${subject}/${id}/code/reissue`));
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Panel
      title={title}
      en={en}
      className="code-panel"
      actions={
        c && (
          <>
            <a className="btn btn-sm" href={`${PUBLIC_PAGE[subject]}/${id}`} target="_blank" rel="noopener">
              公开页面 Public page ↗
            </a>
            <a className="btn btn-sm" href={image('png')} download={`${subject.slice(0, -1)}-${id}-code-${c.serial}.png`}>
              下载 PNG Download
            </a>
            {can('code.reissue') && (
              <button type="button" className="btn btn-sm btn-danger" disabled={busy} onClick={() => void reissue()}>
                重新签发 Reissue
              </button>
            )}
          </>
        )
      }
    >
      <CodeStyle />
      <ErrorBox error={error ?? code.error} />
      {reissued && (
        <Notice kind="ok">
          已重新签发，旧码已作废，请打印新码替换已张贴的旧码。 <span className="en">Reissued: the old code is void; print the new one and replace the old stickers.</span>
        </Notice>
      )}
      {!c && !code.error && <Loading />}
      {c && (
        <div className="code-box">
          <img className="qr" src={image('svg')} alt={`${label.zh} ${label.en} · 核对码 ${c.checkCode}`} width={168} height={168} data-testid="code-image" />
          <Facts
            rows={[
              ['核对码', 'Check code', <span className="check-code mono" data-testid="check-code">{c.checkCode}</span>],
              ['版本', 'Serial', <span data-testid="code-serial">第 {c.serial} 版 · no. {c.serial}</span>],
              ['签发日期', 'Issued on', <span title={formatTime(c.issuedAt)}>{c.issuedOn}</span>],
              ['扫码地址', 'Scan address', <span className="code-url mono">{c.url}</span>],
            ]}
          />
        </div>
      )}
    </Panel>
  );
}

const LABEL_SIZES_MM = [30, 45, 60, 80, 120] as const;
const SHEETS = [
  { of: 'merchants', zh: '商户码', en: 'Merchant codes', per: '每户一枚 one per merchant' },
  { of: 'scales', zh: '电子秤码', en: 'Scale codes', per: '每台秤一枚 one per scale' },
  { of: 'market', zh: '市场码', en: 'Entrance code', per: '市场入口 for the entrance' },
] as const;

/** A market's A4 label sheets (PDF): every merchant's code, every scale's, or the entrance code, at a chosen size. */
export function LabelSheetsPanel({ market }: { market: Market }) {
  const [sizeMm, setSizeMm] = useState<number>(45);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const count = { merchants: market.merchantCount, scales: market.scaleCount, market: 1 };
  const path = (of: string) => `/api/markets/${market.id}/labels.pdf${qs({ of, sizeMm })}`;
  const save = async (of: (typeof SHEETS)[number]) => {
    setBusy(of.of);
    setError(null);
    try {
      await download(path(of.of), `${market.name}-${of.zh}-${sizeMm}mm.pdf`);
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(null);
    }
  };
  return (
    <Panel title="标签打印" en="Label sheets" className="label-sheets">
      <CodeStyle />
      <ErrorBox error={error} />
      <label className="filter">
        标签宽度 <span className="en">Label width</span>
        <select id="label-size" value={sizeMm} onChange={(e) => setSizeMm(Number(e.target.value))}>
          {LABEL_SIZES_MM.map((s) => (
            <option key={s} value={s}>
              {s} mm
            </option>
          ))}
        </select>
      </label>
      <div className="hint">
        A4 纸，45 mm 每页 12 枚；入口码建议 80 mm 以上。 <span className="en">A4 sheets; 45 mm gives 12 labels a page. For the entrance, 80 mm or more.</span>
      </div>
      <table className="label-rows">
        <tbody>
          {SHEETS.map((s) => (
            <tr key={s.of} data-sheet={s.of}>
              <td>
                <b>{s.zh}</b> <span className="en">{s.en}</span>
                <div className="hint">
                  {s.per} · {count[s.of]} 枚 labels
                </div>
              </td>
              <td className="acts">
                {count[s.of] === 0 ? (
                  <span className="muted">暂无 None to print</span>
                ) : (
                  <>
                    <a className="btn btn-sm" href={path(s.of)} target="_blank" rel="noopener">
                      打开 PDF Open ↗
                    </a>
                    <button type="button" className="btn btn-sm" disabled={busy !== null} onClick={() => void save(s)}>
                      {busy === s.of ? '生成中… Generating…' : '下载 Download'}
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Panel>
  );
}

/** The codes section of a market: its label sheets and its own entrance code, side by side. */
export function MarketCodes({ market }: { market: Market }) {
  return (
    <div className="two-col" data-testid="market-codes">
      <LabelSheetsPanel market={market} />
      <CodePanel subject="markets" id={market.id} title="市场码" en="Market entrance code" />
    </div>
  );
}

/** Codes: pick a market to print its labels; the city's price-list code for price tags. */
export function CodesPage() {
  const loc = useLocation();
  const { markets } = useMarkets();
  // A market manager with one market needs no choice.
  const marketId = loc.query.get('marketId') ?? (markets.length === 1 ? String(markets[0]!.id) : '');
  const market = useGet<Market>(marketId ? `/api/markets/${marketId}` : null);
  return (
    <>
      <PageHeader title="二维码" en="Codes">
        <p className="sub">
          打印市场的商户码、电子秤码和入口码；单个商户或电子秤的二维码在其详情页查看、下载和重新签发。{' '}
          <span className="en">Print a market's merchant, scale and entrance codes. A single merchant's or scale's code is on its own page, to view, download or reissue.</span>
        </p>
      </PageHeader>
      <div className="filters">
        <label className="filter">
          市场 <span className="en">Market</span>
          <MarketSelect id="codes-market" name="marketId" value={marketId} onChange={(v) => setQuery(loc, { marketId: v })} />
        </label>
        {market.data && (
          <Link to={`/markets/${market.data.id}`} className="btn btn-sm btn-link">
            市场详情 Market details ›
          </Link>
        )}
      </div>
      {!marketId && <Notice>请选择市场 Choose a market</Notice>}
      <ErrorBox error={market.error} />
      {marketId && market.loading && !market.data && <Loading />}
      {market.data && String(market.data.id) === marketId && <MarketCodes market={market.data} />}
      <PricesCodePanel />
    </>
  );
}

/**
 * The city's controlled-price list code (调控价格公示), for price tags. The API gives it as JSON
 * only, so the panel shows the address and check code, not an image.
 */
function PricesCodePanel() {
  const { me } = useSession();
  const cities = useGet<City[]>('/api/jurisdictions', { cached: true });
  const [chosen, setChosen] = useState('');
  const cityId = me.staff.cityId ?? (chosen ? Number(chosen) : (cities.data?.length === 1 ? cities.data[0]!.id : null));
  const code = useGet<IssuedCode>(cityId ? `/api/cities/${cityId}/prices-code` : null);
  const city = cities.data?.find((c) => c.id === cityId);
  const c = code.data;
  return (
    <Panel
      title="价格公示码"
      en="Price list code"
      actions={
        c && (
          <a className="btn btn-sm" href={pathOf(c.url)} target="_blank" rel="noopener">
            公示页面 Public page ↗
          </a>
        )
      }
    >
      <CodeStyle />
      {me.staff.cityId === null && (cities.data?.length ?? 0) > 1 && (
        <label className="filter">
          城市 <span className="en">City</span>
          <select id="prices-city" value={chosen} onChange={(e) => setChosen(e.target.value)}>
            <option value="">请选择 Select</option>
            {cities.data!.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name} {x.nameEn}
              </option>
            ))}
          </select>
        </label>
      )}
      <ErrorBox error={cities.error ?? code.error} />
      {code.loading && !c && <Loading />}
      {c && (
        <>
          <p className="hint">
            印在价签上，扫码即见本市现行调控价格。 <span className="en">For price tags: a scan shows the city's controlled prices in force.</span>
          </p>
          <Facts
            rows={[
              ['城市', 'City', city ? `${city.name} ${city.nameEn}` : ''],
              ['核对码', 'Check code', <span className="check-code mono">{c.checkCode}</span>],
              ['签发日期', 'Issued on', c.issuedOn],
              ['二维码内容', 'QR content', <span className="code-url mono">{c.url}</span>],
            ]}
          />
        </>
      )}
    </Panel>
  );
}
