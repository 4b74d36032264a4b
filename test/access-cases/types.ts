/** The shape of an access case; each module's cases live in a file of their own beside this one. */
import type { TestApp } from '../../src/test-support/app.js';
import type { Fixtures } from '../../src/test-support/fixtures.js';

export type PlaceKey = 'A' | 'B' | 'Y';
export const PLACE_KEYS: PlaceKey[] = ['A', 'B', 'Y'];

export type Case =
  /** A route about one record (:id): inside reach it works, outside it is 404 and changes nothing. */
  | {
      kind: 'record';
      resource: string;
      body?: (fx: Fixtures, at: PlaceKey, n: number) => unknown;
      ok?: number;
      /** Ids of this resource at each place, when they are not fixtures: made once per database before the walk. */
      setup?: (t: TestApp) => Promise<Partial<Record<PlaceKey, number>>>;
      /** A new record for every request, for actions a record takes only once (acknowledging an alert). */
      fresh?: (t: TestApp, at: PlaceKey) => Promise<number>;
    }
  /** A list: only records within reach come back, and every seeded one within reach does. */
  | {
      kind: 'list';
      resource: string;
      setup?: (t: TestApp) => Promise<Partial<Record<PlaceKey, number>>>;
      /** For items that are not records of their own (sales, devices): which id and place each item stands for. */
      place?: (item: Record<string, unknown>) => { id: number; districtId: number; marketId: number | null };
    }
  /** A create aimed at a place: inside reach 201, outside refused and nothing written. */
  | { kind: 'create'; body: (fx: Fixtures, at: PlaceKey, n: number) => unknown }
  /** Not about a place: permitted roles get one of `ok`. */
  | { kind: 'global'; id?: (fx: Fixtures, extra: Extra) => number; body?: (fx: Fixtures, n: number) => unknown; ok: number[] }
  /** Ends the session: run on a fresh sign-in. */
  | { kind: 'session'; ok: number[] }
  /** A stream that never ends by itself (Server-Sent Events): permitted roles get 200 and its headers, the others 403. */
  | { kind: 'stream' };

export interface Extra {
  throwawayStaffId: number;
}

export const fixtureIds = (fx: Fixtures, resource: string): Partial<Record<PlaceKey, number>> =>
  ({ market: fx.markets, merchant: fx.merchants, scale: fx.scales, camera: fx.cameras, stall: fx.stalls } as Record<string, Partial<Record<PlaceKey, number>>>)[resource] ?? {};

