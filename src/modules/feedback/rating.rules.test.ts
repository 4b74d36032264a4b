import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ADMISSION_LIMITS,
  DEFAULT_LIGHT_PARAMS,
  betaCdf,
  betaQuantile,
  decideRatingAdmission,
  detectBurst,
  fairScaleToleranceG,
  hasMeasuredShortfall,
  lightSeverity,
  rankForInspection,
  scaleLight,
  type BurstRating,
  type Light,
  type ScaleRating,
  type Stars,
} from './rating.rules.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const NOW = new Date('2026-06-30T15:00:00+08:00');
const ago = (ms: number) => new Date(NOW.getTime() - ms);

/** Small deterministic generator (mulberry32), so every scenario is the same on every run. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) };
}

let rater = 0;
/** A rating from a consumer no other rating shares a device or network with. */
function rating(at: Date, accurate: boolean, over: Partial<ScaleRating> = {}): ScaleRating {
  rater++;
  return { at, accurate, stars: accurate ? 5 : 2, sourceKey: `dev-${rater}`, networkKey: `net-${rater}`, ...over };
}

/** n ratings spread evenly over `spanDays` ending a few hours ago; `inaccurateAt(i)` picks which complain. */
function spread(n: number, spanDays: number, inaccurateAt: (i: number) => boolean, over: (i: number) => Partial<ScaleRating> = () => ({})): ScaleRating[] {
  return Array.from({ length: n }, (_, i) => rating(ago(3 * HOUR + ((spanDays * DAY) / Math.max(1, n)) * i), !inaccurateAt(i), over(i)));
}

const light = (rs: readonly ScaleRating[], now = NOW) => scaleLight(rs, now).light;

describe('the Beta distribution', () => {
  it('matches closed forms', () => {
    for (const q of [0.01, 0.05, 0.5, 0.95]) {
      expect(betaQuantile(q, 1, 1)).toBeCloseTo(q, 10);
      expect(betaQuantile(q, 1, 7)).toBeCloseTo(1 - Math.pow(1 - q, 1 / 7), 10);
      expect(betaQuantile(q, 3.5, 1)).toBeCloseTo(Math.pow(q, 1 / 3.5), 10);
    }
    expect(betaCdf(0.5, 4.2, 4.2)).toBeCloseTo(0.5, 12);
    expect(betaCdf(0.3, 2, 3)).toBeCloseTo(0.3483, 4); // 6x²-8x³+3x⁴ at 0.3
    expect(betaCdf(0, 2, 3)).toBe(0);
    expect(betaCdf(1, 2, 3)).toBe(1);
  });

  it('the quantile rises with a and falls with b', () => {
    expect(betaQuantile(0.05, 5.5, 10)).toBeGreaterThan(betaQuantile(0.05, 5, 10));
    expect(betaQuantile(0.05, 5, 10.5)).toBeLessThan(betaQuantile(0.05, 5, 10));
  });
});

describe('the fair scale tolerance', () => {
  it('follows the lenient legal row, and never less than 3 % of the weight', () => {
    expect(fairScaleToleranceG(500)).toBe(20);
    expect(fairScaleToleranceG(1000)).toBe(30);
    expect(fairScaleToleranceG(1500)).toBe(45);
    expect(fairScaleToleranceG(3000)).toBe(90);
    expect(fairScaleToleranceG(10_000)).toBe(300);
    expect(fairScaleToleranceG(undefined)).toBe(100);
    expect(fairScaleToleranceG(-5)).toBe(100);
  });

  it('a shortfall counts only beyond the tolerance, and only on an inaccurate rating', () => {
    expect(hasMeasuredShortfall({ accurate: false, fairScaleShortfallG: 21, fairScaleWeightG: 500 })).toBe(true);
    expect(hasMeasuredShortfall({ accurate: false, fairScaleShortfallG: 20, fairScaleWeightG: 500 })).toBe(false);
    expect(hasMeasuredShortfall({ accurate: false, fairScaleShortfallG: -50, fairScaleWeightG: 500 })).toBe(false);
    expect(hasMeasuredShortfall({ accurate: true, fairScaleShortfallG: 200, fairScaleWeightG: 500 })).toBe(false);
    expect(hasMeasuredShortfall({ accurate: false, fairScaleShortfallG: NaN })).toBe(false);
    expect(hasMeasuredShortfall({ accurate: false, fairScaleShortfallG: 101 })).toBe(true);
  });
});

