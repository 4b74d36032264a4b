/**
 * The fleet's MQTT link on a bare broker (no platform): the protocol's topics by default, and a
 * chosen topic prefix when asked (the ingest benchmark's broker-only run), under which nothing
 * reaches the protocol's topics.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { createFleet, type SimScaleSpec } from './index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const spec = (deviceId: string): SimScaleSpec => ({
  deviceId,
  secret: randomBytes(32).toString('base64url'),
  maxCapacityG: 30_000,
  products: [{ plu: '1001', name: '石斑鱼', unitPriceFenPerKg: 14_800, capFenPerKg: 16_000, category: 'seafood' }],
});

describe('the simulator fleet on a bare broker', () => {
  let url: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const broker = await Aedes.createBroker();
    const server = net.createServer(broker.handle);
    await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, () => r()));
    url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise<void>((r) => server.close(() => broker.close(() => r())));
  });
  afterAll(() => close());

  async function run(prefix: string | undefined, keepUnacked = true) {
    const seen = new Map<string, number>();
    const sub = await mqtt.connectAsync(url, { clientId: `sub-${randomBytes(3).toString('hex')}` });
    sub.on('message', (topic) => seen.set(topic, (seen.get(topic) ?? 0) + 1));
    await sub.subscribeAsync(['mashang/v1/scales/+/tx', 'bench/raw/t/+/tx'], { qos: 1 });
    const fleet = createFleet({ scales: [spec('SIM-L-1'), spec('SIM-L-2')], transport: 'mqtt', mqttUrl: url, ...(prefix ? { mqttTopicPrefix: prefix } : {}), ratePerS: 200, heartbeatS: 0, powerOn: false, keepUnacked });
    await fleet.start({ timeoutMs: 5000 });
    await sleep(500);
    const unacked = fleet.stats().unacked;
    // Nobody acks on a bare broker: stop without waiting for acks.
    await fleet.stop({ flushTimeoutMs: 0 });
    await sub.endAsync(true);
    return { seen, sent: fleet.stats().payloads, salesSent: fleet.stats().sent, unacked };
  }

  it('publishes sales under the protocol topics by default', async () => {
    const { seen, sent, salesSent, unacked } = await run(undefined);
    expect(sent).toBeGreaterThan(0);
    // Nothing is acked on a bare broker: a real scale keeps every sale it sent.
    expect(unacked).toBeGreaterThanOrEqual(salesSent - 10);
    expect([...seen.keys()].sort()).toEqual(['mashang/v1/scales/SIM-L-1/tx', 'mashang/v1/scales/SIM-L-2/tx']);
  });

  it('publishes under a chosen prefix instead, and nothing under the protocol topics', async () => {
    const { seen, sent } = await run('bench/raw/t/');
    expect(sent).toBeGreaterThan(0);
    expect([...seen.keys()].sort()).toEqual(['bench/raw/t/SIM-L-1/tx', 'bench/raw/t/SIM-L-2/tx']);
    expect([...seen.values()].reduce((a, b) => a + b, 0)).toBe(sent);
  });

  it('keeps nothing it sent when told nobody will ack (the broker-only benchmark)', async () => {
    const { sent, salesSent, unacked } = await run('bench/raw/t/', false);
    expect(sent).toBeGreaterThan(0);
    expect(salesSent).toBeGreaterThan(0);
    // At most what was made since the last flush.
    expect(unacked).toBeLessThan(10);
  });
});
