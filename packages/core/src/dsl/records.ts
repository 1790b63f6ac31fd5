import { z } from 'zod';
import { decimal, integer, kindOf, nullable, text, timestamp } from './fields';

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
  price: decimal('last price in vs_currency'),
  market_cap: nullable(decimal('market capitalisation in vs_currency')),
  volume_24h: nullable(decimal('24h traded volume in vs_currency')),
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
  open: decimal('open price'),
  high: decimal('high price'),
  low: decimal('low price'),
  close: decimal('close price'),
  volume: nullable(decimal('volume in the base asset, when the provider gives it')),
  ...lineage,
});

export const analyticsSchema = z.object({
  kind: kindOf('analytics'),
  vs_currency: text('currency of the totals').default('usd'),
  total_market_cap: decimal('total crypto market capitalisation'),
  total_volume: decimal('total 24h volume'),
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
  bid: nullable(decimal('best bid price')),
  ask: nullable(decimal('best ask price')),
  bid_size: nullable(decimal('size at the best bid')),
  ask_size: nullable(decimal('size at the best ask')),
  last: nullable(decimal('last traded price')),
  spread_pct: nullable(decimal('bid/ask spread, percent')),
  volume_24h: nullable(decimal('24h volume in the base asset')),
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
