import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AlertBus, type BusItem } from './alerts.bus.js';

describe('alert bus', () => {
  let clock = 0;
  let bus: AlertBus<BusItem>;
  const tick = (ms: number) => {
    clock += ms;
    vi.advanceTimersByTime(ms);
  };
  const item = (id: number, version: number, change: BusItem['change'], districtId = 1, marketId: number | null = 10): BusItem => ({ id, version, change, districtId, marketId });

  beforeEach(() => {
    vi.useFakeTimers();
    clock = 0;
    bus = new AlertBus<BusItem>(100, () => {}, () => clock);
  });
  afterEach(() => {
    bus.close();
    vi.useRealTimers();
  });

  it('delivers only within each subscriber\'s reach', () => {
    const got: Record<string, number[]> = { all: [], d1: [], d2: [], m10: [], none: [] };
    bus.subscribe({ kind: 'all' }, (a) => got.all!.push(a.id));
    bus.subscribe({ kind: 'districts', districtIds: [1, 3] }, (a) => got.d1!.push(a.id));
    bus.subscribe({ kind: 'districts', districtIds: [2] }, (a) => got.d2!.push(a.id));
    bus.subscribe({ kind: 'markets', marketIds: [10] }, (a) => got.m10!.push(a.id));
    bus.subscribe({ kind: 'districts', districtIds: [] }, (a) => got.none!.push(a.id));
    bus.publish([item(1, 1, 'created', 1, 10), item(2, 1, 'created', 2, null), item(3, 1, 'created', 3, 11)]);
    expect(got).toEqual({ all: [1, 2, 3], d1: [1, 3], d2: [2], m10: [1], none: [] });
  });

  it('sends a new alert at once, and a burst of evidence updates as a few events ending on the newest', () => {
    const got: BusItem[] = [];
    bus.subscribe({ kind: 'all' }, (a) => got.push(a));
    bus.publish([item(1, 1, 'created')]);
    expect(got.map((a) => a.version)).toEqual([1]);
    for (let v = 2; v <= 101; v++) {
      bus.publish([item(1, v, 'evidence')]);
      tick(3); // a hundred updates over 300 ms
    }
    tick(200);
    expect(got.length).toBeLessThanOrEqual(5);
    expect(got.at(-1)!.version).toBe(101);
    const versions = got.map((a) => a.version);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
  });

  it('sends an isolated update at once, and status changes at once', () => {
    const got: BusItem[] = [];
    bus.subscribe({ kind: 'all' }, (a) => got.push(a));
    bus.publish([item(5, 3, 'evidence')]);
    expect(got).toHaveLength(1);
    bus.publish([item(5, 4, 'evidence')]); // within the window: held
    expect(got).toHaveLength(1);
    bus.publish([item(5, 5, 'status')]); // supersedes what was held
    expect(got.map((a) => a.version)).toEqual([3, 5]);
    tick(500);
    expect(got.map((a) => a.version)).toEqual([3, 5]);
  });

  it('drops an older version that arrives after a newer one is waiting', () => {
    const got: BusItem[] = [];
    bus.subscribe({ kind: 'all' }, (a) => got.push(a));
    bus.publish([item(5, 3, 'evidence')]);
    bus.publish([item(5, 9, 'evidence')]);
    bus.publish([item(5, 7, 'evidence')]);
    tick(150);
    expect(got.map((a) => a.version)).toEqual([3, 9]);
  });

  it('stops delivering after unsubscribe, and one failing subscriber does not stop the others', () => {
    const counts: number[] = [];
    const off = bus.subscribe({ kind: 'all' }, () => counts.push(1));
    bus.subscribe({ kind: 'all' }, () => {
      throw new Error('boom');
    });
    bus.subscribe({ kind: 'all' }, () => counts.push(3));
    bus.publish([item(1, 1, 'created')]);
    off();
    off();
    bus.publish([item(2, 1, 'created')]);
    expect(counts).toEqual([1, 3, 3]);
    expect(bus.subscribers).toBe(2);
  });
});
