"""Python Burr reads the values Burr for TypeScript tags, and writes them back in a form TypeScript reads.

Burr for TypeScript stores a ``Date``, ``Map``, ``Set``, ``bigint`` and ``Uint8Array`` in a state
as a tagged value, with the key Python Burr's serde uses::

    {"__burr_serde__": "date",   "value": "2026-11-22T01:57:00.123Z"}
    {"__burr_serde__": "map",    "value": [[key, value], ...]}
    {"__burr_serde__": "set",    "value": [item, ...]}
    {"__burr_serde__": "bigint", "value": "12345678901234567890"}
    {"__burr_serde__": "bytes",  "value": "AAH+/w=="}

Stock Python Burr has no deserializer for these tags, so its ``load()`` raises
``ValueError: No function registered for key: date``. Call :func:`register` once, before the first
``load()`` or ``save()``, in every Python process that shares a store with a TypeScript app::

    import burr_ts_serde

    burr_ts_serde.register()

What a TypeScript value loads as in Python, after :func:`register`:

- ``Date`` → ``datetime.datetime``, timezone-aware, in UTC;
- ``Map`` → :class:`TsMap` (a ``dict``) when Python can hold its keys as dict keys, else
  :class:`TsMapPairs` (a ``list`` of ``(key, value)`` tuples);
- ``Set`` → ``set`` when Python can hold its items in a set, else :class:`TsSetList` (a ``list``);
- ``bigint`` → :class:`TsBigInt` (an ``int``), whatever its size;
- ``Uint8Array`` → ``bytes``.

"Can hold" fails for unhashable keys or items (lists, dicts, sets, maps) and for keys or items that
are distinct in TypeScript but equal in Python (``1`` and ``true``, ``5`` and ``5n``). The
``Ts*`` classes behave as the built-in type they extend, and are written back with their tag, so
a value TypeScript wrote comes back to TypeScript unchanged when a Python app saves it again.

What Python values are written as, after :func:`register`, and what TypeScript reads:

- ``datetime.datetime`` → ``date`` tag → ``Date`` (JavaScript keeps milliseconds; a naive
  datetime is taken as local time, as Python's ``astimezone()`` does);
- ``set``, ``frozenset``, :class:`TsSetList` → ``set`` tag → ``Set``;
- ``bytes``, ``bytearray`` → ``bytes`` tag → ``Uint8Array``;
- :class:`TsMap`, :class:`TsMapPairs` → ``map`` tag → ``Map``;
- :class:`TsBigInt` → ``bigint`` tag → ``bigint``;
- ``int`` → a JSON integer, as before → ``number``, or ``bigint`` outside ±(2^53 - 1).

A plain ``dict`` is written as a JSON object, as Python Burr always does: wrap it in
:class:`TsMap` to have TypeScript read a ``Map``. A ``float`` that is a whole number (``2.0``) is
written ``2.0``, but TypeScript has one number type and writes it back as ``2``, which Python reads
as an ``int``: convert with ``float()`` where the difference matters.

Only Python Burr's public serde API is used (``burr.core.serde.serialize.register`` and
``burr.core.serde.deserializer.register``). The file has no other dependency: copy it next to your
app, or put its folder on ``PYTHONPATH``.
"""

import base64
import datetime
import re
from typing import Any, Dict

from burr.core import serde

__all__ = ["register", "TsBigInt", "TsMap", "TsMapPairs", "TsSetList", "TAGS"]

#: The tags Burr for TypeScript writes for its built-in types.
TAGS = ("date", "map", "set", "bigint", "bytes")

_INTEGER = re.compile(r"-?[0-9]+")


