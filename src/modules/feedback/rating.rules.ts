/**
 * Pure rules behind consumers' scale ratings and red-light scales (红灯秤): the light of one scale
 * from its ratings, the inspection ranking, admission limits and burst detection. No I/O; `now`
 * is always passed in. docs/red-light-scales.md explains the model and every parameter.
 */

export type Stars = 1 | 2 | 3 | 4 | 5;

/** A consumer's rating of a scale, as the aggregation sees it. */
export interface ScaleRating {
  at: Date;
  accurate: boolean;
  stars: Stars;
  /** One rater: a hash of the device id and the network, or similar. */
  sourceKey: string;
  /** The network the rating came from: a hash of the IPv4 address or IPv6 /64, say. */
  networkKey: string;
  /**
   * When the consumer re-weighed on the market's fair scale (公平秤): the weight on the receipt
   * minus the fair scale's weight, grams; positive means short weight.
   */
  fairScaleShortfallG?: number;
  /** What the fair scale showed, grams: picks the tolerance the shortfall is judged against. */
  fairScaleWeightG?: number;
}

export type Bilingual = { zh: string; en: string };

export const LIGHTS = ['none', 'green', 'yellow', 'red'] as const;
export type Light = (typeof LIGHTS)[number];

export const LIGHT_LABELS: Record<Light, Bilingual> = {
  none: { zh: '评价不足', en: 'Not enough ratings' },
  green: { zh: '绿灯', en: 'Green' },
  yellow: { zh: '黄灯', en: 'Yellow' },
  red: { zh: '红灯', en: 'Red' },
};

/**
 * How bad a light is, for comparisons: 'none' and 'green' both mean "no cause for concern", so
 * they rank equal; the monotonicity guarantees of scaleLight are stated in this order.
 */
export const lightSeverity = (light: Light): 0 | 1 | 2 => (light === 'red' ? 2 : light === 'yellow' ? 1 : 0);

// ---------------------------------------------------------------- parameters

export interface LightParams {
  /** Share of "inaccurate" clicks an honest scale still gets (misreadings, anger at the price): the prior's centre. */
  readonly baseInaccuracyRate: number;
  /** How many ratings the prior is worth: small, so a handful of real ratings moves it. */
  readonly priorStrength: number;
  /** A rating's weight in the posterior halves every this many days. */
  readonly halfLifeDays: number;
  /** Ratings older than this are ignored (their weight is below 0.5 %). */
  readonly horizonDays: number;
  /** The evidence gates (counts, distinct sources) look at ratings this recent. */
  readonly recentDays: number;
  /** The credible bounds are the (1 - credibility) and credibility quantiles of the posterior. */
  readonly credibility: number;
  /** Red: the lower credible bound of the inaccuracy rate is above this (3× the base rate)... */
  readonly redLowerBound: number;
  /** ...with at least this many recent inaccurate ratings (capped; a fair-scale shortfall counts fairScaleStrength)... */
  readonly minRecentInaccurateForRed: number;
  /** ...from at least this many distinct sources and networks. */
  readonly minDistinctInaccurateSourcesForRed: number;
  /** Yellow: the posterior mean reaches this... */
  readonly yellowPosteriorMean: number;
  /** ...with at least this many recent inaccurate ratings... */
  readonly minRecentInaccurateForYellow: number;
  /** ...from at least this many distinct sources and networks (also needed by the star nudge). */
  readonly minDistinctInaccurateSourcesForYellow: number;
  /** Green rather than 'none': recent ratings from at least this many distinct sources and networks. */
  readonly minDistinctSourcesForGreen: number;
  /** An inaccurate rating backed by a fair-scale shortfall beyond tolerance counts as this many ratings. */
  readonly fairScaleStrength: number;
  /** An inaccurate rating with this many stars or fewer is a low-star complaint. */
  readonly lowStarMax: number;
  /** The star nudge: yellow from this posterior mean when there are this many recent low-star complaints. */
  readonly starNudgePosteriorMean: number;
  readonly starNudgeMinRecentLowStar: number;
  /** Caps, in ratings' worth: per source per day, per network per day, per network in all. */
  readonly sourceWeightPerDay: number;
  readonly networkWeightPerDay: number;
  readonly networkWeightTotal: number;
}