describe('the light of a scale: the scenarios', () => {
  it('no ratings: none', () => {
    const v = scaleLight([], NOW);
    expect(v.light).toBe('none');
    expect(v.evidence).toMatchObject({ ratings: 0, effectiveN: 0, posteriorMean: 0.05, meanStars: null });
  });

  it('3 complaints among 200 ratings over 100 days stay green', () => {
    const rs = spread(200, 100, (i) => i === 20 || i === 90 || i === 150, (i) => ({ stars: ((i % 3) + 3) as Stars }));
    const v = scaleLight(rs, NOW);
    expect(v.light).toBe('green');
    expect(v.evidence.posteriorMean).toBeLessThan(0.03);
  });

  it('12 of 30 inaccurate over a month turn red', () => {
    const v = scaleLight(
      spread(30, 30, (i) => i % 5 < 2),
      NOW,
    );
    expect(v.light).toBe('red');
    expect(v.evidence.credibleLower).toBeGreaterThan(DEFAULT_LIGHT_PARAMS.redLowerBound);
    expect(v.evidence.distinctInaccurateSources).toBe(12);
    expect(v.reasons[0]).toContain('lower credible bound');
  });

  describe('500 inaccurate ratings from one address in ten minutes', () => {
    const honest = () => spread(20, 60, () => false, (i) => ({ stars: (i % 2 ? 4 : 5) as Stars }));
    const flood = (over: (i: number) => Partial<ScaleRating>, start = ago(30 * MIN)) =>
      Array.from({ length: 500 }, (_, i) => ({
        at: new Date(start.getTime() + i * 1200),
        accurate: false,
        stars: 1 as Stars,
        networkKey: 'net-flood',
        sourceKey: 'dev-flood',
        ...over(i),
      }));

    it('leave a scale with 20 honest ratings as it was, from one device or five hundred', () => {
      const base = honest();
      expect(light(base)).toBe('green');
      expect(light([...base, ...flood(() => ({}))])).toBe('green');
      expect(light([...base, ...flood((i) => ({ sourceKey: `dev-flood-${i}` }))])).toBe('green');
      expect(light([...base, ...flood((i) => ({ sourceKey: `dev-flood-${i}`, fairScaleShortfallG: 400, fairScaleWeightG: 1000 }))])).toBe('green');
    });

    it('weigh what one rating from that address weighs, even across midnight', () => {
      const base = honest();
      const one = flood((i) => ({ sourceKey: `dev-flood-${i}`, fairScaleShortfallG: 400, fairScaleWeightG: 1000 }));
      const withOne = scaleLight([...base, one[0]!], NOW);
      const withAll = scaleLight([...base, ...one], NOW);
      expect(withAll.light).toBe(withOne.light);
      expect(withAll.evidence.inaccurateWeight).toBeCloseTo(withOne.evidence.inaccurateWeight, 3);
      expect(withAll.evidence.recentInaccurate).toBeCloseTo(withOne.evidence.recentInaccurate, 9);
      expect(withAll.evidence.distinctInaccurateSources).toBe(1);
      expect(withAll.evidence.cappedAwayWeight).toBeGreaterThan(1000);
      // 23:55 to 00:05 China time: two days, so at most two ratings' worth.
      const midnight = new Date('2026-06-29T23:55:00+08:00');
      const split = scaleLight([...base, ...flood((i) => ({ sourceKey: `dev-flood-${i}` }), midnight)], NOW);
      expect(split.light).toBe('green');
      expect(split.evidence.recentInaccurate).toBeCloseTo(2, 9);
    });

    it('neither whitewash a red scale nor redden a yellow one', () => {
      const red = spread(30, 30, (i) => i % 5 < 2);
      expect(light(red)).toBe('red');
      expect(light([...red, ...flood((i) => ({ accurate: true, stars: 5, sourceKey: `dev-w-${i}` }))])).toBe('red');
      const yellow = spread(4, 20, (i) => i < 2);
      expect(light(yellow)).toBe('yellow');
      expect(light([...yellow, ...flood((i) => ({ sourceKey: `dev-flood-${i}` }))])).toBe('yellow');
    });
  });

  describe('the pilot average: 4 ratings, all inaccurate, from 4 sources', () => {
    const four = (measured: number) =>
      spread(4, 21, () => true, (i) => (i < measured ? { fairScaleShortfallG: 60, fairScaleWeightG: 1000 } : {}));

    it('is yellow on clicks alone: too little evidence for red', () => {
      const v = scaleLight(four(0), NOW);
      expect(v.light).toBe('yellow');
      expect(v.evidence.recentInaccurate).toBe(4);
    });

    it('is still yellow when one consumer measured a short weight on the fair scale', () => {
      expect(light(four(1))).toBe('yellow');
    });

    it('is red when two consumers measured a short weight on the fair scale', () => {
      const v = scaleLight(four(2), NOW);
      expect(v.light).toBe('red');
      expect(v.evidence.fairScaleShortfallSources).toBe(2);
      expect(v.reasons.join(' ')).toContain('fair scale');
    });

    it('a shortfall within the tolerance adds nothing to a plain complaint', () => {
      const within = spread(4, 21, () => true, (i) => (i < 2 ? { fairScaleShortfallG: 25, fairScaleWeightG: 1000 } : {}));
      expect(scaleLight(within, NOW).evidence.recentInaccurate).toBe(4);
      expect(light(within)).toBe('yellow');
    });
  });

  it('old complaints followed by recent good ratings go back to green', () => {
    const yearAgo = new Date(NOW.getTime() - 365 * DAY);
    const old = Array.from({ length: 12 }, (_, i) => rating(new Date(yearAgo.getTime() - i * 2 * DAY), i >= 10));
    expect(light(old, yearAgo)).toBe('red');
    const recentGood = spread(8, 40, () => false);
    const v = scaleLight([...old, ...recentGood], NOW);
    expect(v.light).toBe('green');
    expect(v.evidence.distinctInaccurateSources).toBe(0);
  });

  it('one rating, or ratings only from one network, say nothing yet', () => {
    expect(light([rating(ago(DAY), true)])).toBe('none');
    expect(light([rating(ago(DAY), false)])).toBe('none');
    const sameNetwork = [1, 2, 3].map((d) => rating(ago(d * DAY), false, { networkKey: 'net-home' }));
    expect(light(sameNetwork)).toBe('none');
    expect(light([rating(ago(DAY), true), rating(ago(2 * DAY), true)])).toBe('green');
  });

  it('ratings after now, older than the horizon or with an invalid time are left out', () => {
    const rs = [rating(new Date(NOW.getTime() + HOUR), false), rating(ago(800 * DAY), false), rating(new Date(NaN), false)];
    expect(scaleLight(rs, NOW).evidence.ratings).toBe(0);
  });

  it('two complaints out of four are yellow; one is not', () => {
    expect(light(spread(4, 20, (i) => i < 2))).toBe('yellow');
    expect(light(spread(4, 20, (i) => i < 1))).toBe('green');
  });

  it('stars nudge a borderline scale to yellow, and only complaints with low stars do', () => {
    const withStars = (stars: Stars) => spread(23, 45, (i) => i % 8 === 0, (i) => (i % 8 === 0 ? { stars } : {}));
    expect(light(withStars(1))).toBe('yellow');
    expect(scaleLight(withStars(1), NOW).reasons[0]).toContain('stars or fewer');
    expect(light(withStars(4))).toBe('green');
    // Low stars on an "accurate" rating are about something else (price, service): ignored.
    const grumpy = spread(23, 45, (i) => i % 8 === 0, (i) => (i % 8 === 0 ? { stars: 4 } : { stars: 1 }));
    expect(light(grumpy)).toBe('green');
  });

  it('a source counts at most once a day; a network a few times in all', () => {
    const sameDevice = Array.from({ length: 5 }, (_, i) => rating(ago(HOUR + i * MIN), false, { sourceKey: 'dev-x', networkKey: 'net-x' }));
    expect(scaleLight(sameDevice, NOW).evidence.recentInaccurate).toBe(1);
    const daily = Array.from({ length: 30 }, (_, i) => rating(ago(HOUR + i * DAY), false, { sourceKey: 'dev-y', networkKey: 'net-y' }));
    expect(scaleLight(daily, NOW).evidence.recentInaccurate).toBeCloseTo(DEFAULT_LIGHT_PARAMS.networkWeightTotal, 9);
  });

  it('is deterministic and does not depend on the order of the ratings', () => {
    const rs = spread(40, 90, (i) => i % 3 === 0, (i) => ({ networkKey: `net-${i % 7}`, sourceKey: `dev-${i % 11}`, fairScaleShortfallG: i % 4 === 0 ? 150 : undefined }));
    const a = scaleLight(rs, NOW);
    const shuffled = [...rs].sort((x, y) => (x.sourceKey + x.at.toISOString() < y.sourceKey + y.at.toISOString() ? 1 : -1));
    expect(scaleLight(shuffled, NOW)).toEqual(a);
    expect(scaleLight([...rs].reverse(), NOW)).toEqual(a);
    expect(scaleLight(rs, NOW)).toEqual(a);
  });

  it('accepts parameters', () => {
    const rs = spread(4, 21, () => true);
    expect(light(rs)).toBe('yellow');
    expect(scaleLight(rs, NOW, { minRecentInaccurateForRed: 4, redLowerBound: 0.1 }).light).toBe('red');
  });

  it('keeps its defaults frozen', () => {
    expect(Object.isFrozen(DEFAULT_LIGHT_PARAMS)).toBe(true);
    expect(Object.isFrozen(DEFAULT_ADMISSION_LIMITS)).toBe(true);
  });
});

