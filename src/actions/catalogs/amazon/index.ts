// The Amazon catalog: public product pages and search, and the customer's own order history.
import { defineCatalog } from '../../define.js';
import { AMAZON_ORIGIN } from './amazon-values.js';
import { amazonLogin, amazonLoginFields } from './amz-login.js';
import { amazonProbe } from './amz-probe.js';
import { amzOrderHistory } from './amz-order-history.js';
import { amzProduct } from './amz-product.js';
import { amzSearch } from './amz-search.js';

/** amazon.com, optionally with a `browser_state` credential holding the customer's session. */
export const amazonCatalog = defineCatalog({
  slug: 'amazon',
  name: 'Amazon',
  url: AMAZON_ORIGIN,
  domain: 'amazon.com',
  category: 'shopping',
  description:
    'Read amazon.com product pages and search results, and your own order history. Connect by signing in (Two-Step Verification supported) or by exporting your signed-in browser session.',
  logoUrl: '/static/logos/amazon.svg',
  authTypes: ['browser_state'],
  loginUrl: 'https://www.amazon.com/ap/signin',
  loginFields: amazonLoginFields,
  login: amazonLogin,
  probe: amazonProbe,
  actions: [amzProduct, amzSearch, amzOrderHistory],
});

export { amzOrderHistory, amzProduct, amzSearch };
