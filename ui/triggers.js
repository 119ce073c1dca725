// The event catalogue of the Integrations API (spec §6): what an integration may observe and
// what POST /emulator/v1/events may fire. The server has no route that lists it, so it is kept
// here, in the order a person looks for it: orders first.
const crudResources = [
  'account', 'account-member', 'account-membership', 'address', 'currency', 'customer', 'integration',
  'catalog-release', 'catalog-rule', 'user-authentication-info', 'brand', 'category', 'collection',
  'product', 'subscription-subscriber', 'subscription-product', 'subscription-plan',
  'subscription-offering', 'subscription-job', 'subscription-schedule',
];

const others = [
  'order.created', 'order.updated', 'order.paid', 'order.authorized', 'order.fulfilled',
  'order.cancelled', 'order.refunded',
  'cart.updated', 'cart.deleted', 'file.created', 'file.deleted',
  'one-time-password-token-request.created', 'payment-gateway.updated', 'settings.created',
  'settings.updated', 'stock-transaction.created', 'transaction.created', 'transaction.updated',
  'subscription.created', 'subscription.create-failed', 'subscription.paused', 'subscription.canceled',
  'subscription.pending_cancel', 'subscription.pending_pause', 'subscription.resumed',
  'subscription.closed', 'subscription-invoice.created', 'subscription-invoice.deleted',
];

export const TRIGGERS = [
  ...others,
  ...crudResources.flatMap((r) => ['created', 'updated', 'deleted'].map((a) => `${r}.${a}`)),
];

// Custom flows: <slug>_ext.created|updated|deleted, the slug in lower case, digits, "_" and "-".
export const CUSTOM_TRIGGER = /^[a-z0-9_-]+_ext\.(created|updated|deleted)$/;

export function isTrigger(key) {
  return TRIGGERS.includes(key) || CUSTOM_TRIGGER.test(key);
}

function uuid() {
  return crypto.randomUUID ? crypto.randomUUID() : '00000000-0000-4000-8000-000000000000';
}

// A payload to start editing from: the resource the trigger names, as the store would send it.
export function samplePayload(trigger) {
  const [resource, action] = trigger.split('.');
  const type = resource.endsWith('_ext') ? resource.slice(0, -4) : resource;
  if (action === 'deleted') return { type, id: uuid() };
  if (resource === 'order') {
    return {
      data: {
        type: 'order', id: uuid(), status: trigger === 'order.cancelled' ? 'cancelled' : 'complete',
        payment: 'paid', shipping: trigger === 'order.fulfilled' ? 'fulfilled' : 'unfulfilled',
        customer: { name: 'Ron Swanson', email: 'ron@swanson.com' },
        meta: { display_price: { with_tax: { amount: 10000, currency: 'USD', includes_tax: true } } },
      },
    };
  }
  return { data: { type, id: uuid() } };
}