describe('the light of a scale: properties', () => {
  /** A random scale: few networks and devices, so caps and shared buckets come up often. */
  function randomScale(seed: number): { ratings: ScaleRating[]; extra: (accurate: boolean) => ScaleRating } {
    const r = rng(seed);
    const networks = r.int(1, 8);
    const devices = r.int(1, 12);
    const badShare = r.next();
    const make = (accurate: boolean | null): ScaleRating => {
      const isAccurate = accurate ?? r.next() > badShare;
      const fair = r.next() < 0.25;
      return {
        at: ago(r.int(0, 400 * 24) * HOUR + r.int(0, 59) * MIN),
        accurate: isAccurate,
        stars: r.int(1, 5) as Stars,
        sourceKey: `d${r.int(1, devices)}`,
        networkKey: `n${r.int(1, networks)}`,
        ...(fair ? { fairScaleShortfallG: r.int(-20, 300), fairScaleWeightG: r.int(200, 5000) } : {}),
      };
    };
    return { ratings: Array.from({ length: r.int(0, 30) }, () => make(null)), extra: make };
  }

  const counts: Record<Light, number> = { none: 0, green: 0, yellow: 0, red: 0 };

  it('adding an accurate rating never makes the light worse', () => {
    for (let seed = 1; seed <= 1500; seed++) {
      const { ratings, extra } = randomScale(seed);
      const before = scaleLight(ratings, NOW);
      const after = scaleLight([...ratings, extra(true)], NOW);
      counts[before.light]++;
      expect(lightSeverity(after.light), `seed ${seed}: ${before.light} → ${after.light}`).toBeLessThanOrEqual(lightSeverity(before.light));
      expect(after.evidence.inaccurateWeight).toBeLessThanOrEqual(before.evidence.inaccurateWeight + 1e-12);
      expect(after.evidence.accurateWeight).toBeGreaterThanOrEqual(before.evidence.accurateWeight - 1e-12);
    }
    // The generator reaches every light, so the property is not vacuous.
    for (const l of ['none', 'green', 'yellow', 'red'] as const) expect(counts[l], l).toBeGreaterThan(20);
  });

  it('adding an inaccurate rating never makes the light better', () => {
    for (let seed = 1; seed <= 1500; seed++) {
      const { ratings, extra } = randomScale(seed);
      const before = scaleLight(ratings, NOW);
      const after = scaleLight([...ratings, extra(false)], NOW);
      expect(lightSeverity(after.light), `seed ${seed}: ${before.light} → ${after.light}`).toBeGreaterThanOrEqual(lightSeverity(before.light));
      expect(after.evidence.inaccurateWeight).toBeGreaterThanOrEqual(before.evidence.inaccurateWeight - 1e-12);
      expect(after.evidence.accurateWeight).toBeLessThanOrEqual(before.evidence.accurateWeight + 1e-12);
    }
  });

  it('no network moves the weights by more than its caps', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { ratings } = randomScale(seed);
      const v = scaleLight(ratings, NOW);
      const networks = new Set(ratings.filter((x) => NOW.getTime() - x.at.getTime() <= 180 * DAY).map((x) => x.networkKey)).size;
      expect(v.evidence.recentInaccurate).toBeLessThanOrEqual(networks * DEFAULT_LIGHT_PARAMS.networkWeightTotal * DEFAULT_LIGHT_PARAMS.fairScaleStrength + 1e-9);
    }
  });
});

