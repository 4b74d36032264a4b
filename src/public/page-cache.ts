import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/** A rendered page, ready to send: the HTML, its gzip form and an ETag. */
export interface CachedPage {
  status: number;
  html: Buffer;
  gzip: Buffer;
  etag: string;
}

/**
 * Rendered scan pages held in memory, each with the record keys it shows (`merchant:12`,
 * `scale:7`, `market:3`). A change notification for a key drops every page that depends on it, so
 * the next scan renders afresh; nothing waits for a timer. Bounded: the least recently filled
 * pages go first.
 */
export class PageCache {
  private readonly pages = new Map<string, { page: CachedPage; deps: readonly string[] }>();
  private readonly byDep = new Map<string, Set<string>>();
  /** Bumped by every invalidation: a render that started before it must not be stored. */
  private generation = 0;

  constructor(private readonly maxPages = 20_000) {}

  get(key: string): CachedPage | undefined {
    return this.pages.get(key)?.page;
  }

  /** The current generation; pass it back to `set` so a page rendered from stale data is not kept. */
  mark(): number {
    return this.generation;
  }

  set(key: string, deps: readonly string[], page: CachedPage, since: number): void {
    if (since !== this.generation) return;
    this.drop(key);
    if (this.pages.size >= this.maxPages) {
      const oldest = this.pages.keys().next().value;
      if (oldest !== undefined) this.drop(oldest);
    }
    this.pages.set(key, { page, deps });
    for (const d of deps) (this.byDep.get(d) ?? this.byDep.set(d, new Set()).get(d)!).add(key);
  }

  /** Drops every page that shows the record `dep`. */
  invalidate(dep: string): void {
    this.generation++;
    const keys = this.byDep.get(dep);
    if (!keys) return;
    for (const k of [...keys]) this.drop(k);
  }

  clear(): void {
    this.generation++;
    this.pages.clear();
    this.byDep.clear();
  }

  get size(): number {
    return this.pages.size;
  }

  private drop(key: string) {
    const had = this.pages.get(key);
    if (!had) return;
    this.pages.delete(key);
    for (const d of had.deps) {
      const set = this.byDep.get(d);
      set?.delete(key);
      if (set && !set.size) this.byDep.delete(d);
    }
  }
}

/** Renders once into what the cache and the wire need. */
export function preparePage(html: string, status = 200): CachedPage {
  const body = Buffer.from(html, 'utf8');
  return { status, html: body, gzip: gzipSync(body, { level: 9 }), etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
}
