/**
 * Contract and address of a PDL (docs/enedis-api.md §7): `customers_upc/v5/usage_points/contracts` and
 * `customers_upa/v5/usage_points/addresses` through the proxy, validated, and cached in the state
 * store so that they cost one call each until the user asks for a refresh.
 *
 * Whether the proxy's Enedis subscription covers these routes is unconfirmed (docs/enedis-api.md §10): a
 * refusal (403/404) is an outcome, not an error, and callers fall back to the user's own windows.
 */
import { z } from 'zod';
import { JeelinkyError, ProtocolError, TemporaryError } from '../errors.js';
import type { StateStore } from '../store/state.js';
import { commonProxyFailure, proxyError } from './auth.js';
import { notJsonError, retryIn, type RawAnswer } from './http.js';
import type { LinkySession } from './session.js';

export const CUSTOMER_PATHS = {
  contract: '/data/proxy/customers_upc/v5/usage_points/contracts',
  addresses: '/data/proxy/customers_upa/v5/usage_points/addresses',
} as const;
export type CustomerResource = keyof typeof CUSTOMER_PATHS;

const str = z.union([z.string(), z.number()]).transform((v) => String(v));
const optStr = str.nullish().transform((v) => v ?? undefined);

const contractsSchema = z
  .object({
    segment: optStr,
    subscribed_power: optStr,
    last_activation_date: optStr,
    distribution_tariff: optStr,
    offpeak_hours: optStr,
    contract_type: optStr,
    contract_status: optStr,
    last_distribution_tariff_change_date: optStr,
  })
  .passthrough();

const addressSchema = z
  .object({
    street: optStr,
    locality: optStr,
    postal_code: optStr,
    insee_code: optStr,
    city: optStr,
    country: optStr,
    geo_points: z.object({ latitude: optStr, longitude: optStr, altitude: optStr }).partial().nullish(),
  })
  .passthrough();

const usagePointSchema = z
  .object({
    usage_point_id: str,
    usage_point_status: optStr,
    meter_type: optStr,
    // v3 put the contracts inside usage_point; v5 beside it.
    contracts: contractsSchema.optional(),
    usage_point_addresses: addressSchema.optional(),
    usage_point_address: addressSchema.optional(),
  })
  .passthrough();

const itemSchema = z.object({ usage_point: usagePointSchema, contracts: contractsSchema.optional() }).passthrough();
const customerSchema = z.object({ customer_id: optStr, usage_points: z.array(itemSchema) }).passthrough();
/** v5 `{customer:{…}}`; v3 `[{customer:{…}}]`; a bare customer object is accepted too [inf]. */
const bodySchema = z.union([
  z.object({ customer: customerSchema }).transform((b) => [b.customer]),
  z.array(z.object({ customer: customerSchema })).transform((a) => a.map((b) => b.customer)),
  customerSchema.transform((c) => [c]),
]);

/** What jeelinky keeps of a contract. */
export const contractSchema = z.object({
  usagePoint: z.string(),
  /** Subscribed power in kVA ("9 kVA" → 9), when given. */
  subscribedPowerKva: z.number().optional(),
  /** TURPE option, e.g. BTINFMUDT (peak/off-peak), BTINFMUST (base). */
  distributionTariff: z.string().optional(),
  /** As Enedis writes it, e.g. "HC (22H00-6H00)"; parsed by plugin/tariff/offpeak.ts. */
  offpeakHours: z.string().optional(),
  lastActivationDate: z.string().optional(),
  lastTariffChangeDate: z.string().optional(),
  segment: z.string().optional(),
  contractStatus: z.string().optional(),
  contractType: z.string().optional(),
  usagePointStatus: z.string().optional(),
  meterType: z.string().optional(),
  fetchedAt: z.string(),
});
export type Contract = z.infer<typeof contractSchema>;

export const addressRecordSchema = z.object({
  usagePoint: z.string(),
  street: z.string().optional(),
  locality: z.string().optional(),
  postalCode: z.string().optional(),
  inseeCode: z.string().optional(),
  city: z.string().optional(),
  country: z.string().optional(),
  latitude: z.string().optional(),
  longitude: z.string().optional(),
  altitude: z.string().optional(),
  fetchedAt: z.string(),
});
export type AddressRecord = z.infer<typeof addressRecordSchema>;

/** What one customers call gave. */
export type CustomerOutcome<T> =
  | { kind: 'data'; value: T }
  /** The proxy or Enedis refuses this route for this PDL (403/404): fall back to the user's settings. */
  | { kind: 'refused'; status: number; detail: string }
  | { kind: 'access_token_rejected' };

const dayOf = (v: string | undefined) => (v && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : undefined);

