import type { Logger } from 'pino';
import type { ComplaintService } from './complaint.service.js';

/**
 * The complaint clocks over time: every minute (by default) the complaints whose step due now has
 * gone past its statutory deadline raise `complaint_overdue`, once per complaint and step.
 */
export function createComplaintSweeper(deps: { complaints: Pick<ComplaintService, 'sweepOverdue'>; logger: Logger }) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  return {
    sweep: () => deps.complaints.sweepOverdue(),
    start(everyMs = 60_000) {
      timer = setInterval(() => {
        if (running) return;
        running = deps.complaints
          .sweepOverdue()
          .catch((err) => deps.logger.error({ err }, 'complaint sweep failed'))
          .finally(() => (running = null));
      }, everyMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
export type ComplaintSweeper = ReturnType<typeof createComplaintSweeper>;