/** The defaults, chosen for the pilot's ~4 ratings per scale; docs/red-light-scales.md says why. */
export const DEFAULT_LIGHT_PARAMS: Readonly<LightParams> = Object.freeze({
  baseInaccuracyRate: 0.05,
  priorStrength: 10,
  halfLifeDays: 90,
  horizonDays: 730,
  recentDays: 180,
  credibility: 0.95,
  redLowerBound: 0.15,
  minRecentInaccurateForRed: 6,
  minDistinctInaccurateSourcesForRed: 3,
  yellowPosteriorMean: 0.12,
  minRecentInaccurateForYellow: 2,
  minDistinctInaccurateSourcesForYellow: 2,
  minDistinctSourcesForGreen: 2,
  fairScaleStrength: 2.5,
  lowStarMax: 2,
  starNudgePosteriorMean: 0.08,
  starNudgeMinRecentLowStar: 2,
  sourceWeightPerDay: 1,
  networkWeightPerDay: 1,
  networkWeightTotal: 3,
});

// ---------------------------------------------------------------- the fair scale (公平秤)

/**
 * The shortfall a fair-scale reading must exceed to count as a measured short weight, grams.
 * The most lenient food row of the legal negative tolerance for goods weighed on the spot
 * (《零售商品称重计量监督管理办法》 annex 1: 20 g up to 1 kg, 40 g to 2 kg, 80 g to 4 kg, 100 g
 * beyond), but never less than 3 % of the weight, which covers the fair scale's own error, a bag,
 * and water draining from live seafood between the two weighings. Unknown weight: 100 g.
 */
export function fairScaleToleranceG(weightG?: number): number {
  if (weightG === undefined || !Number.isFinite(weightG) || weightG <= 0) return 100;
  const legal = weightG <= 1000 ? 20 : weightG <= 2000 ? 40 : weightG <= 4000 ? 80 : 100;
  return Math.max(legal, Math.ceil(weightG * 0.03));
}

/** True when an inaccurate rating carries a fair-scale shortfall beyond the tolerance. */
export function hasMeasuredShortfall(r: Pick<ScaleRating, 'accurate' | 'fairScaleShortfallG' | 'fairScaleWeightG'>): boolean {
  const s = r.fairScaleShortfallG;
  return !r.accurate && s !== undefined && Number.isFinite(s) && s > fairScaleToleranceG(r.fairScaleWeightG);
}

// ---------------------------------------------------------------- the Beta distribution

// Lanczos approximation (g = 7, n = 9), accurate to ~15 digits for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
] as const;

