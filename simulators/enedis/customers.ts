/**
 * The customer routes' bodies (contract, address, identity, contact) of a simulated meter: fixed
 * example data, the contract's fields from the meter's settings, a customer id drawn from its PDL.
 */
import moment from 'moment-timezone';
import { rand01 } from './profile.js';
import type { CUSTOMER_ROUTES, EnedisSimulator } from './types.js';

export function customerBody(route: keyof typeof CUSTOMER_ROUTES, m: ReturnType<EnedisSimulator['meter']>, tz: string): unknown {
  const customerId = String(1_000_000_000 + Math.floor(rand01(m.usagePoint, 'customer') * 999_999_999));
  const offset = (day: string) => moment.tz(day, 'YYYY-MM-DD', true, tz).format('YYYY-MM-DDZ');
  const usagePoint = { usage_point_id: m.usagePoint, usage_point_status: 'com', meter_type: 'AMM' };
  switch (route) {
    case 'contracts':
      return {
        customer: {
          customer_id: customerId,
          usage_points: [
            {
              usage_point: usagePoint,
              contracts: {
                segment: 'C5',
                subscribed_power: m.subscribedPower,
                last_activation_date: offset(m.activationDate),
                distribution_tariff: m.distributionTariff,
                offpeak_hours: m.offpeakHours,
                contract_type: 'CARD-S',
                contract_status: 'SERVC',
                last_distribution_tariff_change_date: offset(m.activationDate),
              },
            },
          ],
        },
      };
    case 'addresses':
      return {
        customer: {
          customer_id: customerId,
          usage_points: [
            {
              usage_point: {
                ...usagePoint,
                usage_point_addresses: {
                  street: "1 rue de l'Exemple",
                  locality: null,
                  postal_code: '00000',
                  insee_code: '00000',
                  city: 'VILLE-EXEMPLE',
                  country: 'France',
                  geo_points: { latitude: '45.000000', longitude: '3.000000', altitude: '250' },
                },
              },
            },
          ],
        },
      };
    case 'identity':
      return { customer_id: customerId, identity: { natural_person: { title: 'M', firstname: 'Jean', lastname: 'Exemple' } } };
    case 'contact_data':
      return { customer_id: customerId, contact: { phone: '0100000000', email: 'jean.exemple@example.invalid' } };
  }
}