describe('ranking for inspection', () => {
  const ev = (credibleLower: number, posteriorMean: number, inaccurateWeight = 5, distinctInaccurateSources = 3) => ({ credibleLower, posteriorMean, inaccurateWeight, distinctInaccurateSources });

  it('puts red before yellow, the surest first, and leaves green and none out', () => {
    const ranked = rankForInspection([
      { scaleId: 1, light: 'green' as const, evidence: ev(0.01, 0.02) },
      { scaleId: 2, light: 'yellow' as const, evidence: ev(0.14, 0.3) },
      { scaleId: 3, light: 'red' as const, evidence: ev(0.18, 0.3) },
      { scaleId: 4, light: 'red' as const, evidence: ev(0.3, 0.45) },
      { scaleId: 5, light: 'none' as const, evidence: ev(0, 0.05) },
      { scaleId: 6, light: 'yellow' as const, evidence: ev(0.05, 0.2) },
    ]);
    expect(ranked.map((s) => s.scaleId)).toEqual([4, 3, 2, 6]);
  });

  it('breaks ties by the posterior mean, the evidence, the sources, then the scale id', () => {
    const ranked = rankForInspection([
      { scaleId: 9, light: 'red' as const, evidence: ev(0.2, 0.3, 5, 3) },
      { scaleId: 8, light: 'red' as const, evidence: ev(0.2, 0.3, 5, 3) },
      { scaleId: 7, light: 'red' as const, evidence: ev(0.2, 0.3, 5, 4) },
      { scaleId: 6, light: 'red' as const, evidence: ev(0.2, 0.3, 6, 3) },
      { scaleId: 5, light: 'red' as const, evidence: ev(0.2, 0.31, 5, 3) },
    ]);
    expect(ranked.map((s) => s.scaleId)).toEqual([5, 6, 7, 8, 9]);
  });

  it('ranks real verdicts', () => {
    const scales = [
      { scaleId: 'A', ...scaleLight(spread(30, 30, (i) => i % 5 < 2), NOW) },
      { scaleId: 'B', ...scaleLight(spread(4, 21, () => true), NOW) },
      { scaleId: 'C', ...scaleLight(spread(20, 30, () => false), NOW) },
      { scaleId: 'D', ...scaleLight(spread(4, 21, () => true, (i) => (i < 2 ? { fairScaleShortfallG: 200 } : {})), NOW) },
    ];
    const ranked = rankForInspection(scales);
    expect(ranked.map((s) => [s.scaleId, s.light])).toEqual([
      ['D', 'red'],
      ['A', 'red'],
      ['B', 'yellow'],
    ]);
  });
});

