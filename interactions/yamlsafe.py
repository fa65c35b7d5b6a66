"""Parse YAML rule files defensively, remembering the line of every value.

Only plain YAML is accepted: mappings, sequences and scalars with the core
tags. Anchors/aliases, custom tags (``!!python/object`` and friends),
duplicate keys, multiple documents, very deep nesting and very large files are
refused with a one-line message, so a hostile file costs bounded time and
memory and never constructs an object.
"""

from __future__ import annotations

from typing import Any

import yaml

try:  # the C parser is several times faster; fall back to pure Python
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 40
MAX_NODES = 2_000_000

_CORE = "tag:yaml.org,2002:"
_STR = _CORE + "str"
_SCALAR_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp")}

Path = tuple[Any, ...]


class YamlProblem(Exception):
    """A problem at a line of a YAML file (1-based)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


_constructor = yaml.constructor.SafeConstructor()


def parse(text: str) -> tuple[Any, dict[Path, int]]:
    """Parse one YAML document.

    Returns the plain Python value and a map from each value's path (a tuple
    of keys and indexes) to its 1-based line. Raises YamlProblem.
    """
    if len(text) > MAX_FILE_BYTES:
        raise YamlProblem(1, f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = exc.problem or exc.context or "invalid YAML"
        raise YamlProblem(line, f"invalid YAML: {what}") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(1, f"invalid YAML: {exc}") from None
    lines: dict[Path, int] = {}
    if node is None:
        return None, lines
    seen: set[int] = set()
    value = _convert(node, (), lines, seen, 0)
    return value, lines


def _convert(node: yaml.Node, path: Path, lines: dict[Path, int], seen: set[int], depth: int) -> Any:
    line = node.start_mark.line + 1
    if depth > MAX_DEPTH:
        raise YamlProblem(line, f"nesting deeper than {MAX_DEPTH} levels")
    if id(node) in seen:
        raise YamlProblem(line, "anchors and aliases are not allowed in rule files")
    seen.add(id(node))
    if len(seen) > MAX_NODES:
        raise YamlProblem(line, "file has too many values")
    lines[path] = line
    if isinstance(node, yaml.MappingNode):
        if node.tag != _CORE + "map":
            raise YamlProblem(line, f"tag {node.tag!r} is not allowed")
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlProblem(key_node.start_mark.line + 1, "mapping keys must be plain scalars")
            if key_node.tag == _CORE + "merge":
                raise YamlProblem(key_node.start_mark.line + 1, "merge keys (<<) are not allowed in rule files")
            key = _scalar(key_node)
            if not isinstance(key, (str, int, bool)) and key is not None:
                key = str(key_node.value)
            if key in out:
                raise YamlProblem(key_node.start_mark.line + 1, f"duplicate key {key!r}")
            out[key] = _convert(value_node, (*path, key), lines, seen, depth + 1)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _CORE + "seq":
            raise YamlProblem(line, f"tag {node.tag!r} is not allowed")
        return [_convert(item, (*path, i), lines, seen, depth + 1) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    if node.tag not in _SCALAR_TAGS:
        raise YamlProblem(node.start_mark.line + 1, f"tag {node.tag!r} is not allowed")
    if node.tag == _STR:
        return node.value  # what the constructor would return, without its dispatch
    if node.tag == _CORE + "timestamp":
        return str(node.value)  # dates are kept as written
    try:
        return _constructor.construct_object(node)
    except (yaml.YAMLError, ValueError, OverflowError):
        return str(node.value)
