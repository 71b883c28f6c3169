// Public surface of metrics: the Prometheus registry and its observers.
export { createMetrics, type Metrics } from './metrics.service.js';
export { listenForMetrics, type MetricsListener } from './metrics-listener.js';