describe('admitting a rating', () => {
  const none = { recentFromDevice: [], recentFromDeviceOnScale: [], recentFromNetwork: [] };

  it('admits a first rating', () => {
    expect(decideRatingAdmission({ now: NOW, ...none })).toEqual({ admit: true });
  });

  it('one rating per scale per device per 24 hours, with the time to wait', () => {
    const d = decideRatingAdmission({ now: NOW, ...none, recentFromDevice: [ago(3 * HOUR)], recentFromDeviceOnScale: [ago(3 * HOUR)] });
    expect(d).toMatchObject({ admit: false, reason: 'already_rated_scale', retryAfterS: 21 * 3600 });
    if (!d.admit) expect(d.message.zh).toContain('24小时');
    expect(decideRatingAdmission({ now: NOW, ...none, recentFromDeviceOnScale: [ago(24 * HOUR + 1000)] })).toEqual({ admit: true });
  });

  it('20 ratings per device per day', () => {
    const times = Array.from({ length: 20 }, (_, i) => ago((i + 1) * HOUR));
    expect(decideRatingAdmission({ now: NOW, ...none, recentFromDevice: times })).toMatchObject({ admit: false, reason: 'device_limit', retryAfterS: 4 * 3600 });
    expect(decideRatingAdmission({ now: NOW, ...none, recentFromDevice: times.slice(1) })).toEqual({ admit: true });
  });

  it('60 ratings per network per hour', () => {
    const times = Array.from({ length: 60 }, (_, i) => ago((i + 1) * 30_000));
    expect(decideRatingAdmission({ now: NOW, ...none, recentFromNetwork: times })).toMatchObject({ admit: false, reason: 'network_limit', retryAfterS: 1800 });
    expect(decideRatingAdmission({ now: NOW, ...none, recentFromNetwork: times.slice(0, 59) })).toEqual({ admit: true });
  });

  it('names the most specific limit and waits for all of them', () => {
    const d = decideRatingAdmission({
      now: NOW,
      recentFromDeviceOnScale: [ago(23.5 * HOUR)],
      recentFromDevice: [ago(23.5 * HOUR)],
      recentFromNetwork: Array.from({ length: 60 }, (_, i) => ago(10 * MIN + i * 1000)),
    });
    // The scale frees up in 30 minutes, the network only when its oldest rating, 10:59 ago, is an hour old.
    expect(d).toMatchObject({ admit: false, reason: 'already_rated_scale', retryAfterS: 49 * 60 + 1 });
  });

  it('counts times from the future as now, and takes other limits', () => {
    const d = decideRatingAdmission({ now: NOW, ...none, recentFromDeviceOnScale: [new Date(NOW.getTime() + 5 * MIN)] });
    expect(d).toMatchObject({ admit: false, reason: 'already_rated_scale', retryAfterS: 86_400 });
    expect(decideRatingAdmission({ now: NOW, ...none, recentFromNetwork: [ago(MIN)] }, { perNetwork: 1 })).toMatchObject({ admit: false, reason: 'network_limit', retryAfterS: 3540 });
  });
});

