import pg from 'pg';
import type { Logger } from 'pino';

/**
 * One dedicated PostgreSQL connection that LISTENs on a channel while someone needs it, and
 * reconnects (1 s, 2 s, … 30 s) when it drops. A reconnect means notifications may have been
 * missed: `onReconnect` lets subscribers reload what they show.
 */
export class PgListener {
  private client: pg.Client | null = null;
  private wanted = false;
  private attempt = 0;
  private retry: NodeJS.Timeout | null = null;
  private connecting: Promise<void> | null = null;
  private hasConnected = false;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly onPayload: (payload: string | undefined) => void,
    private readonly onReconnect: () => void,
    private readonly logger?: Logger,
  ) {}

  /** Starts listening (if not already); resolves once LISTEN is in effect or the first attempt failed. */
  start(): Promise<void> {
    this.wanted = true;
    if (this.client) return Promise.resolve();
    return (this.connecting ??= this.connect());
  }

  async stop(): Promise<void> {
    this.wanted = false;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    await this.connecting?.catch(() => {});
    const c = this.client;
    this.client = null;
    this.hasConnected = false;
    if (c) await c.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    // Time-boxed and kept alive, so a vanished server is noticed and retried rather than waited on.
    const c = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5000, keepAlive: true });
    c.on('notification', (msg) => {
      if (msg.channel === this.channel) this.onPayload(msg.payload);
    });
    c.on('error', (err) => this.lost(c, err));
    c.on('end', () => this.lost(c));
    try {
      await c.connect();
      await c.query(`listen ${c.escapeIdentifier(this.channel)}`);
      if (!this.wanted) {
        await c.end().catch(() => {});
        return;
      }
      this.client = c;
      this.attempt = 0;
      if (this.hasConnected) this.onReconnect();
      this.hasConnected = true;
    } catch (err) {
      this.logger?.warn({ err }, `LISTEN ${this.channel}: connection failed; retrying`);
      c.removeAllListeners('end');
      await c.end().catch(() => {});
      this.scheduleRetry();
    } finally {
      this.connecting = null;
    }
  }

  private lost(c: pg.Client, err?: Error) {
    if (this.client !== c) return;
    this.client = null;
    if (err) this.logger?.warn({ err }, `LISTEN ${this.channel}: connection lost; reconnecting`);
    void c.end().catch(() => {});
    this.scheduleRetry();
  }

  private scheduleRetry() {
    if (!this.wanted || this.retry) return;
    const ms = Math.min(30_000, 1000 * 2 ** this.attempt++);
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.wanted && !this.client) void (this.connecting ??= this.connect());
    }, ms);
    this.retry.unref?.();
  }
}
