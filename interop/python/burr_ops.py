"""Runs Python Burr's own persisters against a store the TypeScript interop test prepared.

Reads one JSON request on stdin:
    {"store": {"backend": "sqlite" | "postgres" | "redis", ...}, "ops": [{"op": ...}, ...]}
and prints {"burr_version": "...", "results": [...]} (one result per op) on stdout.
Only Burr's public persister classes are used, as a Python Burr app would use them.
"""

import json
import sys
from importlib.metadata import version


def open_persister(store):
    backend = store["backend"]
    if backend == "sqlite":
        from burr.core.persistence import SQLLitePersister

        return SQLLitePersister(db_path=store["db_path"], table_name=store["table_name"])
    if backend == "postgres":
        import psycopg2
        from burr.integrations.persisters.b_psycopg2 import PostgreSQLPersister

        return PostgreSQLPersister(psycopg2.connect(store["url"]), table_name=store["table_name"])
    if backend == "redis":
        import redis
        from burr.integrations.persisters.b_redis import RedisBasePersister

        return RedisBasePersister(redis.Redis.from_url(store["url"]), namespace=store["namespace"])
    raise ValueError(f"unknown backend {backend!r}")


def loaded_step(data):
    if data is None:
        return None
    return {
        "partition_key": data["partition_key"],
        "app_id": data["app_id"],
        "sequence_id": data["sequence_id"],
        "position": data["position"],
        "status": data["status"],
        "created_at": str(data["created_at"]),
        "state": data["state"].get_all(),
    }


def run(persister, op):
    from burr.core.state import State

    kind = op["op"]
    if kind == "initialize":
        persister.initialize()
        return None
    if kind == "save":
        persister.save(op["partition_key"], op["app_id"], op["sequence_id"], op["position"], State(op["state"]), op["status"])
        return None
    if kind == "load":
        return loaded_step(persister.load(op["partition_key"], op["app_id"], op.get("sequence_id")))
    if kind == "list_app_ids":
        return persister.list_app_ids(op["partition_key"])
    raise ValueError(f"unknown op {kind!r}")


def main():
    request = json.load(sys.stdin)
    persister = open_persister(request["store"])
    try:
        results = [run(persister, op) for op in request["ops"]]
    finally:
        persister.cleanup()
    json.dump({"burr_version": version("burr"), "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
