/**
 * Work that follows the clock rather than a request: credit events expire and ratings fade, so
 * every few hours each city is re-scored and every lit scale's light recomputed. Runs once soon
 * after start, then every `everyMs`; a failure is logged and tried again next time.
 */
import type { AppContext } from './context.js';

export function startUpkeep(ctx: Pick<AppContext, 'credit' | 'feedback' | 'dbHandle' | 'logger'>, everyMs = 6 * 3_600_000, firstAfterMs = 60_000) {
  let running: Promise<void> | null = null;
  const log = ctx.logger.child({ component: 'upkeep' });
  const run = async () => {
    const t0 = Date.now();
    const cities = await ctx.dbHandle.db.selectFrom('city').select('id').execute();
    let merchants = 0;
    for (const c of cities) merchants += await ctx.credit.rescoreCity(c.id, 'daily');
    const lights = await ctx.feedback.refreshLights();
    log.info({ merchants, lights, ms: Date.now() - t0 }, 'upkeep: credit re-scored and lights refreshed');
  };
  const tick = () => {
    if (running) return;
    running = run()
      .catch((err) => log.error({ err }, 'upkeep failed; trying again at the next turn'))
      .finally(() => (running = null));
  };
  const first = setTimeout(tick, firstAfterMs);
  const timer = setInterval(tick, everyMs);
  first.unref();
  timer.unref();
  return {
    /** Runs one round now (tests, operators). */
    runNow: () => run(),
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
