// Card transactions grouped into sessions of activity (a session ends after 5 minutes without a
// transaction on the card); when a session closes with more than LIMIT spent, one alert, exactly once.
//   card-transactions (key: card, value: {"amount": 42}) → session windows, gap 5 min, grace 30 s
//     → aggregate {count, total} → suppress until the session closes → total > LIMIT → fraud-alerts
import { Serdes, SessionWindows, StreamsBuilder, Suppressed, BufferConfig } from 'skein';

export const GAP_MS = 5 * 60_000;
export const GRACE_MS = 30_000;
export const LIMIT = 1_000;

/** @typedef {{ card: string, amount: number, time: number }} Transaction */
/** @typedef {{ start: number, end: number, count: number, total: number }} CardSession */

export function buildTopology() {
  const builder = new StreamsBuilder();
  builder
    .stream('card-transactions', { keySerde: Serdes.String(), valueSerde: /** @type {import('skein').Serde<{ amount: number }>} */ (Serdes.Json()) })
    .groupByKey()
    .windowedBy(SessionWindows.ofInactivityGapAndGrace(GAP_MS, GRACE_MS))
    .aggregate(
      () => ({ count: 0, total: 0 }),
      (_card, tx, s) => ({ count: s.count + 1, total: s.total + tx.amount }),
      (_card, a, b) => ({ count: a.count + b.count, total: a.total + b.total }),
      { storeName: 'card-sessions', valueSerde: Serdes.Json() },
    )
    .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
    .toStream()
    .filter((_session, s) => s !== null && s.total > LIMIT)
    .map((session, s) => ({
      key: session.key,
      value: { card: session.key, from: new Date(session.window.start).toISOString(), to: new Date(session.window.end).toISOString(), ...s },
    }))
    .to('fraud-alerts', { keySerde: Serdes.String(), valueSerde: Serdes.Json() });
  return builder.build();
}

/**
 * The alerts, computed from the transactions directly: sessions per card, closed by the last transaction's time.
 * @param {Transaction[]} transactions
 * @returns {({ card: string } & CardSession)[]}
 */
export function expectedAlerts(transactions) {
  let streamTime = -1;
  /** @type {Map<string, CardSession[]>} */
  const sessions = new Map();
  for (const t of transactions) {
    streamTime = Math.max(streamTime, t.time);
    const list = sessions.get(t.card) ?? [];
    const near = list.filter((s) => s.end >= t.time - GAP_MS && s.start <= t.time + GAP_MS);
    const merged = near.reduce(
      (m, s) => ({ start: Math.min(m.start, s.start), end: Math.max(m.end, s.end), count: m.count + s.count, total: m.total + s.total }),
      { start: t.time, end: t.time, count: 0, total: 0 },
    );
    if (merged.end + GRACE_MS <= streamTime) continue; // too late: its session has closed
    merged.count += 1;
    merged.total += t.amount;
    sessions.set(t.card, [...list.filter((s) => !near.includes(s)), merged]);
  }
  const alerts = [];
  // A session is final once no record can join it any more: gap + grace after its end.
  for (const [card, list] of sessions) for (const s of list) if (s.end + GAP_MS + GRACE_MS <= streamTime && s.total > LIMIT) alerts.push({ card, ...s });
  return alerts;
}
