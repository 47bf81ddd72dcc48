#!/usr/bin/env python3
"""DuckDB peer of `motcua bench index`: the QĐ 766 numerators and denominators of issue #7,
computed with SQL from the bench's export of the same index facts.

Usage: duckdb_index.py DIR, where DIR holds
  facts.csv        code,unit,received,closing,due,flags   (instants: ns since the epoch; empty = none)
  supplements.csv  code,requested,until                   (until empty = still waiting)
  queries.json     [{"units": [recorded unit codes] | null (all), "start": ns, "end": ns}, ...]
Prints one JSON object: load_s, query_ns (per query), results (per query, the counters by the
names of motcua's IndexAccumulator).

The definitions, per dossier and period [s, e):
  R = accepted in [s, e); B = accepted before s and not closed before s; D = R + B;
  F = closed in [s, e) with a result (flag bit 1);
  on time (in D): with e_d = the closing if in [s, e) else e, at most one supplement request at or
  before e_d and e_d - pause <= due, pause = sum over those requests of
  max(min(until, e_d) - requested, 0).
"""
import json
import os
import re
import sys
import time

import duckdb

FLAG = {
    "result": 1, "synced": 2, "online": 4, "online_e": 8, "fees": 16, "paid": 32,
    "e_result": 64, "digitised": 128, "reused": 256, "identity": 512, "dissatisfied": 1024,
}

QUERY = """
WITH f AS (
  SELECT code, closing, due, flags,
         (received IS NOT NULL AND received >= $s AND received < $e) AS rin,
         (received IS NOT NULL AND received < $s AND (closing IS NULL OR closing >= $s)) AS bl,
         (closing IS NOT NULL AND closing >= $s AND closing < $e) AS cin
  FROM facts {where}
),
c AS (
  SELECT *, CASE WHEN cin THEN closing ELSE $e END AS e_d
  FROM f WHERE rin OR bl OR (cin AND flags & 1 <> 0)
),
p AS (
  SELECT c.code, count(s.requested) AS requests,
         coalesce(sum(greatest(least(coalesce(s.until, 9223372036854775807), c.e_d) - s.requested, 0)), 0) AS paused
  FROM c LEFT JOIN supplements s ON s.code = c.code AND s.requested <= c.e_d
  GROUP BY c.code
),
x AS (
  SELECT c.*, (c.due IS NOT NULL AND p.requests <= 1 AND c.e_d - p.paused <= c.due) AS on_time
  FROM c JOIN p ON p.code = c.code
)
SELECT
  count(*) FILTER (WHERE rin) AS received,
  count(*) FILTER (WHERE rin AND flags & {synced} <> 0) AS synced,
  count(*) FILTER (WHERE rin AND flags & {online} <> 0) AS online,
  count(*) FILTER (WHERE rin AND flags & {online_e} <> 0) AS online_with_e_result,
  count(*) FILTER (WHERE rin AND flags & {fees} <> 0) AS with_fees,
  count(*) FILTER (WHERE rin AND flags & {fees} <> 0 AND flags & {paid} <> 0) AS paid_online,
  count(*) FILTER (WHERE rin AND flags & {digitised} <> 0) AS digitised,
  count(*) FILTER (WHERE rin AND flags & {reused} <> 0) AS reused_data,
  count(*) FILTER (WHERE rin AND flags & {identity} <> 0) AS identity_checked,
  count(*) FILTER (WHERE rin OR bl) AS handled,
  count(*) FILTER (WHERE bl AND NOT rin) AS backlog,
  count(*) FILTER (WHERE (rin OR bl) AND on_time) AS on_time,
  count(*) FILTER (WHERE (rin OR bl) AND on_time AND flags & {dissatisfied} = 0) AS on_time_satisfied,
  count(*) FILTER (WHERE cin AND flags & {result} <> 0) AS closed_with_result,
  count(*) FILTER (WHERE cin AND flags & {result} <> 0 AND flags & {e_result} <> 0) AS electronic_result
FROM x
"""

UNIT = re.compile(r"^[0-9A-Za-z.\-]+$")


def main():
    d = sys.argv[1]
    con = duckdb.connect()
    threads = os.environ.get("MOTCUA_PEER_THREADS")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    t = time.perf_counter()
    con.execute(
        "CREATE TABLE facts AS SELECT * FROM read_csv(?, header = true, columns = "
        "{'code': 'VARCHAR', 'unit': 'VARCHAR', 'received': 'BIGINT', 'closing': 'BIGINT', "
        "'due': 'BIGINT', 'flags': 'INTEGER'})",
        [os.path.join(d, "facts.csv")],
    )
    con.execute(
        "CREATE TABLE supplements AS SELECT * FROM read_csv(?, header = true, columns = "
        "{'code': 'VARCHAR', 'requested': 'BIGINT', 'until': 'BIGINT'})",
        [os.path.join(d, "supplements.csv")],
    )
    load_s = time.perf_counter() - t
    with open(os.path.join(d, "queries.json")) as f:
        queries = json.load(f)
    names = None
    results, query_ns = [], []
    # The first few queries again as warm-up, as the bench does.
    for q in queries[:30] + queries:
        units = q["units"]
        if units is None:
            where = ""
        else:
            if not all(UNIT.match(u) for u in units):
                raise SystemExit(f"unexpected unit code in {units}")
            listed = ", ".join(f"'{u}'" for u in units) or "NULL"
            where = f"WHERE unit IN ({listed})"
        sql = QUERY.format(where=where, **FLAG)
        t = time.perf_counter_ns()
        cur = con.execute(sql, {"s": q["start"], "e": q["end"]})
        row = cur.fetchone()
        elapsed = time.perf_counter_ns() - t
        names = names or [c[0] for c in cur.description]
        results.append({n: int(v) for n, v in zip(names, row)})
        query_ns.append(elapsed)
    warm = min(30, len(queries))
    print(json.dumps({"load_s": load_s, "query_ns": query_ns[warm:], "results": results[warm:]}))


if __name__ == "__main__":
    main()
