import { z } from 'zod';
import { amount, decimal, integer, kindOf, nullable, text, timestamp } from './fields';

/**
 * The DSL: four record kinds. Field names are snake_case because the same name
 * is the JSON key on the wire, the column in SQL and the Avro field: one name,
 * no mapping layer to drift.
 */
const lineage = {
  source: text('where the record came from, e.g. "coingecko"'),
  attribution: text('attribution text the data provider requires, e.g. "Data provided by CoinGecko"'),
};

export const priceSchema = z.object({
  kind: kindOf('price'),
  coin_id: text('provider coin id, e.g. "bitcoin"'),
  symbol: text('ticker symbol, e.g. "btc"'),
  exchange: text('exchange id, or "aggregate" for a cross-exchange price').default('aggregate'),
  vs_currency: text('quote currency, e.g. "usd"').default('usd'),
  price: amount('last price in vs_currency'),
  market_cap: nullable(amount('market capitalisation in vs_currency')),
  volume_24h: nullable(amount('24h traded volume in vs_currency')),
  change_24h_pct: nullable(decimal('24h price change, percent')),
  ts: timestamp('when the provider last updated this price'),
  ...lineage,
});

export const ohlcvSchema = z.object({
  kind: kindOf('ohlcv'),
  coin_id: text('provider coin id'),
  exchange: text('exchange id, or "aggregate"').default('aggregate'),
  vs_currency: text('quote currency').default('usd'),
  interval: text('candle length, e.g. "30m", "4h", "1d"'),
  ts: timestamp('candle open time'),
  open: amount('open price'),
  high: amount('high price'),
  low: amount('low price'),
  close: amount('close price'),
  volume: nullable(amount('volume in the base asset, when the provider gives it')),
  ...lineage,
});

export const analyticsSchema = z.object({
  kind: kindOf('analytics'),
  vs_currency: text('currency of the totals').default('usd'),
  total_market_cap: amount('total crypto market capitalisation'),
  total_volume: amount('total 24h volume'),
  btc_dominance_pct: nullable(decimal('bitcoin share of total market cap, percent')),
  eth_dominance_pct: nullable(decimal('ether share of total market cap, percent')),
  market_cap_change_24h_pct: nullable(decimal('24h change of total market cap, percent')),
  active_cryptocurrencies: nullable(integer('number of active cryptocurrencies')),
  markets: nullable(integer('number of markets (exchanges)')),
  ts: timestamp('when the provider computed these figures'),
  ...lineage,
});

export const level1Schema = z.object({
  kind: kindOf('level1'),
  exchange: text('exchange id'),
  base: text('base asset, e.g. "BTC"'),
  quote: text('quote asset, e.g. "USDT"'),
  coin_id: nullable(text('provider coin id of the base asset')),
  bid: nullable(amount('best bid price')),
  ask: nullable(amount('best ask price')),
  bid_size: nullable(amount('size at the best bid')),
  ask_size: nullable(amount('size at the best ask')),
  last: nullable(amount('last traded price')),
  spread_pct: nullable(decimal('bid/ask spread, percent')),
  volume_24h: nullable(amount('24h volume in the base asset')),
  ts: timestamp('quote time'),
  ...lineage,
});

export type PriceRecord = z.output<typeof priceSchema>;
export type OhlcvRecord = z.output<typeof ohlcvSchema>;
export type AnalyticsRecord = z.output<typeof analyticsSchema>;
export type Level1Record = z.output<typeof level1Schema>;
export type PriceInput = z.input<typeof priceSchema>;
export type OhlcvInput = z.input<typeof ohlcvSchema>;
export type AnalyticsInput = z.input<typeof analyticsSchema>;
export type Level1Input = z.input<typeof level1Schema>;

export type MarketRecord = PriceRecord | OhlcvRecord | AnalyticsRecord | Level1Record;
export type RecordKind = MarketRecord['kind'];
export type RecordOfKind<K extends RecordKind> = Extract<MarketRecord, { kind: K }>;
