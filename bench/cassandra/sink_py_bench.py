#!/usr/bin/env python3
"""The Python peer of the sink benchmark (bench/cassandra/sink_run): writes the created_users rows of
a CSV export (`rtpipe query --format csv "SELECT * FROM spark_streams.created_users"` of an embedded
run, i.e. exactly the rows rtpipe's Cassandra sink writes) into <keyspace>.created_users, which the
sink created, with the DataStax/Apache cassandra-driver: one prepared INSERT of all 19 columns,
execute_concurrent_with_args, protocol v4, the given consistency. Only the writes are timed (CSV
parsing, connecting and preparing are not). Prints one line:
"sink_py_bench: <rows> rows in <s> s = <rows/s> rows/s ..."."""
import argparse
import csv
import datetime
import sys
import time
import uuid

from cassandra import ConsistencyLevel
from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile
from cassandra.concurrent import execute_concurrent_with_args
from cassandra.policies import DCAwareRoundRobinPolicy

COLUMNS = ["id", "first_name", "last_name", "gender", "address", "post_code", "email", "username", "dob",
           "registered_date", "phone", "picture", "age", "age_band", "email_domain", "country", "nat",
           "tenure_days", "event_time"]


def parse(row):
    v = dict(row)
    out = []
    for c in COLUMNS:
        if c == "id":
            out.append(uuid.UUID(v[c]))
        elif c in ("age", "tenure_days"):
            out.append(int(v[c]))
        elif c == "event_time":
            out.append(datetime.datetime.fromisoformat(v[c].replace("Z", "+00:00")))
        else:
            out.append(v[c])
    return tuple(out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", required=True)
    p.add_argument("--keyspace", required=True)
    p.add_argument("--rows-csv", required=True)
    p.add_argument("--concurrency", type=int, default=256)
    p.add_argument("--consistency", default="LOCAL_QUORUM")
    a = p.parse_args()
    host, port = a.host.rsplit(":", 1)
    with open(a.rows_csv, encoding="utf-8", newline="") as f:
        rows = [parse(r) for r in csv.DictReader(f)]

    level = getattr(ConsistencyLevel, a.consistency)
    profile = ExecutionProfile(load_balancing_policy=DCAwareRoundRobinPolicy(local_dc="datacenter1"),
                               consistency_level=level, request_timeout=30)
    cluster = Cluster([host], port=int(port), protocol_version=4, execution_profiles={EXEC_PROFILE_DEFAULT: profile})
    session = cluster.connect()
    insert = session.prepare(f"INSERT INTO {a.keyspace}.created_users ({', '.join(COLUMNS)}) "
                             f"VALUES ({', '.join('?' for _ in COLUMNS)})")

    cpu_start = time.process_time()
    start = time.perf_counter()
    results = execute_concurrent_with_args(session, insert, rows, concurrency=a.concurrency,
                                           raise_on_first_error=False)
    secs = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    failures = [r for ok, r in results if not ok]
    count = session.execute(f"SELECT COUNT(*) FROM {a.keyspace}.created_users", timeout=60).one()[0]
    print(f"sink_py_bench: {len(rows)} rows in {secs:.2f} s = {len(rows) / secs:.0f} rows/s (client CPU {cpu:.2f} s; "
          f"concurrency {a.concurrency}, consistency {a.consistency}, {len(failures)} failures, cassandra-driver "
          f"{__import__('cassandra').__version__} with {cluster.connection_class.__name__}; table holds {count} rows)")
    cluster.shutdown()
    if failures:
        print(f"sink_py_bench: first failure: {failures[0]}", file=sys.stderr)
        return 1
    if count != len(rows):
        print(f"sink_py_bench: the table holds {count} rows, not {len(rows)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
