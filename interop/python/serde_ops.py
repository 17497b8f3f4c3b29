"""Saves and loads typed values with Python Burr's own persisters, for the TypeScript serde interop tests.

Reads one JSON request on stdin:
    {"store": {...as for burr_ops.py...}, "register_from": "/path/to/python" | null, "ops": [...]}
With "register_from", imports burr_ts_serde from that folder and calls its register() first;
without it, Python Burr runs stock. Prints {"results": [...]} (one result per op) on stdout.

JSON cannot say which Python type a value has, so values cross in two notations:
- to Python ("build"): plain JSON, except objects with a "$py" key, e.g.
  {"$py": "float", "text": "2.0"}, {"$py": "datetime", "iso": "..."}, {"$py": "set", "items": [...]};
- from Python ("describe"): str, bool and None as they are; every other value as
  {"t": <type name>, "v": <payload>}, e.g. {"t": "float", "v": "2.0"}, {"t": "TsBigInt", "v": "5"}.
"""

import base64
import datetime
import json
import sys

from burr_ops import open_persister


def build(value):
    if isinstance(value, list):
        return [build(item) for item in value]
    if not isinstance(value, dict):
        return value
    kind = value.get("$py")
    if kind is None:
        return {key: build(item) for key, item in value.items()}
    if kind == "float":
        return float(value["text"])
    if kind == "int":
        return int(value["text"])
    if kind == "datetime":
        return datetime.datetime.fromisoformat(value["iso"])
    if kind in ("set", "frozenset"):
        items = [build(item) for item in value["items"]]
        return set(items) if kind == "set" else frozenset(items)
    if kind in ("bytes", "bytearray"):
        raw = base64.b64decode(value["base64"])
        return raw if kind == "bytes" else bytearray(raw)
    if kind == "dict":
        return {build(key): build(item) for key, item in value["pairs"]}
    import burr_ts_serde

    if kind == "TsBigInt":
        return burr_ts_serde.TsBigInt(int(value["text"]))
    if kind == "TsMap":
        return burr_ts_serde.TsMap((build(key), build(item)) for key, item in value["pairs"])
    raise ValueError(f"unknown $py {kind!r}")


def describe(value):
    if value is None or isinstance(value, (str, bool)):
        return value
    name = type(value).__name__
    if isinstance(value, int):
        return {"t": name, "v": str(int(value))}
    if isinstance(value, float):
        return {"t": name, "v": repr(value)}
    if isinstance(value, datetime.datetime):
        return {"t": name, "v": value.isoformat()}
    if isinstance(value, (bytes, bytearray)):
        return {"t": name, "v": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, (set, frozenset)):
        # Sets have no order: sorted by their JSON text, so the description is stable.
        return {"t": name, "v": sorted((describe(item) for item in value), key=lambda item: json.dumps(item, sort_keys=True))}
    if isinstance(value, dict):
        return {"t": name, "v": [[describe(key), describe(item)] for key, item in value.items()]}
    if isinstance(value, (list, tuple)):
        return {"t": name, "v": [describe(item) for item in value]}
    return {"t": name, "v": repr(value)}


def run(persister, op):
    from burr.core.state import State

    kind = op["op"]
    key = (op["partition_key"], op["app_id"])
    if kind == "save":
        persister.save(*key, op["sequence_id"], op["position"], State(build(op["state"])), op.get("status", "completed"))
        return None
    if kind == "load":
        loaded = persister.load(*key, op.get("sequence_id"))
        return None if loaded is None else describe(loaded["state"].get_all())
    if kind == "load_error":
        # What a stock Python app meets: load() raising; None when it loads.
        try:
            persister.load(*key, op.get("sequence_id"))
        except Exception as error:  # noqa: BLE001 - the error is the result
            return f"{type(error).__name__}: {error}"
        return None
    if kind == "resave":
        # A Python app resuming: what load() returned is saved unchanged as the next step.
        loaded = persister.load(*key, op["sequence_id"])
        persister.save(*key, op["to_sequence_id"], op.get("position", "python_step"), loaded["state"], "completed")
        return None
    raise ValueError(f"unknown op {kind!r}")


def main():
    request = json.load(sys.stdin)
    if request.get("register_from"):
        sys.path.insert(0, request["register_from"])
        import burr_ts_serde

        burr_ts_serde.register()
    persister = open_persister(request["store"])
    try:
        results = [run(persister, op) for op in request["ops"]]
    finally:
        persister.cleanup()
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    main()
