import { isWithinReach, type Reach } from '../auth/index.js';

export type AlertChange = 'created' | 'evidence' | 'status';

/** What the bus carries: enough to place an alert (district, market) and order its updates (version). */
export interface BusItem {
  id: number;
  version: number;
  districtId: number;
  marketId: number | null;
  change: AlertChange;
}

interface Subscriber<T> {
  reach: Reach;
  onAlert: (a: T) => void;
  onResync?: () => void;
}

/**
 * In-process fan-out of alert changes to subscribers by reach. New alerts and status changes go
 * out at once; evidence updates are throttled per alert (leading edge, then at most one per
 * `coalesceMs` carrying the newest version), so a burst of a hundred updates is a few events.
 * Each event object is handed to every subscriber as is, so an edge can serialise it once.
 */
export class AlertBus<T extends BusItem> {
  private readonly all = new Set<Subscriber<T>>();
  private readonly byDistrict = new Map<number, Set<Subscriber<T>>>();
  private readonly byMarket = new Map<number, Set<Subscriber<T>>>();
  private readonly lastSent = new Map<number, number>();
  private readonly pending = new Map<number, T>();
  private timer: NodeJS.Timeout | null = null;
  private count = 0;

  constructor(
    private readonly coalesceMs: number,
    private readonly onCountChange: (subscribers: number) => void = () => {},
    private readonly now: () => number = () => performance.now(),
  ) {}

  get subscribers() {
    return this.count;
  }

  subscribe(reach: Reach, onAlert: (a: T) => void, onResync?: () => void): () => void {
    const sub: Subscriber<T> = { reach, onAlert, ...(onResync ? { onResync } : {}) };
    const sets = this.setsOf(reach);
    for (const s of sets) s.add(sub);
    this.count++;
    this.onCountChange(this.count);
    let live = true;
    return () => {
      if (!live) return;
      live = false;
      for (const s of sets) s.delete(sub);
      this.count--;
      this.onCountChange(this.count);
    };
  }

  private setsOf(reach: Reach): Set<Subscriber<T>>[] {
    if (reach.kind === 'all') return [this.all];
    const [index, ids] = reach.kind === 'districts' ? [this.byDistrict, reach.districtIds] : [this.byMarket, reach.marketIds];
    return [...new Set(ids)].map((id) => {
      let s = index.get(id);
      if (!s) index.set(id, (s = new Set()));
      return s;
    });
  }

  publish(items: readonly T[]) {
    const t = this.now();
    for (const a of items) {
      if (a.change !== 'evidence') {
        const p = this.pending.get(a.id);
        if (p && p.version > a.version) continue; // a newer state is already waiting
        this.pending.delete(a.id);
        this.emit(a, t);
        continue;
      }
      const p = this.pending.get(a.id);
      if (p) {
        if (a.version >= p.version) this.pending.set(a.id, a);
        continue;
      }
      const last = this.lastSent.get(a.id);
      if (last === undefined || t - last >= this.coalesceMs) this.emit(a, t);
      else {
        this.pending.set(a.id, a);
        this.schedule(this.coalesceMs - (t - last));
      }
    }
  }

  /** Tells every subscriber that events may have been missed (e.g. the cross-instance listener reconnected). */
  resync() {
    for (const sub of this.everyone()) {
      try {
        sub.onResync?.();
      } catch {
        /* a subscriber's failure is its own */
      }
    }
  }

  close() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }

  private everyone(): Set<Subscriber<T>> {
    const out = new Set(this.all);
    for (const s of this.byDistrict.values()) for (const x of s) out.add(x);
    for (const s of this.byMarket.values()) for (const x of s) out.add(x);
    return out;
  }

  private schedule(ms: number) {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), Math.max(1, Math.ceil(ms)));
    this.timer.unref?.();
  }

  private flush() {
    this.timer = null;
    const t = this.now();
    let wait = Infinity;
    for (const [id, a] of this.pending) {
      const since = t - (this.lastSent.get(id) ?? -Infinity);
      if (since >= this.coalesceMs) {
        this.pending.delete(id);
        this.emit(a, t);
      } else wait = Math.min(wait, this.coalesceMs - since);
    }
    // Forget alerts quiet for a window: their next update goes out at once.
    for (const [id, last] of this.lastSent) if (t - last >= this.coalesceMs && !this.pending.has(id)) this.lastSent.delete(id);
    if (this.pending.size) this.schedule(wait === Infinity ? this.coalesceMs : wait);
  }

  private emit(a: T, t: number) {
    this.lastSent.set(a.id, t);
    if (this.lastSent.size > 50_000 && !this.timer) this.schedule(this.coalesceMs);
    const deliver = (s: Set<Subscriber<T>> | undefined) => {
      if (!s) return;
      for (const sub of s) {
        if (!isWithinReach(sub.reach, { districtId: a.districtId, marketId: a.marketId })) continue;
        try {
          sub.onAlert(a);
        } catch {
          /* a subscriber's failure is its own */
        }
      }
    };
    deliver(this.all);
    deliver(this.byDistrict.get(a.districtId));
    if (a.marketId !== null) deliver(this.byMarket.get(a.marketId));
  }
}
