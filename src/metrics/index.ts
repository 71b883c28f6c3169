// Public surface of metrics: the Prometheus registry and its observers.
export { createMetrics, type Metrics } from './metrics.service.js';
