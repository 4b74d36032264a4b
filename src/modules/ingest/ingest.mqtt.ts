import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { Aedes, type Client, type PublishPacket, type Subscription } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { DeviceContext, DeviceService } from './device.service.js';
import { secretMatches } from './device.secrets.js';
import type { Ack, IngestService } from './ingest.service.js';
import { SCALE_ID_PATTERN } from './protocol.rules.js';

export const TOPIC_PREFIX = 'mashang/v1/scales/';
const TOPIC = /^mashang\/v1\/scales\/([A-Za-z0-9_-]{1,64})\/(tx|event|status|ack)$/;
/** For mqtt.js's `log` option: its default logs through debug, whose every call (enabled or not) costs an arguments array. */
export const mqttNoLog = () => {};
// Beyond this many queued messages a publishing scale waits for the writer (backpressure).
const QUEUE_HIGH_WATER = 50_000;
// An external broker's consumer connections are renewed once a hold-back episode has been over this long.
const RENEW_AFTER_HOLD_BACK_MS = 5_000;
// Payloads in flight from an external broker to a platform connection (see connectExternalBroker).
const DEFAULT_WINDOW = 4000;

export interface MqttTransport {
  /** Where scales connect, for the start-up banner. */
  describe(): string;
  close(): Promise<void>;
}

interface Deps {
  devices: DeviceService;
  ingest: IngestService;
  logger: Logger;
}

const ackPayload = (acks: Ack[]) => Buffer.from(JSON.stringify({ v: 1, acks }));
const MAX_ACKS_PER_PAYLOAD = 1000;

/**
 * Gathers the acks each scale is owed and publishes them together once the current turn of the
 * event loop is over: every payload a flush settles resolves in that turn, so a scale gets one ack
 * payload per flush rather than one per payload it sent (the protocol's ack object holds any number).
 */
function createAckOutbox(publish: (deviceId: string, payload: Buffer) => void) {
  const owed = new Map<string, Ack[]>();
  let scheduled = false;
  const send = () => {
    scheduled = false;
    for (const [deviceId, acks] of owed) {
      for (let i = 0; i < acks.length; i += MAX_ACKS_PER_PAYLOAD) publish(deviceId, ackPayload(acks.length <= MAX_ACKS_PER_PAYLOAD ? acks : acks.slice(i, i + MAX_ACKS_PER_PAYLOAD)));
    }
    owed.clear();
  };
  return (deviceId: string, acks: Ack[]) => {
    if (!acks.length) return;
    const list = owed.get(deviceId);
    if (list) for (const a of acks) list.push(a);
    else owed.set(deviceId, acks.slice());
    if (!scheduled) {
      scheduled = true;
      setImmediate(send);
    }
  };
}

/**
 * The embedded broker (aedes): each scale connects with client id = username = its scaleId and
 * its secret as password, may publish only under its own id and subscribe only to its own acks.
 * Messages are handed to ingest in-process; acks are published after durable storage.
 */
