import { parseRecord } from '@qi/core';
import { sampleLevel1, samplePrice } from '@qi/core/testkit';
import { covers } from '../src/client';
import {
  decodeRecord,
  encodeRecord,
  kindFilter,
  messageId,
  recordHeaders,
  subjectFor,
  subjectToken,
} from '../src/encoding';

const parsed = (raw: unknown) => {
  const r = parseRecord(raw);
  if (!r.ok) throw r.error;
  return r.value;
};

describe('encoding', () => {
  it('builds <prefix>.<table>.<instrument key> subjects and per-kind filters', () => {
    expect(subjectFor(parsed(samplePrice(0)), 'qi')).toBe('qi.prices.bitcoin.aggregate.usd');
    expect(subjectFor(parsed(sampleLevel1(1)), 'md.eu')).toBe('md.eu.level1.kraken.BTC.USDT');
    expect(kindFilter('analytics', 'qi')).toBe('qi.market_analytics.>');
  });

  it('turns characters NATS reserves in subjects into "_"', () => {
    expect(subjectToken('usd.e')).toBe('usd_e');
    expect(subjectToken('a b*c>d')).toBe('a_b_c_d');
    expect(subjectToken('')).toBe('_');
    expect(subjectFor(parsed(samplePrice(0, { coin_id: 'bridged.usdc', exchange: 'gate io' })), 'qi')).toBe(
      'qi.prices.bridged_usdc.gate_io.usd',
    );
  });

  it('ids a message by kind and full natural key, time included', () => {
    const a = parsed(samplePrice(0));
    expect(messageId(a)).toBe('price:bitcoin|aggregate|usd|2026-01-01T00:00:00.000Z');
    expect(messageId(parsed(samplePrice(6)))).not.toBe(messageId(a));
    expect(recordHeaders(a)).toMatchObject({
      'Qi-Kind': 'price',
      'Qi-Schema-Version': '1',
      'Content-Type': 'application/json',
    });
  });

  it('round-trips a record with every digit of its decimals', () => {
    const r = parsed(samplePrice(3, { price: '0.000000000001', market_cap: '999999999999999.999999999999' }));
    expect(decodeRecord(encodeRecord(r))).toEqual(r);
  });

  it('knows which stream subjects cover the ones it writes', () => {
    expect(covers('qi.>', 'qi.>')).toBe(true);
    expect(covers('>', 'qi.>')).toBe(true);
    expect(covers('qi.*', 'qi.>')).toBe(false);
    expect(covers('qi.prices.>', 'qi.>')).toBe(false);
    expect(covers('other.>', 'qi.>')).toBe(false);
    expect(covers('qi.*.x', 'qi.a.x')).toBe(true);
  });
});