function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction for the incomplete beta function (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** P(X ≤ x) for X ~ Beta(a, b), a, b > 0: the regularised incomplete beta function. */
export function betaCdf(x: number, a: number, b: number): number {
  if (!(x > 0)) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(x, a, b)) / a : 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** The q-quantile of Beta(a, b), by bisection: deterministic and monotone in a, b and q. */
export function betaQuantile(q: number, a: number, b: number): number {
  if (q <= 0) return 0;
  if (q >= 1) return 1;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 52; i++) {
    const mid = (lo + hi) / 2;
    if (betaCdf(mid, a, b) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

// ---------------------------------------------------------------- the light of one scale

export interface LightEvidence {
  /** Ratings taken into account: not after `now`, within the horizon, with a valid time. */
  ratings: number;
  /** Decayed, capped weight of all evidence: accurate + inaccurate (fair-scale readings included). */
  effectiveN: number;
  /** Decayed, capped weight saying "inaccurate", fair-scale shortfalls counted at their strength. */
  inaccurateWeight: number;
  /** Decayed, capped weight saying "accurate". */
  accurateWeight: number;
  /** inaccurateWeight / effectiveN; 0 without evidence. */
  weightedInaccurateShare: number;
  /** Mean of the posterior inaccuracy rate. */
  posteriorMean: number;
  /** Lower credible bound of the inaccuracy rate (the (1 - credibility) quantile). */
  credibleLower: number;
  /** Upper credible bound (the credibility quantile). */
  credibleUpper: number;
  /** Recent inaccurate ratings, capped like the weights but not decayed; a fair-scale shortfall counts fairScaleStrength. */
  recentInaccurate: number;
  /** Recent low-star complaints (inaccurate, lowStarMax stars or fewer), capped. */
  recentLowStar: number;
  /** Distinct sources among recent ratings: sources and networks counted apart, the smaller count. */
  distinctSources: number;
  /** The same among recent inaccurate ratings. */
  distinctInaccurateSources: number;
  /** The same among recent inaccurate ratings with a fair-scale shortfall beyond tolerance. */
  fairScaleShortfallSources: number;
  /** Mean stars, weighted like the ratings; null without ratings. Shown, not decided on. */
  meanStars: number | null;
  /** Decayed weight the caps took away: a flood shows up here, not in the light. */
  cappedAwayWeight: number;
}

export interface LightVerdict {
  light: Light;
  evidence: LightEvidence;
  /** Why, for staff: "中文 (English)", most decisive first. */
  reasons: string[];
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Days are China Standard Time days: "one a day" resets at local midnight. */
const CST_OFFSET_MS = 8 * HOUR_MS;

interface CapEntry {
  networkKey: string;
  sourceKey: string;
  day: number;
  mass: number;
}

interface Caps {
  sourceDay: number;
  networkDay: number;
  network: number;
}

/**
 * Caps the weight of entries in a tree: source-day within network-day within network. Each node
 * scales its subtree by min(1, cap / subtree total). Because the buckets nest, a node's inaccurate
 * output only grows with more inaccurate input and its accurate output only with more accurate
 * input, which is what makes the light monotone (docs/red-light-scales.md). Entries must come in
 * a canonical order so the sums, and so the light, never depend on the input order.
 */
function capWeights(entries: readonly CapEntry[], caps: Caps): number[] {
  const tree = new Map<string, Map<number, Map<string, number[]>>>();
  entries.forEach((e, i) => {
    let days = tree.get(e.networkKey);
    if (!days) tree.set(e.networkKey, (days = new Map()));
    let sources = days.get(e.day);
    if (!sources) days.set(e.day, (sources = new Map()));
    const list = sources.get(e.sourceKey);
    if (list) list.push(i);
    else sources.set(e.sourceKey, [i]);
  });
  const out = entries.map((e) => e.mass);
  const scale = (indices: readonly number[], total: number, cap: number): number => {
    if (total <= cap) return total;
    const f = cap / total;
    for (const i of indices) out[i]! *= f;
    return cap;
  };
  for (const days of tree.values()) {
    const inNetwork: number[] = [];
    let networkTotal = 0;
    for (const sources of days.values()) {
      const inDay: number[] = [];
      let dayTotal = 0;
      for (const indices of sources.values()) {
        let total = 0;
        for (const i of indices) total += out[i]!;
        dayTotal += scale(indices, total, caps.sourceDay);
        inDay.push(...indices);
      }
      networkTotal += scale(inDay, dayTotal, caps.networkDay);
      inNetwork.push(...inDay);
    }
    scale(inNetwork, networkTotal, caps.network);
  }
  return out;
}

const str = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** Numbers in ascending order, a missing one first. */
const numeric = (a: number | undefined, b: number | undefined) => {
  const x = a ?? -Infinity;
  const y = b ?? -Infinity;
  return x < y ? -1 : x > y ? 1 : 0;
};

/** A total order on ratings, so the light never depends on the order they were loaded in. */
function compareRatings(a: ScaleRating, b: ScaleRating): number {
  return (
    numeric(a.at.getTime(), b.at.getTime()) ||
    str(a.networkKey, b.networkKey) ||
    str(a.sourceKey, b.sourceKey) ||
    numeric(Number(a.accurate), Number(b.accurate)) ||
    numeric(a.stars, b.stars) ||
    numeric(a.fairScaleShortfallG, b.fairScaleShortfallG) ||
    numeric(a.fairScaleWeightG, b.fairScaleWeightG)
  );
}

const isValidStars = (s: number) => Number.isInteger(s) && s >= 1 && s <= 5;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const num = (x: number) => (Math.round(x * 100) / 100).toString();
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** Distinct raters: sources and networks counted apart, and the smaller count wins. */
function distinctRaters(ratings: readonly ScaleRating[]): number {
  return Math.min(new Set(ratings.map((r) => r.sourceKey)).size, new Set(ratings.map((r) => r.networkKey)).size);
}

/**
 * The light of one scale from its ratings as of `now`. Never throws; ratings after `now`, older
 * than the horizon or with an invalid time are left out. Guarantees (tested): the same ratings in
 * any order give the same verdict; adding an accurate rating never raises lightSeverity and adding
 * an inaccurate one never lowers it; any number of ratings from one network in one day weigh at
 * most what one rating does.
 */
export function scaleLight(ratings: readonly ScaleRating[], now: Date, params: Partial<LightParams> = {}): LightVerdict {
  const p: LightParams = { ...DEFAULT_LIGHT_PARAMS, ...params };
  const nowMs = now.getTime();
  const considered = ratings
    .filter((r) => {
      const t = r.at instanceof Date ? r.at.getTime() : NaN;
      return Number.isFinite(t) && t <= nowMs && nowMs - t <= p.horizonDays * DAY_MS;
    })
    .sort(compareRatings);
  const isRecent = (r: ScaleRating) => nowMs - r.at.getTime() <= p.recentDays * DAY_MS;
  const extra = Math.max(0, p.fairScaleStrength - 1);
  const caps: Caps = { sourceDay: p.sourceWeightPerDay, networkDay: p.networkWeightPerDay, network: p.networkWeightTotal };
  const extraCaps: Caps = { sourceDay: extra * caps.sourceDay, networkDay: extra * caps.networkDay, network: extra * caps.network };
  const entry = (r: ScaleRating, mass: number): CapEntry => ({
    networkKey: r.networkKey,
    sourceKey: r.sourceKey,
    day: Math.floor((r.at.getTime() + CST_OFFSET_MS) / DAY_MS),
    mass,
  });
  const decay = (r: ScaleRating) => Math.pow(0.5, (nowMs - r.at.getTime()) / DAY_MS / p.halfLifeDays);
  const measured = considered.filter(hasMeasuredShortfall);
  const recent = considered.filter(isRecent);
  const recentInaccurateRatings = recent.filter((r) => !r.accurate);

  // The posterior sees decayed weights; the gates see recent counts. Both go through the same caps,
  // the extra weight of fair-scale shortfalls through caps (strength - 1) times as large.
  const clickW = capWeights(considered.map((r) => entry(r, decay(r))), caps);
  const measuredW = capWeights(measured.map((r) => entry(r, extra * decay(r))), extraCaps);
  const recentW = capWeights(recent.map((r) => entry(r, 1)), caps);
  const recentMeasuredW = capWeights(recent.filter(hasMeasuredShortfall).map((r) => entry(r, extra)), extraCaps);
  const lowStar = recentInaccurateRatings.filter((r) => isValidStars(r.stars) && r.stars <= p.lowStarMax);
  const recentLowStar = sum(capWeights(lowStar.map((r) => entry(r, 1)), caps));

  let inaccurateWeight = sum(measuredW);
  let accurateWeight = 0;
  let starSum = 0;
  let starWeight = 0;
  clickW.forEach((w, i) => {
    const r = considered[i]!;
    if (r.accurate) accurateWeight += w;
    else inaccurateWeight += w;
    if (isValidStars(r.stars)) {
      starSum += w * r.stars;
      starWeight += w;
    }
  });
  let recentInaccurate = sum(recentMeasuredW);
  recentW.forEach((w, i) => {
    if (!recent[i]!.accurate) recentInaccurate += w;
  });
  const rawWeight = sum(considered.map(decay)) + extra * sum(measured.map(decay));

  const alpha = p.baseInaccuracyRate * p.priorStrength + inaccurateWeight;
  const beta = (1 - p.baseInaccuracyRate) * p.priorStrength + accurateWeight;
  const effectiveN = inaccurateWeight + accurateWeight;
  const evidence: LightEvidence = {
    ratings: considered.length,
    effectiveN,
    inaccurateWeight,
    accurateWeight,
    weightedInaccurateShare: effectiveN > 0 ? inaccurateWeight / effectiveN : 0,
    posteriorMean: alpha / (alpha + beta),
    credibleLower: betaQuantile(1 - p.credibility, alpha, beta),
    credibleUpper: betaQuantile(p.credibility, alpha, beta),
    recentInaccurate,
    recentLowStar,
    distinctSources: distinctRaters(recent),
    distinctInaccurateSources: distinctRaters(recentInaccurateRatings),
    fairScaleShortfallSources: distinctRaters(recentInaccurateRatings.filter(hasMeasuredShortfall)),
    meanStars: starWeight > 0 ? starSum / starWeight : null,
    cappedAwayWeight: Math.max(0, rawWeight - effectiveN),
  };
  const reasons: string[] = [];
  return { light: decide(evidence, p, reasons), evidence, reasons };
}

/**
 * Decides the light and pushes its reasons onto `reasons`. Every condition for red and yellow is
 * monotone in the evidence (more inaccurate, less accurate, more complaining sources), so the light
 * is too; green and 'none' differ only in how many sources there are, and rank equal.
 */
function decide(e: LightEvidence, p: LightParams, reasons: string[]): Light {
  const level = `${Math.round(p.credibility * 100)}%`;
  const bound = e.credibleLower > p.redLowerBound;
  const agreed = e.distinctInaccurateSources >= p.minDistinctInaccurateSourcesForRed;
  const enough = e.recentInaccurate >= p.minRecentInaccurateForRed;
  if (bound && agreed && enough) {
    reasons.push(
      `不准确率${level}可信下限${pct(e.credibleLower)}，高于${pct(p.redLowerBound)} (the ${level} lower credible bound of inaccuracy, ${pct(e.credibleLower)}, is above ${pct(p.redLowerBound)})`,
      `近期${num(e.recentInaccurate)}条不准评价，来自${e.distinctInaccurateSources}个不同来源 (${num(e.recentInaccurate)} recent inaccurate ratings from ${e.distinctInaccurateSources} distinct sources)`,
    );
    if (e.fairScaleShortfallSources > 0) {
      reasons.push(`${e.fairScaleShortfallSources}个来源经公平秤复核短秤超出允差 (${e.fairScaleShortfallSources} sources found a short weight beyond tolerance on the fair scale)`);
    }
    return 'red';
  }
  const sources = e.distinctInaccurateSources >= p.minDistinctInaccurateSourcesForYellow;
  if (sources && e.posteriorMean >= p.yellowPosteriorMean && e.recentInaccurate >= p.minRecentInaccurateForYellow) {
    reasons.push(`不准确率后验均值${pct(e.posteriorMean)}，达到${pct(p.yellowPosteriorMean)} (posterior mean inaccuracy ${pct(e.posteriorMean)} ≥ ${pct(p.yellowPosteriorMean)})`);
    if (!bound) reasons.push(`${level}可信下限${pct(e.credibleLower)}，未超过${pct(p.redLowerBound)} (the ${level} lower bound, ${pct(e.credibleLower)}, is not above ${pct(p.redLowerBound)})`);
    else if (!agreed) reasons.push(`仅${e.distinctInaccurateSources}个不同来源反映不准，红灯需${p.minDistinctInaccurateSourcesForRed}个 (only ${e.distinctInaccurateSources} distinct sources; red needs ${p.minDistinctInaccurateSourcesForRed})`);
    else reasons.push(`近期不准评价${num(e.recentInaccurate)}条，红灯需${p.minRecentInaccurateForRed}条 (${num(e.recentInaccurate)} recent inaccurate ratings; red needs ${p.minRecentInaccurateForRed})`);
    return 'yellow';
  }
  if (sources && e.posteriorMean >= p.starNudgePosteriorMean && e.recentLowStar >= p.starNudgeMinRecentLowStar) {
    reasons.push(
      `不准确率后验均值${pct(e.posteriorMean)}偏高，且有${num(e.recentLowStar)}条低星差评 (posterior mean inaccuracy ${pct(e.posteriorMean)} is elevated and ${num(e.recentLowStar)} complaints gave ${p.lowStarMax} stars or fewer)`,
    );
    return 'yellow';
  }
  if (e.distinctSources >= p.minDistinctSourcesForGreen) {
    reasons.push(`不准确率后验均值${pct(e.posteriorMean)}，${e.distinctSources}个来源 (posterior mean inaccuracy ${pct(e.posteriorMean)}, ${e.distinctSources} sources)`);
    return 'green';
  }
  reasons.push(`近期评价仅来自${e.distinctSources}个来源 (recent ratings from only ${e.distinctSources} sources)`);
  return 'none';
}

// ---------------------------------------------------------------- ranking for inspection

export interface RankableScale<Id extends string | number = string | number> {
  scaleId: Id;
  light: Light;
  evidence: Pick<LightEvidence, 'credibleLower' | 'posteriorMean' | 'inaccurateWeight' | 'distinctInaccurateSources'>;
}

/**
 * Red and yellow scales in inspection order: red before yellow; within a light, the higher lower
 * credible bound first (the surest case), then the higher posterior mean, the more inaccuracy
 * evidence, the more distinct sources, and the scale id. Green and 'none' are left out.
 */
export function rankForInspection<T extends RankableScale>(scales: readonly T[]): T[] {
  const cmpId = (a: string | number, b: string | number) =>
    typeof a === 'number' && typeof b === 'number' ? a - b : str(String(a), String(b));
  return scales
    .filter((s) => s.light === 'red' || s.light === 'yellow')
    .sort(
      (a, b) =>
        lightSeverity(b.light) - lightSeverity(a.light) ||
        b.evidence.credibleLower - a.evidence.credibleLower ||
        b.evidence.posteriorMean - a.evidence.posteriorMean ||
        b.evidence.inaccurateWeight - a.evidence.inaccurateWeight ||
        b.evidence.distinctInaccurateSources - a.evidence.distinctInaccurateSources ||
        cmpId(a.scaleId, b.scaleId),
    );
}

// ---------------------------------------------------------------- admission

export interface AdmissionLimits {
  /** One device rates one scale at most this often in the window: one a day. */
  readonly perScalePerDevice: number;
  readonly perScalePerDeviceWindowS: number;
  /** A device rates at most this many scales in the window: 20 a day. */
  readonly perDevice: number;
  readonly perDeviceWindowS: number;
  /** A network address sends at most this many ratings in the window: 60 an hour (shared NATs). */
  readonly perNetwork: number;
  readonly perNetworkWindowS: number;
}

export const DEFAULT_ADMISSION_LIMITS: Readonly<AdmissionLimits> = Object.freeze({
  perScalePerDevice: 1,
  perScalePerDeviceWindowS: 86_400,
  perDevice: 20,
  perDeviceWindowS: 86_400,
  perNetwork: 60,
  perNetworkWindowS: 3_600,
});

export interface AdmissionInput {
  now: Date;
  /** This device's recent ratings, of any scale. */
  recentFromDevice: readonly Date[];
  /** This device's recent ratings of this scale. */
  recentFromDeviceOnScale: readonly Date[];
  /** Recent ratings from this network address, of any scale and device. */
  recentFromNetwork: readonly Date[];
}

export type AdmissionRefusal = 'already_rated_scale' | 'device_limit' | 'network_limit';

export type AdmissionDecision = { admit: true } | { admit: false; reason: AdmissionRefusal; retryAfterS: number; message: Bilingual };

export const ADMISSION_MESSAGES: Record<AdmissionRefusal, Bilingual> = {
  already_rated_scale: { zh: '您在24小时内已评价过这台秤，请明天再来。', en: 'You rated this scale within the last 24 hours; please come back tomorrow.' },
  device_limit: { zh: '您今天的评价次数已达上限，请稍后再试。', en: 'You have reached today\u2019s limit of ratings; please try again later.' },
  network_limit: { zh: '当前网络提交的评价过多，请稍后再试。', en: 'Too many ratings from this network; please try again later.' },
};

/** Seconds until fewer than `max` of `times` fall within the window; 0 when that holds already. */
function waitS(times: readonly Date[], nowMs: number, max: number, windowS: number): number {
  const windowMs = windowS * 1000;
  // A time from the future (another instance's clock) counts as now: it is in the window.
  const inWindow = times
    .map((t) => Math.min(t.getTime(), nowMs))
    .filter((t) => Number.isFinite(t) && t > nowMs - windowMs)
    .sort((a, b) => a - b);
  const excess = inWindow.length - max + 1;
  if (excess <= 0) return 0;
  return Math.max(1, Math.ceil((inWindow[excess - 1]! + windowMs - nowMs) / 1000));
}

/**
 * Whether to take a rating now. The most specific failed limit is the reason; retryAfterS is when
 * every limit would pass (if nothing else arrives meanwhile). Limits with max 0 refuse everything.
 */
export function decideRatingAdmission(input: AdmissionInput, limits: Partial<AdmissionLimits> = {}): AdmissionDecision {
  const l: AdmissionLimits = { ...DEFAULT_ADMISSION_LIMITS, ...limits };
  const nowMs = input.now.getTime();
  const checks: [AdmissionRefusal, number][] = [
    ['already_rated_scale', waitS(input.recentFromDeviceOnScale, nowMs, l.perScalePerDevice, l.perScalePerDeviceWindowS)],
    ['device_limit', waitS(input.recentFromDevice, nowMs, l.perDevice, l.perDeviceWindowS)],
    ['network_limit', waitS(input.recentFromNetwork, nowMs, l.perNetwork, l.perNetworkWindowS)],
  ];
  const failed = checks.filter(([, s]) => s > 0);
  const first = failed[0];
  if (!first) return { admit: true };
  return { admit: false, reason: first[0], retryAfterS: Math.max(...failed.map(([, s]) => s)), message: ADMISSION_MESSAGES[first[0]] };
}

// ---------------------------------------------------------------- bursts

export interface BurstParams {
  /** The window looked at: the last hour. */
  readonly windowS: number;
  /** Ratings in the window that are a burst however busy the scale usually is... */
  readonly minCount: number;
  /** ...unless the scale's usual rate, from the baseline period before the window, times this is higher. */
  readonly baselineFactor: number;
  readonly baselineS: number;
  /** Ratings in the window from one network that are a burst on their own. */
  readonly singleNetworkMin: number;
}

export const DEFAULT_BURST_PARAMS: Readonly<BurstParams> = Object.freeze({
  windowS: 3_600,
  minCount: 8,
  baselineFactor: 10,
  baselineS: 30 * 86_400,
  singleNetworkMin: 4,
});

export interface BurstRating {
  at: Date;
  networkKey: string;
  accurate: boolean;
}

export type BurstVerdict =
  | { burst: false }
  | {
      burst: true;
      reason: 'single_network' | 'volume';
      /** Start of the window: ratings on the scale since then (from networkKey, when given) are suspect. */
      since: Date;
      count: number;
      inaccurateShare: number;
      networkKey?: string;
      detail: string;
    };

/**
 * Whether a scale is suddenly receiving many ratings: its ratings since `since` should be marked
 * suspect for review, not refused (refusing would let a flood lock honest raters out). Pass the
 * scale's ratings of at least the baseline period; ratings after `now` are ignored.
 */
export function detectBurst(recentOnScale: readonly BurstRating[], now: Date, params: Partial<BurstParams> = {}): BurstVerdict {
  const p: BurstParams = { ...DEFAULT_BURST_PARAMS, ...params };
  const nowMs = now.getTime();
  const since = nowMs - p.windowS * 1000;
  const valid = recentOnScale.filter((r) => Number.isFinite(r.at.getTime()) && r.at.getTime() <= nowMs);
  const inWindow = valid.filter((r) => r.at.getTime() > since);
  const baseline = valid.filter((r) => r.at.getTime() > nowMs - p.baselineS * 1000 && r.at.getTime() <= since).length;
  const share = (rs: readonly BurstRating[]) => (rs.length ? rs.filter((r) => !r.accurate).length / rs.length : 0);

  const byNetwork = new Map<string, BurstRating[]>();
  for (const r of inWindow) {
    const list = byNetwork.get(r.networkKey);
    if (list) list.push(r);
    else byNetwork.set(r.networkKey, [r]);
  }
  let top: [string, BurstRating[]] | null = null;
  for (const entry of [...byNetwork.entries()].sort(([a], [b]) => str(a, b))) if (!top || entry[1].length > top[1].length) top = entry;
  const minutes = Math.round(p.windowS / 60);
  if (top && top[1].length >= p.singleNetworkMin) {
    const [networkKey, rs] = top;
    return {
      burst: true,
      reason: 'single_network',
      since: new Date(since),
      count: rs.length,
      inaccurateShare: share(rs),
      networkKey,
      detail: `同一网络${minutes}分钟内评价${rs.length}次 (${rs.length} ratings from one network in ${minutes} minutes)`,
    };
  }
  const expected = (baseline * p.windowS) / Math.max(1, p.baselineS - p.windowS);
  const threshold = Math.max(p.minCount, Math.ceil(p.baselineFactor * expected));
  if (inWindow.length >= threshold) {
    return {
      burst: true,
      reason: 'volume',
      since: new Date(since),
      count: inWindow.length,
      inaccurateShare: share(inWindow),
      detail: `${minutes}分钟内评价${inWindow.length}次，平时约${num(expected)}次 (${inWindow.length} ratings in ${minutes} minutes, usually about ${num(expected)})`,
    };
  }
  return { burst: false };
}