export async function startEmbeddedBroker(deps: Deps & { host: string; port: number }): Promise<MqttTransport & { port: number }> {
  const { devices, ingest, logger } = deps;
  const broker = await Aedes.createBroker({ maxClientsIdLength: 64, drainTimeout: 30_000 });
  const deviceOf = new WeakMap<Client, DeviceContext>();
  // The connection of each scale, for cutting it off when its secret is revoked or reissued.
  const live = new Map<string, Client>();

  broker.authenticate = (client, username, password, done) => {
    const fail = (code: number) => {
      const err = Object.assign(new Error('bad credentials'), { returnCode: code });
      done(err as never, false);
    };
    if (!client.id || !SCALE_ID_PATTERN.test(client.id) || username !== client.id || !password) return fail(4);
    devices
      .lookup(client.id)
      .then((ctx) => {
        if (!ctx || !secretMatches(ctx.secret, password.toString())) return fail(4);
        deviceOf.set(client, ctx);
        // Live from now: a revocation arriving before aedes calls the client ready still drops it.
        live.set(client.id, client);
        done(null, true);
      })
      .catch(() => fail(3));
  };

  broker.authorizePublish = (client, packet, done) => {
    const m = TOPIC.exec(packet.topic);
    // A will published after its client is gone arrives without a client: only status may pass.
    if (!client) return done(m && m[2] === 'status' ? null : new Error('not allowed'));
    if (!m || m[1] !== client.id || m[2] === 'ack') return done(new Error(`scale ${client.id} may not publish to ${packet.topic}`));
    done(null);
  };

  broker.authorizeSubscribe = (client, sub: Subscription, done) => {
    // Anything but its own ack topic is refused (SUBACK 0x80), not silently narrowed.
    done(null, sub.topic === `${TOPIC_PREFIX}${client.id}/ack` ? sub : (null as never));
  };

  const owe = createAckOutbox((deviceId, payload) =>
    broker.publish({ cmd: 'publish', topic: `${TOPIC_PREFIX}${deviceId}/ack`, payload, qos: 1, retain: false, dup: false }, () => {}),
  );

  broker.published = (packet: PublishPacket, client: Client | null, done: () => void) => {
    const m = TOPIC.exec(packet.topic);
    if (!m) return done();
    const [, deviceId, channel] = m;
    const ctx = client ? deviceOf.get(client) : undefined;
    if (channel === 'status') {
      void devices.lookup(deviceId!).then((d) => d && devices.setOnline(d.scaleId, packet.payload.toString() === 'online', 'mqtt')).catch(() => {});
      return done();
    }
    if (!client || !ctx || (channel !== 'tx' && channel !== 'event')) return done();
    const submitted = ingest
      .submit(ctx, 'mqtt', channel as 'tx' | 'event', Buffer.from(packet.payload as Buffer))
      .then((acks) => owe(deviceId!, acks))
      .catch((err) => logger.warn({ err, deviceId }, 'mqtt message not taken'));
    // Acks flow asynchronously; only a swamped writer holds the scale back.
    if (ingest.queued() > QUEUE_HIGH_WATER) void submitted.finally(done);
    else done();
  };

  broker.on('clientDisconnect', (client) => {
    if (live.get(client.id) === client) live.delete(client.id);
    const ctx = deviceOf.get(client);
    if (ctx) void devices.setOnline(ctx.scaleId, false, 'mqtt').catch(() => {});
  });
  broker.on('clientError', (client, err) => logger.debug({ client: client?.id, err: err.message }, 'mqtt client error'));

  // A reissued or revoked secret stops working at once: drop the live connection.
  const stopRevoke = devices.onRevoke((deviceId) => {
    live.get(deviceId)?.close();
  });

  const server = net.createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: deps.host, port: deps.port }, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    describe: () => `embedded MQTT broker on mqtt://${deps.host === '0.0.0.0' ? 'localhost' : deps.host}:${port}`,
    async close() {
      stopRevoke();
      // The broker first: it disconnects every client, so the server's close does not wait on them.
      await new Promise<void>((r) => broker.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * An external broker (Mosquitto, EMQX): the platform consumes through MQTT 5 shared subscriptions,
 * so several instances split the load and each message is processed by one. The broker
 * authenticates scales (see docs/mosquitto.md); the platform checks every mac itself anyway.
 */
export async function connectExternalBroker(
  deps: Deps & { url: string; group?: string; consumers?: number; queueHighWater?: number; window?: number; renewAfterMs?: number },
): Promise<MqttTransport & { renewals(): number }> {
  const { devices, ingest, logger } = deps;
  const highWater = deps.queueHighWater ?? QUEUE_HIGH_WATER;
  const group = deps.group ?? 'mashang';
  const topics = ['tx', 'event', 'status'].map((c) => `$share/${group}/${TOPIC_PREFIX}+/${c}`);
  // Acks leave on a connection of their own. On one that also consumes, a stall (backpressure
  // above) stops the reading of the broker's PUBACKs too, and Mosquitto 2.0 was seen never to send
  // the PUBACKs of what such a connection published meanwhile: those acks hung unanswered, and
  // closing waited for them for ever. This one reads nothing but its PUBACKs.
  const acker = await mqtt.connectAsync(deps.url, {
    clientId: `mashang-platform-acks-${randomBytes(6).toString('hex')}`,
    protocolVersion: 5,
    clean: true,
    reconnectPeriod: 2000,
    log: mqttNoLog,
  });
  acker.on('error', (err) => logger.warn({ err: err.message }, 'mqtt broker error (acks)'));

  const owe = createAckOutbox((deviceId, payload) => {
    acker.publishAsync(`${TOPIC_PREFIX}${deviceId}/ack`, payload, { qos: 1 }).catch((err) => logger.warn({ err, deviceId }, 'ack not published'));
  });

  const onMessage = (topic: string, payload: Buffer) => {
    const m = TOPIC.exec(topic);
    if (!m) return;
    const [, deviceId, channel] = m;
    void (async () => {
      const ctx = await devices.lookup(deviceId!);
      if (!ctx) {
        logger.warn({ deviceId }, 'message from a scale without live credentials ignored');
        return;
      }
      if (channel === 'status') return devices.setOnline(ctx.scaleId, payload.toString() === 'online', 'mqtt');
      if (channel !== 'tx' && channel !== 'event') return;
      owe(deviceId!, await ingest.submit(ctx, 'mqtt', channel, Buffer.from(payload)));
    })().catch((err) => logger.warn({ err, deviceId }, 'mqtt message not taken'));
  };
  // After holding back, Mosquitto 2.0 was seen to keep stale entries at the head of the connection's
  // in-flight list and to walk them on every PUBACK: once back under the load it had carried, half
  // its CPU went to that walk and latency stayed up. So once a hold-back episode has been over for
  // `renewAfterMs`, each consumer connection is replaced by a fresh one in the same group (below).
  const renewAfterMs = deps.renewAfterMs ?? RENEW_AFTER_HOLD_BACK_MS;
  // A broker keeps a window and a queue per connection and drops what overflows the queue
  // (Mosquitto: 20 in flight unless the client's MQTT 5 Receive Maximum says more, 1000 queued).
  // With the default window a connection moves 20 payloads per turn of the event loop, and a
  // writer pausing for a commit overflows the queue: so a wide window (a few seconds of payloads),
  // and backpressure of our own (below) instead of the broker's drops. Not the widest: while we
  // hold back, Mosquitto 2.0 keeps what it could not yet write in the window's list and walks that
  // list for every new message; with 65,535 it spent its core on the walk after an overload and
  // never caught up again (80 % CPU at half the load it had carried). One connection by default: the broker hands a
  // group's messages round-robin to its members, so with several a scale's messages arrive out of
  // order, and a seq stored after a higher one costs a lookup and a gap opened and closed.
  let lastHoldBack = 0;
  const connectConsumer = async () => {
    const c = await mqtt.connectAsync(deps.url, {
      clientId: `mashang-platform-${randomBytes(6).toString('hex')}`,
      protocolVersion: 5,
      clean: true,
      reconnectPeriod: 2000,
      properties: { receiveMaximum: deps.window ?? DEFAULT_WINDOW },
      log: mqttNoLog,
    });
    // mqtt.js reads a connection's next packet only after this callback: past the high-water
    // mark the connection waits for the writer, and the broker keeps the rest in its window.
    // Each PUBACK would otherwise be a write of its own (mqtt-packet uncorks on the next tick, and
    // mqtt.js handles one packet a tick): cork the socket until the packets of this read are all
    // handled, so their PUBACKs leave in one write. On loopback a write costs as much as the work.
    let corked = false;
    c.handleMessage = (_packet, callback) => {
      const stream = c.stream;
      if (!corked && stream) {
        corked = true;
        stream.cork();
        setImmediate(() => {
          corked = false;
          stream.uncork();
        });
      }
      if (ingest.queued() > highWater) {
        lastHoldBack = Date.now();
        void ingest.whenBelow(highWater / 2).then(() => callback());
      } else callback();
    };
    c.on('message', onMessage);
    await c.subscribeAsync(topics, { qos: 1 });
    c.on('connect', () => void c.subscribeAsync(topics, { qos: 1 }).catch((err) => logger.error({ err }, 'resubscribe failed')));
    c.on('error', (err) => logger.warn({ err: err.message }, 'mqtt broker error'));
    return c;
  };
  // The fresh connection joins the group before the old one leaves it, so messages keep flowing;
  // the old one takes what the broker had already handed it, then disconnects. Anything it held
  // but never received is dropped with its session, and its scale sends it again (no ack came):
  // at least once on the wire, exactly once in the record.
  let renewals = 0;
  let closing = false;
  const renew = async (i: number) => {
    const old = clients[i]!;
    const fresh = await connectConsumer();
    if (closing) return void (await fresh.endAsync(true));
    clients[i] = fresh;
    await old.unsubscribeAsync(topics).catch(() => {});
    // Until it has gone a second without a message (counted only while it drains, off the hot path).
    let taken = 0;
    old.on('message', () => taken++);
    for (let seen = -1; !closing && taken !== seen; ) {
      seen = taken;
      await new Promise((r) => setTimeout(r, 1000));
    }
    await old.endAsync();
    renewals++;
  };
  let renewing: Promise<void> | null = null;
  const renewTimer =
    renewAfterMs > 0
      ? setInterval(() => {
          if (renewing || closing || lastHoldBack === 0 || Date.now() - lastHoldBack < renewAfterMs || ingest.queued() > highWater / 4) return;
          lastHoldBack = 0;
          logger.info('renewing the broker consumer connections after a hold-back episode');
          renewing = (async () => {
            for (let i = 0; i < clients.length && !closing; i++) await renew(i);
          })()
            .catch((err) => logger.warn({ err }, 'renewing a broker consumer connection failed'))
            .finally(() => (renewing = null));
        }, Math.min(1000, renewAfterMs))
      : null;
  renewTimer?.unref();
  const clients: MqttClient[] = [];
  for (let i = 0; i < Math.max(1, deps.consumers ?? 1); i++) clients.push(await connectConsumer());

  return {
    describe: () => `external MQTT broker (MQTT_URL), shared subscription group ${group} (${clients.length} connections)`,
    renewals: () => renewals,
    async close() {
      closing = true;
      if (renewTimer) clearInterval(renewTimer);
      await renewing;
      await Promise.all([...clients, acker].map((c) => c.endAsync()));
    },
  };
}
