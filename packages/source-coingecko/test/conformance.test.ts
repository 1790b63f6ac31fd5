import { describeReaderConformance } from '@qi/core/testkit';
import type { StandIn } from '../src/testing/stand-in';
import { readerFor, standIn } from './helpers';

// The reader contract, proven against the stand-in (real HTTP, CoinGecko's shapes, a real clock).
let s: StandIn;
beforeAll(async () => {
  s = await standIn();
});
afterAll(() => s.close());

describeReaderConformance({
  name: '@qi/source-coingecko',
  create: () =>
    readerFor(s, { coins: ['bitcoin', 'ethereum', 'micro-coin', 'no-cap-coin'], level1: { enabled: true } }),
  supports: {
    prices: { coinIds: ['bitcoin', 'ethereum', 'micro-coin', 'mega-coin'] },
    ohlcv: { coinId: 'bitcoin', days: 1 },
    analytics: true,
    level1: { coinId: 'ethereum' },
  },
  // 4 prices + 1 analytics + 2×47 closed candles + 4×3 tickers
  minStreamRecords: 4 + 1 + 94 + 12,
});
