#!/usr/bin/env python3
"""The Python peer of cql_bench: the same rows, the same prepared INSERT, written with the
DataStax/Apache cassandra-driver's execute_concurrent_with_args (the brief's client), protocol v4,
the same consistency. Prints one line: "py_bench: <rows> rows in <s> s = <rows/s> rows/s ..."."""
import argparse
import datetime
import sys
import time
import uuid

from cassandra import ConsistencyLevel
from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile
from cassandra.concurrent import execute_concurrent_with_args
from cassandra.policies import DCAwareRoundRobinPolicy

INSERT = ("INSERT INTO rtpipe_bench.created_users (id, first_name, last_name, gender, address, post_code, email, "
          "username, registered_date, phone, picture, dob, age) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", required=True)
    p.add_argument("--rows-file", required=True)
    p.add_argument("--concurrency", type=int, default=100)
    p.add_argument("--consistency", default="LOCAL_QUORUM")
    p.add_argument("--limit", type=int, default=0)
    a = p.parse_args()
    host, port = a.host.rsplit(":", 1)

    rows = []
    with open(a.rows_file, encoding="utf-8") as f:
        for line in f:
            v = line.rstrip("\n").split("\t")
            rows.append((uuid.UUID(v[0]), *v[1:11], datetime.date.fromisoformat(v[11]), int(v[12])))
            if a.limit and len(rows) >= a.limit:
                break

    level = getattr(ConsistencyLevel, a.consistency)
    profile = ExecutionProfile(load_balancing_policy=DCAwareRoundRobinPolicy(local_dc="datacenter1"),
                               consistency_level=level, request_timeout=30)
    cluster = Cluster([host], port=int(port), protocol_version=4, execution_profiles={EXEC_PROFILE_DEFAULT: profile})
    session = cluster.connect()
    session.execute("TRUNCATE rtpipe_bench.created_users")
    insert = session.prepare(INSERT)

    cpu_start = time.process_time()
    start = time.perf_counter()
    results = execute_concurrent_with_args(session, insert, rows, concurrency=a.concurrency,
                                           raise_on_first_error=False)
    secs = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    failures = [r for ok, r in results if not ok]
    count = session.execute(session.prepare("SELECT COUNT(*) FROM rtpipe_bench.created_users"),
                            execution_profile=session.execution_profile_clone_update(
                                EXEC_PROFILE_DEFAULT, consistency_level=ConsistencyLevel.ONE)).one()[0]
    print(f"py_bench: {len(rows)} rows in {secs:.2f} s = {len(rows) / secs:.0f} rows/s (client CPU {cpu:.2f} s = "
          f"{len(rows) / cpu:.0f} rows per CPU-second; concurrency {a.concurrency}, "
          f"consistency {a.consistency}, {len(failures)} failures, cassandra-driver "
          f"{__import__('cassandra').__version__} with {cluster.connection_class.__name__}; "
          f"table holds {count} rows)")
    cluster.shutdown()
    if failures:
        print(f"py_bench: first failure: {failures[0]}", file=sys.stderr)
        return 1
    if count != len(rows):
        print(f"py_bench: the table holds {count} rows, not {len(rows)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