describe('bursts on a scale', () => {
  const burstRating = (at: Date, networkKey: string, accurate = false): BurstRating => ({ at, networkKey, accurate });

  it('a quiet scale has none', () => {
    expect(detectBurst([], NOW)).toEqual({ burst: false });
    expect(detectBurst([1, 5, 20, 40].map((d) => burstRating(ago(d * DAY), `n${d}`)), NOW)).toEqual({ burst: false });
  });

  it('four ratings from one network within the hour are a burst', () => {
    const rs = [5, 10, 15, 20].map((m) => burstRating(ago(m * MIN), 'net-x'));
    const v = detectBurst([...rs, burstRating(ago(2 * MIN), 'net-y', true)], NOW);
    expect(v).toMatchObject({ burst: true, reason: 'single_network', networkKey: 'net-x', count: 4, inaccurateShare: 1, since: ago(HOUR) });
    expect(detectBurst(rs.slice(1), NOW)).toEqual({ burst: false });
  });

  it('eight ratings within the hour on a scale that gets a few a month are a burst', () => {
    const rs = Array.from({ length: 8 }, (_, i) => burstRating(ago((i + 1) * 5 * MIN), `n${i}`, i % 2 === 0));
    expect(detectBurst(rs, NOW)).toMatchObject({ burst: true, reason: 'volume', count: 8, inaccurateShare: 0.5 });
    expect(detectBurst(rs.slice(1), NOW)).toEqual({ burst: false });
  });

  it('a busy scale needs ten times its usual hourly rate', () => {
    // Two ratings an hour for the past month.
    const usual = Array.from({ length: 2 * 24 * 29 }, (_, i) => burstRating(ago(2 * HOUR + i * 30 * MIN), `u${i % 50}`, true));
    const hour = Array.from({ length: 12 }, (_, i) => burstRating(ago((i + 1) * 4 * MIN), `h${i}`));
    expect(detectBurst([...usual, ...hour], NOW)).toEqual({ burst: false });
    const more = Array.from({ length: 21 }, (_, i) => burstRating(ago((i + 1) * 2 * MIN), `h${i}`));
    expect(detectBurst([...usual, ...more], NOW)).toMatchObject({ burst: true, reason: 'volume', count: 21 });
  });

  it('ignores ratings after now', () => {
    const rs = Array.from({ length: 10 }, (_, i) => burstRating(new Date(NOW.getTime() + (i + 1) * MIN), 'net-x'));
    expect(detectBurst(rs, NOW)).toEqual({ burst: false });
  });
});
