/**
 * The two transports of protocol v1 as a scale uses them: MQTT (one connection per scale, client
 * id = username = scaleId, QoS 1, last will `offline`) and HTTP (POST batches with the secret as
 * bearer token, honouring 429 Retry-After, retrying network failures).
 */
import mqtt, { Store, type MqttClient } from 'mqtt';
import { MAX_BATCH, mqttNoLog, TOPIC_PREFIX } from '../ingest/index.js';
import { batchesOf, httpBodyOf, payloadOf, type Signed } from './simulator.rules.js';
import type { Ack, Link, SimulatedScale } from './simulator.scale.js';

export interface LinkLog {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface LinkHooks {
  log: LinkLog;
  /** The platform refused the scale's credentials; the link has stopped trying. */
  onAuthFailure(scale: SimulatedScale, reason: string): void;
}

/** A link that also says when it first came up (or why it could not). */
export interface StartedLink extends Link {
  /** Came up at least once (MQTT: connected and subscribed; HTTP: a batch answered 200). */
  hasBeenUp(): boolean;
  /** The last connection error, for a message when it never comes up. */
  lastError(): string | null;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());

/**
 * mqtt.js keeps its own copy of each PUBLISH awaiting PUBACK and replays those on reconnect, one
 * round trip each, before anything else. The scale's outbox already sends everything unacked,
 * oldest first, so the client's copy is forgotten when a connection drops.
 */
class ForgetfulStore extends Store {
  forget() {
    (this as unknown as { _inflights: Map<number, unknown> | null })._inflights?.clear();
  }
}

// MQTT 3.1.1 CONNACK 4/5, MQTT 5 reason codes 134/135: bad credentials or not authorised.
const AUTH_CODES = new Set([4, 5, 134, 135]);

export function connectMqttLink(scale: SimulatedScale, opts: { url: string; reconnectPeriodMs?: number; connectTimeoutMs?: number; protocolVersion?: 4 | 5; topicPrefix?: string } & LinkHooks): StartedLink {
  const id = scale.deviceId;
  const base = `${opts.topicPrefix ?? TOPIC_PREFIX}${id}/`;
  const ackTopic = `${base}ack`;
  let up = false;
  let lastError: string | null = null;
  let wasUp = false;

  const store = new ForgetfulStore();
  const client: MqttClient = mqtt.connect(opts.url, {
    outgoingStore: store,
    clientId: id,
    username: id,
    password: scale.spec.secret,
    protocolVersion: opts.protocolVersion ?? 4,
    clean: true,
    // Our own subscribe on every connect, once the ack topic is ours again.
    resubscribe: false,
    reconnectPeriod: opts.reconnectPeriodMs ?? 1000,
    connectTimeout: opts.connectTimeoutMs ?? 10_000,
    keepalive: 30,
    log: mqttNoLog,
    will: { topic: `${base}status`, payload: Buffer.from('offline'), qos: 1, retain: true },
  });

  client.on('connect', () => {
    // Acks are published only to subscribers: subscribe before anything is (re)sent.
    client.subscribe(ackTopic, { qos: 1 }, (err, granted) => {
      if (err || !granted?.length || granted[0]!.qos === 128) {
        lastError = `subscription to ${ackTopic} refused`;
        opts.log.error({ deviceId: id, err: err?.message }, lastError);
        return;
      }
      client.publish(`${base}status`, 'online', { qos: 1, retain: true });
      up = true;
      wasUp = true;
      scale.onConnected();
    });
  });
  client.on('message', (topic, payload) => {
    if (topic !== ackTopic) return;
    let acks: Ack[];
    try {
      acks = (JSON.parse(payload.toString('utf8')) as { acks: Ack[] }).acks;
      if (!Array.isArray(acks)) throw new Error('no acks array');
    } catch (e) {
      scale.counters.errors++;
      opts.log.warn({ deviceId: id, err: (e as Error).message }, 'unreadable ack payload');
      return;
    }
    scale.onAcks(acks);
  });
  client.on('close', () => {
    up = false;
    // Its pending PUBACK callbacks go too, or a later end() would wait for them forever.
    store.forget();
    for (const messageId of Object.keys(client.outgoing)) delete client.outgoing[Number(messageId)];
  });
  client.on('error', (err: Error & { code?: number | string }) => {
    lastError = err.message;
    if (typeof err.code === 'number' && AUTH_CODES.has(err.code)) {
      up = false;
      const reason = `MQTT connection refused: ${err.message}`;
      scale.stop(reason);
      client.end(true);
      opts.onAuthFailure(scale, reason);
      return;
    }
    opts.log.debug({ deviceId: id, err: err.message }, 'mqtt error');
  });

  return {
    get isUp() {
      return up && client.connected;
    },
    hasBeenUp: () => wasUp,
    lastError: () => lastError,
    send(items: Signed[]) {
      for (const batch of batchesOf(items, MAX_BATCH, true)) {
        client.publish(base + batch[0]!.channel, payloadOf(batch), { qos: 1 });
        scale.counters.payloads++;
      }
    },
    drop() {
      // As a network failure: no DISCONNECT, so the broker publishes the last will; mqtt.js reconnects.
      client.stream?.destroy();
    },
    async close({ graceful = true } = {}) {
      if (graceful && up && client.connected) {
        // A clean DISCONNECT suppresses the will: say offline ourselves. A broker that does not answer gets 3 s.
        const bye = (async () => {
          await client.publishAsync(`${base}status`, 'offline', { qos: 1, retain: true });
          await client.endAsync();
        })().catch(() => {});
        const late = await Promise.race([bye.then(() => false), sleep(3000).then(() => true)]);
        if (late) await client.endAsync(true).catch(() => {});
      } else {
        await client.endAsync(true).catch(() => {});
      }
      up = false;
    },
  };
}

/**
 * HTTP transport: one request in flight per scale; what accumulates meanwhile goes in the next
 * batch (up to 500). A network failure or 5xx takes the link down; after a back-off (1 s doubling
 * to 10 s) it comes up again and the scale resends everything unacknowledged.
 */
export function connectHttpLink(scale: SimulatedScale, opts: { baseUrl: string } & LinkHooks): StartedLink {
  const url = `${opts.baseUrl.replace(/\/$/, '')}/api/device/v1/scales/${encodeURIComponent(scale.deviceId)}/messages`;
  const headers = { authorization: `Bearer ${scale.spec.secret}`, 'content-type': 'application/json' };
  let queue: Signed[] = [];
  let up = true;
  let busy = false;
  let closed = false;
  let backoffMs = 1000;
  let lastError: string | null = null;
  let wasUp = false;
  let idle: (() => void) | null = null;

  function down(reason: string) {
    lastError = reason;
    up = false;
    queue = [];
    opts.log.debug({ deviceId: scale.deviceId, reason, backoffMs }, 'http link down');
    const wait = backoffMs;
    backoffMs = Math.min(backoffMs * 2, 10_000);
    setTimeout(() => {
      if (closed) return;
      up = true;
      scale.onConnected();
    }, wait).unref?.();
  }

  async function pump() {
    if (busy) return;
    busy = true;
    try {
      while (queue.length && up && !closed) {
        const batch = queue.splice(0, MAX_BATCH);
        let res: Response;
        scale.counters.payloads++;
        try {
          res = await fetch(url, { method: 'POST', headers, body: httpBodyOf(batch) });
        } catch (e) {
          const cause = (e as Error & { cause?: { code?: string; message?: string } }).cause;
          down(cause?.code ?? cause?.message ?? (e as Error).message);
          break;
        }
        if (res.status === 200) {
          const body = (await res.json()) as { acks: Ack[] };
          backoffMs = 1000;
          wasUp = true;
          scale.onAcks(body.acks);
          continue;
        }
        const text = await res.text().catch(() => '');
        if (res.status === 429) {
          const retryS = Number(res.headers.get('retry-after'));
          queue.unshift(...batch);
          await sleep((Number.isFinite(retryS) && retryS > 0 ? retryS : 1) * 1000);
          continue;
        }
        if (res.status === 401) {
          const reason = `HTTP 401: ${text.slice(0, 200)}`;
          lastError = reason;
          queue = [];
          scale.stop(reason);
          opts.onAuthFailure(scale, reason);
          break;
        }
        if (res.status >= 500) {
          down(`HTTP ${res.status}`);
          break;
        }
        // 400, 413: the batch itself is wrong and would be refused again; count it as rejected.
        scale.counters.errors++;
        opts.log.error({ deviceId: scale.deviceId, status: res.status, body: text.slice(0, 300) }, 'batch refused by the platform');
        scale.onAcks(batch.map((s) => ({ seq: s.seq, status: 'rejected' as const, error: `HTTP ${res.status}` })));
      }
    } finally {
      busy = false;
      if (!queue.length || !up || closed) {
        idle?.();
        idle = null;
      }
    }
  }

  // HTTP has no connection to open: the scale is "connected" at once.
  queueMicrotask(() => {
    if (!closed) scale.onConnected();
  });
  return {
    get isUp() {
      return up && !closed;
    },
    hasBeenUp: () => wasUp,
    lastError: () => lastError,
    send(items: Signed[]) {
      for (const s of items) queue.push(s);
      void pump();
    },
    drop() {
      down('dropped');
    },
    async close({ graceful = true } = {}) {
      if (graceful && (busy || queue.length)) await new Promise<void>((r) => (idle = r));
      closed = true;
      queue = [];
    },
  };
}