class TsBigInt(int):
    """An ``int`` that TypeScript stored as a ``bigint``; saved again as a ``bigint`` tag.

    It is an ``int`` in every way; arithmetic on it gives plain ``int`` values, which are written
    as JSON integers (TypeScript reads a ``number``, or a ``bigint`` outside ±(2^53 - 1)).
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"TsBigInt({int(self)})"


class TsMap(dict):
    """A TypeScript ``Map`` as a ``dict`` (insertion order kept); saved again as a ``map`` tag."""

    def __repr__(self) -> str:
        return f"TsMap({dict.__repr__(self)})"


class TsMapPairs(list):
    """A TypeScript ``Map`` whose keys a ``dict`` cannot hold, as a ``list`` of ``(key, value)`` tuples; saved as a ``map`` tag."""

    def __repr__(self) -> str:
        return f"TsMapPairs({list.__repr__(self)})"


class TsSetList(list):
    """A TypeScript ``Set`` whose items a ``set`` cannot hold, as a ``list``; saved again as a ``set`` tag."""

    def __repr__(self) -> str:
        return f"TsSetList({list.__repr__(self)})"


def _tagged(tag: str, value: Any) -> Dict[str, Any]:
    return {serde.KEY: tag, "value": value}


# --- Python → stored JSON ---------------------------------------------------------------------


def _serialize_datetime(value: datetime.datetime, **kwargs) -> Dict[str, Any]:
    # astimezone() takes a naive datetime as local time, as Python itself does (datetime.timestamp()).
    in_utc = value.astimezone(datetime.timezone.utc)
    # Microseconds are kept for Python readers; JavaScript's Date keeps the milliseconds.
    return _tagged("date", in_utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z")


def _serialize_set(value, **kwargs) -> Dict[str, Any]:
    return _tagged("set", [serde.serialize(item, **kwargs) for item in value])


def _serialize_bytes(value, **kwargs) -> Dict[str, Any]:
    return _tagged("bytes", base64.b64encode(bytes(value)).decode("ascii"))


def _serialize_bigint(value: TsBigInt, **kwargs) -> Dict[str, Any]:
    return _tagged("bigint", str(int(value)))


def _serialize_map(value: TsMap, **kwargs) -> Dict[str, Any]:
    return _tagged("map", [[serde.serialize(key, **kwargs), serde.serialize(item, **kwargs)] for key, item in value.items()])


def _serialize_map_pairs(value: TsMapPairs, **kwargs) -> Dict[str, Any]:
    return _tagged("map", [[serde.serialize(key, **kwargs), serde.serialize(item, **kwargs)] for key, item in value])


# --- stored JSON → Python ---------------------------------------------------------------------


def _payload(tagged: dict) -> Any:
    if "value" not in tagged:
        raise ValueError(f"a value tagged {tagged.get(serde.KEY)!r} has no 'value': {tagged!r}")
    return tagged["value"]


def _deserialize_date(tagged: dict, **kwargs) -> datetime.datetime:
    text = _payload(tagged)
    if not isinstance(text, str):
        raise ValueError(f"a date tag holds {text!r}, not ISO 8601 text")
    # fromisoformat() before Python 3.11 does not read "Z"; years beyond 1-9999 (JavaScript's "+010000-...") fail here.
    try:
        parsed = datetime.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError as error:
        raise ValueError(f"the date {text!r} cannot be a Python datetime (years 1 to 9999 only): {error}") from error
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed.astimezone(datetime.timezone.utc)


def _deserialize_map(tagged: dict, **kwargs):
    pairs = _payload(tagged)
    if not isinstance(pairs, list) or not all(isinstance(pair, list) and len(pair) == 2 for pair in pairs):
        raise ValueError(f"a map tag holds {pairs!r}, not a list of [key, value] pairs")
    # Burr's deserialize() does not look inside a tagged value: rebuild what the pairs hold.
    entries = [(serde.deserialize(key, **kwargs), serde.deserialize(item, **kwargs)) for key, item in pairs]
    try:
        as_dict = TsMap(entries)
    except TypeError:  # an unhashable key
        return TsMapPairs(entries)
    # Keys TypeScript tells apart but Python does not (1 and True) would merge.
    return as_dict if len(as_dict) == len(entries) else TsMapPairs(entries)


def _deserialize_set(tagged: dict, **kwargs):
    items = _payload(tagged)
    if not isinstance(items, list):
        raise ValueError(f"a set tag holds {items!r}, not a list")
    rebuilt = [serde.deserialize(item, **kwargs) for item in items]
    try:
        as_set = set(rebuilt)
    except TypeError:  # an unhashable item
        return TsSetList(rebuilt)
    return as_set if len(as_set) == len(rebuilt) else TsSetList(rebuilt)


def _deserialize_bigint(tagged: dict, **kwargs) -> TsBigInt:
    text = _payload(tagged)
    if isinstance(text, int) and not isinstance(text, bool):
        return TsBigInt(text)
    if not isinstance(text, str) or not _INTEGER.fullmatch(text):
        raise ValueError(f"a bigint tag holds {text!r}, not decimal integer text")
    return TsBigInt(int(text))


def _deserialize_bytes(tagged: dict, **kwargs) -> bytes:
    text = _payload(tagged)
    if not isinstance(text, str):
        raise ValueError(f"a bytes tag holds {text!r}, not base64 text")
    return base64.b64decode(text, validate=True)


_SERIALIZERS = (
    (datetime.datetime, _serialize_datetime),
    (set, _serialize_set),
    (frozenset, _serialize_set),
    (TsSetList, _serialize_set),
    (bytes, _serialize_bytes),
    (bytearray, _serialize_bytes),
    (TsBigInt, _serialize_bigint),
    (TsMap, _serialize_map),
    (TsMapPairs, _serialize_map_pairs),
)

_DESERIALIZERS = {
    "date": _deserialize_date,
    "map": _deserialize_map,
    "set": _deserialize_set,
    "bigint": _deserialize_bigint,
    "bytes": _deserialize_bytes,
}


def register() -> None:
    """Registers with Python Burr's serde a deserializer for each tag in :data:`TAGS` and serializers
    that write ``datetime``, ``set``/``frozenset``, ``bytes``/``bytearray`` and the ``Ts*`` classes
    with those tags. Process-wide and idempotent; call it before the first ``load()`` or ``save()``.

    Every process that reads what a registered process wrote needs it too: stock Python Burr cannot
    read these tags, whoever wrote them.
    """
    for cls, serializer in _SERIALIZERS:
        serde.serialize.register(cls)(serializer)
    for tag, deserializer in _DESERIALIZERS.items():
        serde.deserializer.register(tag)(deserializer)

