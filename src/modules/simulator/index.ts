export { createFleet, type Fleet, type FleetOptions, type FleetStats, type FleetLog } from './simulator.fleet.js';
export { startDemoSimulation, localMqttUrl, type DemoSimulation, type DemoSimulationOptions } from './simulator.demo.js';
export { provisionInProcess, provisionOverApi, administratorBy, merchantProducts, signIn, ProvisionError, type ProvisionContext } from './simulator.provision.js';
export { SimulatedScale, type Ack, type Link, type ScaleCounters } from './simulator.scale.js';
export {
  createRng,
  planSale,
  signMessage,
  formatTs,
  batchesOf,
  httpBodyOf,
  payloadOf,
  LatencyHistogram,
  NO_ANOMALIES,
  type AnomalyShares,
  type SimProduct,
  type SimScaleSpec,
  type Signed,
} from './simulator.rules.js';
