// Orders enriched with their customer and their product, exactly once.
//   orders (key: order id, value: {"id", "customer", "product", "qty"})
//     → selectKey(customer) → repartition (order-enrichment-orders-by-customer-repartition)
//     → leftJoin customers (a KTable: customer id → {"name", "tier"}) — an order from a customer the
//       table does not have goes on with customer: null; a changed customer applies to later orders only
//     → join products (a GlobalKTable: product id → {"name", "price"}), looked up by order.product —
//       an order for a product not in the catalogue is dropped
//     → enriched-orders (key: customer id, value: the order with name, tier, product name, price, total)
import { Serdes, StreamsBuilder } from 'skein';

/** @typedef {{ id: string, customer: string, product: string, qty: number }} Order */
/** @typedef {{ name: string, tier: 'gold' | 'silver' | 'basic' }} Customer */
/** @typedef {{ name: string, price: number }} Product */
/** @typedef {Order & { customerName: string | null, tier: Customer['tier'] | null, productName: string, unitPrice: number, discount: number, total: number }} EnrichedOrder */

/** The discount each tier gets; an unknown customer gets none. */
export const DISCOUNTS = { gold: 0.1, silver: 0.05, basic: 0 };

/** @param {number} x */
const cents = (x) => Math.round(x * 100) / 100;

export function buildTopology() {
  const S = Serdes.String();
  const builder = new StreamsBuilder();
  const orders = builder.stream('orders', { keySerde: S, valueSerde: /** @type {import('skein').Serde<Order>} */ (Serdes.Json()) });
  const customers = builder.table('customers', { keySerde: S, valueSerde: /** @type {import('skein').Serde<Customer>} */ (Serdes.Json()) });
  const products = builder.globalTable('products', { keySerde: S, valueSerde: /** @type {import('skein').Serde<Product>} */ (Serdes.Json()) });
  orders
    // The table is keyed by customer: re-key the orders by it. The join writes them through a
    // repartition topic (partitioned like customers) first, so each order meets its customer's task.
    .selectKey((_orderId, order) => order.customer)
    .leftJoin(customers, (order, customer) => ({ ...order, customerName: customer?.name ?? null, tier: customer?.tier ?? null }), {
      name: 'orders-by-customer',
      keySerde: S,
      valueSerde: Serdes.Json(),
    })
    // Every instance holds all products: no repartition, any key; the selector names the product.
    .join(
      products,
      (_customerId, order) => order.product,
      (order, product) => {
        const discount = order.tier === null ? 0 : DISCOUNTS[order.tier];
        return { ...order, productName: product.name, unitPrice: product.price, discount, total: cents(order.qty * product.price * (1 - discount)) };
      },
    )
    .to('enriched-orders', { valueSerde: /** @type {import('skein').Serde<EnrichedOrder>} */ (Serdes.Json()) });
  return builder.build();
}

/** @typedef {{ customer: string, value: Customer | null } | { order: Order }} Event */

/**
 * The enriched orders, computed from the input directly, in input order: each order with its
 * customer as of that moment (the last update before it; none if there was none or it was deleted),
 * and its product, if the catalogue has it.
 * @param {Map<string, Product>} catalogue
 * @param {Event[]} events
 * @returns {EnrichedOrder[]}
 */
export function expectedEnrichedOrders(catalogue, events) {
  /** @type {Map<string, Customer>} */
  const customers = new Map();
  /** @type {EnrichedOrder[]} */
  const out = [];
  for (const e of events) {
    if ('customer' in e) {
      if (e.value === null) customers.delete(e.customer);
      else customers.set(e.customer, e.value);
      continue;
    }
    const o = e.order;
    const product = catalogue.get(o.product);
    if (product === undefined) continue;
    const c = customers.get(o.customer);
    const discount = c === undefined ? 0 : { gold: 0.1, silver: 0.05, basic: 0 }[c.tier];
    out.push({
      ...o,
      customerName: c?.name ?? null,
      tier: c?.tier ?? null,
      productName: product.name,
      unitPrice: product.price,
      discount,
      total: Math.round(o.qty * product.price * (1 - discount) * 100) / 100,
    });
  }
  return out;
}
