"""Runs Python Burr's local tracker against a storage folder the TypeScript interop test shares.

Reads one JSON request on stdin:
    {"storage_dir": "...", "project": "...", "register_from": "/path/to/python" | null, "ops": [...]}
With "register_from", imports burr_ts_serde from that folder and calls its register() first;
without it, Python Burr runs stock. Prints {"results": [...]} (one result per op) on stdout.

Ops:
- "load": LocalTrackingClient(project, storage_dir).load(partition_key, app_id, sequence_id);
  the state is described as serde_ops.describe() does ({"t": type, "v": payload});
- "list_app_ids": the tracker's list_app_ids(partition_key);
- "ui_read": what Burr's UI reads of one app, parsed with the UI's own pydantic models as its
  local backend does (burr.tracking.server.schema.Step.from_logs for log.jsonl, ApplicationModel
  for graph.json, ApplicationMetadataModel for metadata.json, ChildApplicationModel per line of
  children.jsonl); only the UI's web server (fastapi) is left out;
- "run": builds the tracked app below with ApplicationBuilder (optionally resuming it from the
  tracker with initialize_from) and runs the given steps; a step that raises is recorded, not fatal.

The app, the same graph the TypeScript test builds:
    start -> counter; counter -> counter while count < 2; counter -> boom; boom -> finish
start stores the "values" input (in serde_ops' $py notation) and zeroes count and history;
counter adds 1 and appends "py:<count>" to history; boom raises RuntimeError when its input
"explode" is true, else sets recovered; finish sets done.
"""

import json
import math
import os
import sys

from serde_ops import build, describe


def make_app(op, tracker):
    from burr.core import ApplicationBuilder, State, action, default, expr

    @action(reads=[], writes=["values", "count", "history"])
    def start(state: State, values: dict) -> State:
        return state.update(values=build(values), count=0, history=[])

    @action(reads=["count", "history"], writes=["count", "history"])
    def counter(state: State) -> State:
        count = state["count"] + 1
        return state.update(count=count, history=[*state["history"], f"py:{count}"])

    @action(reads=["count"], writes=["recovered"])
    def boom(state: State, explode: bool) -> State:
        if explode:
            raise RuntimeError("python outage")
        return state.update(recovered=True)

    @action(reads=["count"], writes=["done"])
    def finish(state: State) -> State:
        return state.update(done=True)

    builder = (
        ApplicationBuilder()
        .with_actions(start=start, counter=counter, boom=boom, finish=finish)
        .with_transitions(
            ("start", "counter", default),
            ("counter", "counter", expr("count < 2")),
            ("counter", "boom", default),
            ("boom", "finish", default),
        )
        .with_tracker(tracker)
        .with_identifiers(app_id=op["app_id"], partition_key=op["partition_key"])
    )
    if op.get("resume"):
        builder = builder.initialize_from(
            tracker, resume_at_next_action=True, default_state={}, default_entrypoint="start"
        )
    else:
        builder = builder.with_state(**build(op.get("state", {}))).with_entrypoint("start")
    return builder.build()


def run_app(op, tracker):
    app = make_app(op, tracker)
    first = app.get_next_action()
    steps = []
    for inputs in op["steps"]:
        try:
            action, _result, _state = app.step(inputs=inputs)
            steps.append({"action": action.name, "sequence_id": app.sequence_id, "error": None})
        except Exception as error:  # noqa: BLE001 - a failed step is part of the run
            steps.append({"action": None, "sequence_id": app.sequence_id, "error": f"{type(error).__name__}: {error}"})
    return {"first_action": first.name if first else None, "steps": steps, "state": describe(app.state.get_all())}


def jsonable(value):
    """A logged value JSON can carry: a NaN or infinite float becomes {"$float": "nan" | "inf" | "-inf"}."""
    if isinstance(value, float) and not math.isfinite(value):
        return {"$float": repr(value)}
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [jsonable(item) for item in value]
    return value


def ui_read(storage_dir, project, app_id):
    from burr.tracking.common.models import ApplicationMetadataModel, ChildApplicationModel
    from burr.tracking.server import schema

    app_dir = os.path.join(storage_dir, project, app_id)
    # The UI's backend calls parse_raw()/parse_obj(), pydantic 2's deprecated names of these.
    with open(os.path.join(app_dir, "graph.json")) as f:
        graph = schema.ApplicationModel.model_validate_json(f.read())
    with open(os.path.join(app_dir, "metadata.json"), "rb") as f:
        metadata = ApplicationMetadataModel.model_validate(json.loads(f.read().decode("utf-8", errors="replace")))
    with open(os.path.join(app_dir, "log.jsonl"), "rb") as f:
        lines = f.readlines()
    steps = schema.Step.from_logs(lines)
    # The UI's step count: the sequence id of the last line that has one, plus one.
    num_steps = 0
    for line in reversed(lines):
        data = json.loads(line.decode("utf-8", errors="replace"))
        if "sequence_id" in data:
            num_steps = data["sequence_id"] + 1
            break
    children = []
    children_path = os.path.join(app_dir, "children.jsonl")
    if os.path.exists(children_path):
        with open(children_path) as f:
            children = [ChildApplicationModel.model_validate(json.loads(item)).model_dump(mode="json") for item in f.readlines()]
    return {
        "graph": {
            "entrypoint": graph.entrypoint,
            "actions": [{"name": a.name, "reads": a.reads, "writes": a.writes, "inputs": a.inputs} for a in graph.actions],
            "transitions": [{"from": t.from_, "to": t.to, "condition": t.condition} for t in graph.transitions],
        },
        "metadata": metadata.model_dump(mode="json"),
        "num_steps": num_steps,
        "steps": [
            {
                "sequence_id": step.step_start_log.sequence_id,
                "action": step.step_start_log.action,
                "inputs": jsonable(step.step_start_log.inputs),
                "ended": step.step_end_log is not None,
                "failed": step.step_end_log is not None and step.step_end_log.exception is not None,
                "result": None if step.step_end_log is None else jsonable(step.step_end_log.result),
                "start_before_end": step.step_end_log is None or step.step_start_log.start_time <= step.step_end_log.end_time,
            }
            for step in steps
        ],
        "children": children,
    }


def run(storage_dir, project, op):
    from burr.tracking import LocalTrackingClient

    kind = op["op"]
    tracker = LocalTrackingClient(project, storage_dir=storage_dir)
    if kind == "load":
        try:
            loaded = tracker.load(op["partition_key"], op["app_id"], op.get("sequence_id"))
        except Exception as error:  # noqa: BLE001 - the error is the result
            return {"error": f"{type(error).__name__}: {error}"}
        if loaded is None:
            return None
        return {
            "partition_key": loaded["partition_key"],
            "app_id": loaded["app_id"],
            "sequence_id": loaded["sequence_id"],
            "position": loaded["position"],
            "status": loaded["status"],
            "created_at": str(loaded["created_at"]),
            "state": describe(loaded["state"].get_all()),
        }
    if kind == "list_app_ids":
        return tracker.list_app_ids(op["partition_key"])
    if kind == "ui_read":
        return ui_read(storage_dir, project, op["app_id"])
    if kind == "run":
        return run_app(op, tracker)
    raise ValueError(f"unknown op {kind!r}")


def main():
    request = json.load(sys.stdin)
    if request.get("register_from"):
        sys.path.insert(0, request["register_from"])
        import burr_ts_serde

        burr_ts_serde.register()
    results = [run(request["storage_dir"], request["project"], op) for op in request["ops"]]
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    main()
