import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('ingest settings', () => {
  it('asks an external broker for a window of 4000 payloads unless told otherwise', () => {
    expect(loadConfig({}, '/tmp').config.ingest.mqttWindow).toBe(4000);
    expect(loadConfig({ INGEST_MQTT_WINDOW: '65535' }, '/tmp').config.ingest.mqttWindow).toBe(65535);
  });

  it('refuses a window MQTT cannot carry, saying which setting and what range', () => {
    for (const bad of ['0', '19', '65536', '4000.5', 'wide']) {
      let err: unknown;
      try {
        loadConfig({ INGEST_MQTT_WINDOW: bad }, '/tmp');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toEqual([`INGEST_MQTT_WINDOW=${JSON.stringify(bad)}: expected a whole number from 20 to 65535`]);
    }
  });
});
