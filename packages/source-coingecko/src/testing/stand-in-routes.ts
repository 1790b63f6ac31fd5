import { globalData, n, ohlcRows, quote, type StandInCoin, tickerRows } from './stand-in-data';

export interface Reply {
  status: number;
  body: unknown;
}

export interface RouteContext {
  coins: ReadonlyMap<string, StandInCoin>;
  now: number;
  updateMs: number;
}

const list = (v: string | null) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
const bad = (error: string): Reply => ({ status: 400, body: { error } });
const notFound: Reply = { status: 404, body: { error: 'coin not found' } };
const iso = (ms: number) => new Date(ms).toISOString();

/** CoinGecko v3 routes, answered with the real response shapes. */
export function route(path: string, q: URLSearchParams, ctx: RouteContext): Reply {
  if (path === '/ping') return { status: 200, body: { gecko_says: '(V3) To the Moon!' } };
  if (path === '/simple/price') return simplePrice(q, ctx);
  if (path === '/coins/markets') return markets(q, ctx);
  if (path === '/global') return { status: 200, body: { data: globalData(ctx.now) } };
  const m = /^\/coins\/([^/]+)\/(ohlc|tickers)$/.exec(path);
  if (m) {
    const coin = ctx.coins.get(decodeURIComponent(m[1]!));
    if (!coin) return notFound;
    return m[2] === 'ohlc' ? ohlc(coin, q, ctx) : tickers(coin, q, ctx);
  }
  return {
    status: 404,
    body: { error: 'Incorrect path. Please check https://www.coingecko.com/api/documentation' },
  };
}

function simplePrice(q: URLSearchParams, ctx: RouteContext): Reply {
  const currencies = list(q.get('vs_currencies'));
  if (currencies.length === 0) return bad('Missing parameter vs_currencies');
  const flag = (name: string) => q.get(name) === 'true';
  const body: Record<string, Record<string, unknown>> = {};
  for (const id of list(q.get('ids'))) {
    const coin = ctx.coins.get(id);
    if (!coin) continue; // unknown ids are left out, no error
    const row: Record<string, unknown> = {};
    let updatedAt = 0;
    for (const cur of currencies) {
      const qt = quote(coin, cur, ctx.now, ctx.updateMs);
      if (!qt) continue; // an unsupported currency is simply absent
      updatedAt = qt.updatedAt;
      row[cur] = n(qt.price);
      if (flag('include_market_cap'))
        row[`${cur}_market_cap`] = qt.marketCap === null ? null : n(qt.marketCap);
      if (flag('include_24hr_vol')) row[`${cur}_24h_vol`] = n(qt.volume);
      if (flag('include_24hr_change'))
        row[`${cur}_24h_change`] = qt.change24h === null ? null : n(qt.change24h);
    }
    if (flag('include_last_updated_at') && updatedAt) row.last_updated_at = Math.floor(updatedAt / 1000);
    body[id] = row;
  }
  return { status: 200, body };
}

function markets(q: URLSearchParams, ctx: RouteContext): Reply {
  const cur = q.get('vs_currency');
  if (!cur) return bad('Missing parameter vs_currency');
  if (!quote(ctx.coins.values().next().value!, cur, ctx.now, ctx.updateMs)) return bad('invalid vs_currency');
  const perPage = Math.min(250, Math.max(1, Number(q.get('per_page') ?? 100) || 100));
  const page = Math.max(1, Number(q.get('page') ?? 1) || 1);
  const ids = list(q.get('ids'));
  let coins = ids.length ? ids.flatMap((id) => ctx.coins.get(id) ?? []) : [...ctx.coins.values()];
  const order = q.get('order') ?? 'market_cap_desc';
  const cap = (c: StandInCoin) => (c.marketCap === null ? -1 : Number(c.marketCap));
  coins = [...coins].sort((a, b) =>
    order === 'id_asc'
      ? a.id.localeCompare(b.id)
      : order === 'id_desc'
        ? b.id.localeCompare(a.id)
        : order === 'market_cap_asc'
          ? cap(a) - cap(b)
          : cap(b) - cap(a),
  );
  const rank = new Map([...ctx.coins.values()].sort((a, b) => cap(b) - cap(a)).map((c, i) => [c.id, i + 1]));
  const rows = coins.slice((page - 1) * perPage, page * perPage).map((c) => {
    const qt = quote(c, cur, ctx.now, ctx.updateMs)!;
    const noCap = qt.marketCap === null;
    return {
      id: c.id,
      symbol: c.symbol,
      name: c.name,
      image: `https://coin-images.coingecko.com/coins/images/1/large/${c.id}.png`,
      current_price: n(qt.price),
      market_cap: noCap ? 0 : n(qt.marketCap!),
      market_cap_rank: noCap ? null : rank.get(c.id),
      fully_diluted_valuation: noCap ? null : n(qt.marketCap!),
      total_volume: n(qt.volume),
      high_24h: n(qt.price),
      low_24h: n(qt.price),
      price_change_24h: qt.change24h === null ? null : n('0.5'),
      price_change_percentage_24h: qt.change24h === null ? null : n(qt.change24h),
      market_cap_change_24h: null,
      market_cap_change_percentage_24h: null,
      circulating_supply: noCap ? null : n('19700000'),
      total_supply: n('21000000'),
      max_supply: null,
      ath: n(qt.price),
      ath_change_percentage: n('0'),
      ath_date: '2024-03-14T07:10:36.635Z',
      atl: n(qt.price),
      atl_change_percentage: n('0'),
      atl_date: '2013-07-06T00:00:00.000Z',
      roi: null,
      last_updated: iso(qt.updatedAt),
    };
  });
  return { status: 200, body: rows };
}

function ohlc(coin: StandInCoin, q: URLSearchParams, ctx: RouteContext): Reply {
  const daysParam = q.get('days');
  const days = daysParam === 'max' ? 4000 : Number(daysParam);
  if (!daysParam || !(days > 0)) return bad('invalid days');
  const rows = ohlcRows(coin, q.get('vs_currency') ?? '', days, ctx.now);
  if (!rows) return bad('invalid vs_currency');
  return { status: 200, body: rows.map(([t, ...ohlc]) => [t, ...ohlc.map(n)]) };
}

function tickers(coin: StandInCoin, q: URLSearchParams, ctx: RouteContext): Reply {
  const exchanges = list(q.get('exchange_ids'));
  const page = Number(q.get('page') ?? 1) || 1;
  const rows =
    page > 1
      ? []
      : tickerRows(coin, ctx.now, ctx.updateMs).filter(
          (t) => !exchanges.length || exchanges.includes(t.market.identifier),
        );
  return { status: 200, body: { name: coin.name, tickers: rows } };
}