function pickItem(body: unknown, usagePoint: string, what: string): z.infer<typeof itemSchema> {
  const parsed = bodySchema.safeParse(body);
  if (!parsed.success) {
    throw new ProtocolError(
      `${what}: the answer does not have the documented shape (customer.usage_points[]); run again later`,
      'unexpected_answer',
      retryIn(3600),
    );
  }
  const items = parsed.data.flatMap((c) => c.usage_points);
  const item = items.find((i) => i.usage_point.usage_point_id === usagePoint) ?? (items.length === 1 ? items[0] : undefined);
  if (!item) {
    throw new ProtocolError(
      `${what}: the answer lists no usage point …${usagePoint.slice(-4)}; run again later`,
      'unexpected_answer',
      retryIn(3600),
    );
  }
  return item;
}

export function parseContract(body: unknown, usagePoint: string, fetchedAt: Date): Contract {
  const item = pickItem(body, usagePoint, 'contract');
  const c = item.contracts ?? item.usage_point.contracts;
  if (!c) throw new ProtocolError('contract: the answer has no "contracts" object; run again later', 'unexpected_answer', retryIn(3600));
  const power = c.subscribed_power ? Number(/([\d.,]+)/.exec(c.subscribed_power)?.[1]?.replace(',', '.')) : NaN;
  return {
    usagePoint,
    subscribedPowerKva: Number.isFinite(power) ? power : undefined,
    distributionTariff: c.distribution_tariff,
    offpeakHours: c.offpeak_hours?.trim() || undefined,
    lastActivationDate: dayOf(c.last_activation_date),
    lastTariffChangeDate: dayOf(c.last_distribution_tariff_change_date),
    segment: c.segment,
    contractStatus: c.contract_status,
    contractType: c.contract_type,
    usagePointStatus: item.usage_point.usage_point_status,
    meterType: item.usage_point.meter_type,
    fetchedAt: fetchedAt.toISOString(),
  };
}

export function parseAddress(body: unknown, usagePoint: string, fetchedAt: Date): AddressRecord {
  const item = pickItem(body, usagePoint, 'address');
  const a = item.usage_point.usage_point_addresses ?? item.usage_point.usage_point_address;
  if (!a)
    throw new ProtocolError(
      'address: the answer has no "usage_point_addresses" object; run again later',
      'unexpected_answer',
      retryIn(3600),
    );
  return {
    usagePoint,
    street: a.street,
    locality: a.locality,
    postalCode: a.postal_code,
    inseeCode: a.insee_code,
    city: a.city,
    country: a.country,
    latitude: a.geo_points?.latitude,
    longitude: a.geo_points?.longitude,
    altitude: a.geo_points?.altitude,
    fetchedAt: fetchedAt.toISOString(),
  };
}

/** Classifies a customers answer: data, a refusal to fall back from, or a typed error. */
export function classifyCustomerAnswer<T>(answer: RawAnswer, resource: CustomerResource, parse: (body: unknown) => T): CustomerOutcome<T> {
  const what = resource === 'contract' ? 'contract' : 'address';
  if (answer.format !== 'json') {
    if (answer.status === 403 || answer.status === 404) return { kind: 'refused', status: answer.status, detail: `HTTP ${answer.status}` };
    if (answer.status >= 500 || answer.status === 429) {
      throw new TemporaryError(
        `${what}: Enedis or the proxy answered HTTP ${answer.status}; run again later`,
        'enedis_unavailable',
        retryIn(3600),
      );
    }
    throw notJsonError(answer, what);
  }
  const err = proxyError(answer);
  if (!err && answer.status === 200) return { kind: 'data', value: parse(answer.body) };
  if (err) {
    const d = err.description;
    if (
      (err.error === 'Unauthorized' || err.error === 'invalid_token') &&
      (/access token not found|timed out|expired/i.test(d) || err.error === 'invalid_token')
    ) {
      return { kind: 'access_token_rejected' };
    }
    if (err.error === '429' || answer.status === 429) {
      const q4 = /Q4/i.test(d);
      throw new TemporaryError(
        `${what}: Enedis quota ${q4 ? 'Q4' : 'Q3'} reached; run again later`,
        q4 ? 'enedis_quota_hour' : 'enedis_quota_second',
        retryIn(q4 ? 3600 : 300),
      );
    }
    // Errors with HTTP 200 (pre-2024 proxy) carry the refusal in the body only.
    if (
      answer.status === 403 ||
      answer.status === 404 ||
      /ADAM-DC|STM-ERR|not.?found|forbidden|bad access token/i.test(`${err.error} ${d}`)
    ) {
      return { kind: 'refused', status: answer.status, detail: `${err.error}${d ? `: ${d}` : ''}` };
    }
    if (answer.status >= 500 || /technical|unavailable/i.test(d)) {
      throw new TemporaryError(`${what}: ${err.error}${d ? `: ${d}` : ''}; run again later`, 'enedis_unavailable', retryIn(3600));
    }
    throw commonProxyFailure(answer, what);
  }
  if (answer.status === 403 || answer.status === 404) return { kind: 'refused', status: answer.status, detail: `HTTP ${answer.status}` };
  throw commonProxyFailure(answer, what);
}

