/**
 * Why the PostgreSQL store serialises each namespace with a transaction-scoped advisory lock inside one
 * function call, rather than SERIALIZABLE transactions with retries: the same reservation (count the
 * window, insert if below the limit) both ways, on a private PostgreSQL.
 *
 * - advisory: `SELECT reserve(...)`, a plpgsql function that takes `pg_advisory_xact_lock` on the
 *   namespace, counts and inserts: one round trip, never retried;
 * - serializable: BEGIN ISOLATION LEVEL SERIALIZABLE; count; insert; COMMIT, retried on 40001/40P01
 *   (four round trips, plus every retry).
 *
 * Measured: 50 reservers racing on one namespace (limit 30) from 4 pools, per round: wall time and
 * retries, and that exactly 30 were granted; and one reserver alone (no contention): time per
 * reservation. Run: node bench/postgres-exclusion.ts
 */
import pg from 'pg';
import { startBenchPostgres } from './postgres-bench-support.ts';
import { percentile } from './redis-bench-support.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const RACERS = 50;
const LIMIT = 30;
const POOLS = 4;
const ALONE = Number(process.env.BENCH_ALONE ?? 500);

const SETUP = `
CREATE TABLE entries (ns text NOT NULL, id text NOT NULL, at bigint NOT NULL, PRIMARY KEY (ns, id));
CREATE FUNCTION reserve(p_ns text, p_id text, p_limit integer) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE v_used integer;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(p_ns, 0));
  SELECT count(*) INTO v_used FROM entries WHERE ns = p_ns;
  IF v_used >= p_limit THEN RETURN false; END IF;
  INSERT INTO entries VALUES (p_ns, p_id, 0);
  RETURN true;
END $$`;

type Reserve = (pool: pg.Pool, ns: string, id: string) => Promise<{ granted: boolean; retries: number }>;

const advisory: Reserve = async (pool, ns, id) => {
  const { rows } = await pool.query('SELECT reserve($1, $2, $3) AS granted', [ns, id, LIMIT]);
  return { granted: rows[0].granted === true, retries: 0 };
};

const serializable: Reserve = async (pool, ns, id) => {
  for (let retries = 0; ; retries++) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      const { rows } = await client.query('SELECT count(*)::int AS used FROM entries WHERE ns = $1', [ns]);
      const granted = rows[0].used < LIMIT;
      if (granted) await client.query('INSERT INTO entries VALUES ($1, $2, 0)', [ns, id]);
      await client.query('COMMIT');
      return { granted, retries };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      const code = (error as { code?: string }).code;
      if (code !== '40001' && code !== '40P01') throw error;
    } finally {
      client.release();
    }
  }
};

async function race(pools: pg.Pool[], reserve: Reserve): Promise<{ ms: number; retries: number }> {
  const ns = `race-${crypto.randomUUID()}`;
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: RACERS }, (_, index) => reserve(pools[index % pools.length]!, ns, `r${index}`)),
  );
  const ms = performance.now() - started;
  const granted = results.filter((result) => result.granted).length;
  if (granted !== LIMIT) throw new Error(`granted ${granted}, expected ${LIMIT}`);
  return { ms, retries: results.reduce((sum, result) => sum + result.retries, 0) };
}

async function alone(pool: pg.Pool, reserve: Reserve): Promise<number> {
  const started = performance.now();
  for (let index = 0; index < ALONE; index++) await reserve(pool, `alone-${crypto.randomUUID()}`, 'a');
  return (performance.now() - started) / ALONE;
}

export async function runPostgresExclusionBench() {
  const server = await startBenchPostgres();
  const pools = Array.from({ length: POOLS }, () => new pg.Pool({ connectionString: server.url, max: 13 }));
  try {
    await pools[0]!.query(SETUP);
    const samples = { advisory: [] as number[], serializable: [] as number[] };
    const retries = { advisory: 0, serializable: 0 };
    await race(pools, advisory);
    await race(pools, serializable);
    for (let index = 0; index < ROUNDS; index++) {
      const order =
        index % 2 === 0 ? (['advisory', 'serializable'] as const) : (['serializable', 'advisory'] as const);
      for (const mode of order) {
        const result = await race(pools, mode === 'advisory' ? advisory : serializable);
        samples[mode].push(result.ms);
        retries[mode] += result.retries;
      }
    }
    const aloneAdvisory = await alone(pools[0]!, advisory);
    const aloneSerializable = await alone(pools[0]!, serializable);
    return { samples, retries, aloneAdvisory, aloneSerializable };
  } finally {
    await Promise.all(pools.map((pool) => pool.end()));
    await server.destroy();
  }
}

if (import.meta.main) {
  const { samples, retries, aloneAdvisory, aloneSerializable } = await runPostgresExclusionBench();
  const line = (name: 'advisory' | 'serializable') =>
    `  ${name.padEnd(12)} race p50 ${percentile(samples[name], 50).toFixed(1).padStart(7)} ms  p99 ${percentile(samples[name], 99).toFixed(1).padStart(7)} ms  retries per race ${(retries[name] / ROUNDS).toFixed(1)}`;
  console.log(
    `postgres-exclusion: ${ROUNDS} races of ${RACERS} reservers on one namespace (limit ${LIMIT}, ${POOLS} pools); exactly ${LIMIT} granted every time`,
  );
  console.log(line('advisory'));
  console.log(line('serializable'));
  console.log(
    `  ratio serializable / advisory: race p50 ${(percentile(samples.serializable, 50) / percentile(samples.advisory, 50)).toFixed(1)}x`,
  );
  console.log(
    `  alone (no contention): advisory ${aloneAdvisory.toFixed(2)} ms, serializable ${aloneSerializable.toFixed(2)} ms per reservation (${(aloneSerializable / aloneAdvisory).toFixed(1)}x)`,
  );
}
