export { loadDemo, type DemoResult } from './demo.service.js';
export { buildDemoData, DEMO_PASSWORD, DEMO_SEED, DEMO_STAFF, DEMO_CITIES, DEMO_MARKETS, type DemoData } from './demo.data.js';
