/**
 * Retries `check` until it passes or `ms` run out, then rethrows its last failure. For what follows a
 * commit by a moment (a page cache dropped on NOTIFY), never for timing a speed target.
 */
export async function eventually(check: () => Promise<void>, ms = 1000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