const cacheKey = (resource: CustomerResource, usagePoint: string) => `customer:${resource}:${usagePoint}`;
const refusalSchema = z.object({ status: z.number(), detail: z.string(), at: z.string() });
export type Refusal = z.infer<typeof refusalSchema>;

/** The cached contract/address of a PDL, and the last refusal (so that a refused route is not asked every run). */
export class CustomerCache {
  constructor(private readonly store: StateStore) {}

  contract(usagePoint: string): Promise<Contract | undefined> {
    return this.store.read(cacheKey('contract', usagePoint), contractSchema);
  }
  address(usagePoint: string): Promise<AddressRecord | undefined> {
    return this.store.read(cacheKey('addresses', usagePoint), addressRecordSchema);
  }
  refusal(resource: CustomerResource, usagePoint: string): Promise<Refusal | undefined> {
    return this.store.read(`${cacheKey(resource, usagePoint)}:refused`, refusalSchema);
  }
  async save(resource: CustomerResource, usagePoint: string, value: Contract | AddressRecord): Promise<void> {
    await this.store.write(cacheKey(resource, usagePoint), value);
    await this.store.remove(`${cacheKey(resource, usagePoint)}:refused`);
  }
  saveRefusal(resource: CustomerResource, usagePoint: string, refusal: Refusal): Promise<void> {
    return this.store.write(`${cacheKey(resource, usagePoint)}:refused`, refusal);
  }
}

export interface CustomerFetchResult<T> {
  value?: T;
  /** Where the value came from: the cache, a call made now, or nothing. */
  source: 'cache' | 'api' | 'none';
  /** Set when no value could be had: a one-line reason saying what happens instead. */
  note?: string;
  /** Calls made to the proxy. */
  calls: number;
}

export interface CustomerFetchOptions {
  /** Ask again even when cached (--refresh-contract / --refresh-addresses). */
  refresh?: boolean;
  /** Never call the proxy (cache only). */
  offline?: boolean;
}

/**
 * The cached value, or one call when there is none (or `refresh`). Never throws for what the proxy
 * answers: a refusal, an outage or a quota gives `note` and the cached value if any (a run that
 * only wanted the contract must not fail because of it). Pairing problems are notes too.
 */
export async function loadCustomerResource<T extends Contract | AddressRecord>(
  session: LinkySession,
  resource: CustomerResource,
  usagePoint: string,
  options: CustomerFetchOptions = {},
): Promise<CustomerFetchResult<T>> {
  const cache = new CustomerCache(session.store);
  const cached = (resource === 'contract' ? await cache.contract(usagePoint) : await cache.address(usagePoint)) as T | undefined;
  if (cached && !options.refresh) return { value: cached, source: 'cache', calls: 0 };
  const label = resource === 'contract' ? 'contract' : 'address';
  if (options.offline)
    return { value: cached, source: cached ? 'cache' : 'none', calls: 0, note: cached ? undefined : `no ${label} cached` };
  const refused = await cache.refusal(resource, usagePoint);
  if (refused && !options.refresh) {
    return {
      value: cached,
      source: cached ? 'cache' : 'none',
      calls: 0,
      note: `the proxy refused the ${label} route on ${refused.at.slice(0, 10)} (${refused.detail}); ask again with --refresh-${resource === 'contract' ? 'contract' : 'addresses'}`,
    };
  }
  const now = session.now();
  const parse = (body: unknown) =>
    (resource === 'contract' ? parseContract(body, usagePoint, now) : parseAddress(body, usagePoint, now)) as T;
  let outcome: CustomerOutcome<T>;
  try {
    outcome = await session.authorizedGet(CUSTOMER_PATHS[resource], { usage_point_id: usagePoint }, (a) =>
      classifyCustomerAnswer(a, resource, parse),
    );
  } catch (e) {
    if (!(e instanceof JeelinkyError)) throw e;
    return { value: cached, source: cached ? 'cache' : 'none', calls: 1, note: `${label} not fetched: ${e.message}` };
  }
  if (outcome.kind === 'refused') {
    await cache.saveRefusal(resource, usagePoint, { status: outcome.status, detail: outcome.detail, at: now.toISOString() });
    return {
      value: cached,
      source: cached ? 'cache' : 'none',
      calls: 1,
      note: `the proxy does not serve the ${label} route for this PDL (${outcome.detail})`,
    };
  }
  if (outcome.kind !== 'data') throw new Error('unreachable: token rejection is handled by authorizedGet');
  await cache.save(resource, usagePoint, outcome.value);
  return { value: outcome.value, source: 'api', calls: 1 };
}
