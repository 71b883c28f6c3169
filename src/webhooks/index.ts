// Public surface of webhooks: queueing events inside the transaction that makes them true,
// the delivery loop that signs and sends them after COMMIT, and the API's view of both.
export { Deliverer, type DelivererDeps } from './deliverer.js';
export {
  enqueueEvent,
  type EventToQueue,
  pruneDeliveries,
  withoutWebhookTargets,
} from './delivery.repo.js';
export { type DeliveryPolicy, nextState, retryDelayMs } from './retry.js';
export { signatureOf } from './signing.js';
export { checkWebhookUrl, WEBHOOK_EVENTS } from './webhook-url.js';
export type { DeliveryView, EndpointView, TryView } from './webhook-view.js';
export { createWebhooks, type NewEndpoint, type Webhooks } from './webhooks.service.js';
