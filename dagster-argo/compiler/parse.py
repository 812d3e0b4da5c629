"""Parses manifests back from YAML, rejecting duplicate keys that YAML would otherwise silently merge."""

from collections.abc import Hashable
from typing import Any

import yaml

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


class ManifestParseError(ValueError):
    """YAML that is malformed or has a duplicate key."""


class _StrictLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._scalar_tags: dict[tuple[str, tuple[bool, bool]], str] = {}

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        """PyYAML's tag for a node, remembered per plain scalar text: its answer for a scalar depends only on the text
        and `implicit` when no path resolvers are registered (none are for the safe loaders), and the same keys and
        values recur thousands of times (~290,000 scalars at 10,000 assets, each through its regular expressions)."""
        if kind is not yaml.ScalarNode or self.yaml_path_resolvers:
            return str(super().resolve(kind, value, implicit))
        if not implicit[0]:  # quoted: never implicitly resolved
            return _STR
        key = (value, implicit)
        tag = self._scalar_tags.get(key)
        if tag is None:
            tag = self._scalar_tags[key] = str(super().resolve(kind, value, implicit))
        return tag

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):  # PyYAML's construct_mapping says so ("found unhashable key")
                continue
            if key in seen:
                mark = key_node.start_mark
                raise ManifestParseError(f"duplicate key {key!r} at line {mark.line + 1}, column {mark.column + 1}")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_document(self, node: yaml.Node) -> Any:
        """PyYAML's answer, built directly for plain maps, sequences and strings (all `build` parses back: ~20 MB at
        10,000 assets, where PyYAML's generic construction took most of the parse). Anything else, and any error,
        goes PyYAML's own way, so the documents and the error messages are exactly PyYAML's."""
        try:
            data = self._plain(node, {})
        except Exception:  # PyYAML's own construction below decides, and raises its own error
            self._forget()
            return super().construct_document(node)
        self._forget()
        return data

    def _forget(self) -> None:
        """PyYAML's constructor state back to a fresh document's, as its own construct_document leaves it."""
        self.constructed_objects: dict[Any, Any] = {}
        self.recursive_objects: dict[Any, Any] = {}
        self.state_generators: list[Any] = []
        self.deep_construct = False

    def _plain(self, node: yaml.Node, built: dict[int, Any]) -> Any:
        """A string scalar inside a collection is taken inline: most of the ~290,000 nodes at 10,000
        assets are such scalars, and a call each was a third of the construction."""
        if isinstance(node, yaml.ScalarNode):
            return node.value if node.tag == _STR else self.construct_object(node, deep=True)
        if id(node) in built:  # an alias: the same object, as PyYAML shares it
            return built[id(node)]
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
            items: list[Any] = []
            built[id(node)] = items
            for item in node.value:
                items.append(item.value if type(item) is _SCALAR and item.tag == _STR else self._plain(item, built))
            return items
        if not (isinstance(node, yaml.MappingNode) and node.tag == _MAP):
            raise _NotPlain
        mapping: dict[Any, Any] = {}
        built[id(node)] = mapping
        for key_node, value_node in node.value:
            if type(key_node) is _SCALAR and key_node.tag == _STR:
                key = key_node.value
            else:
                key = self._plain(key_node, built)
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise _NotPlain
            if key in mapping:
                raise _NotPlain
            if type(value_node) is _SCALAR and value_node.tag == _STR:
                mapping[key] = value_node.value
            else:
                mapping[key] = self._plain(value_node, built)
        return mapping


_SCALAR = yaml.ScalarNode


class _NotPlain(Exception):
    """A node the direct construction leaves to PyYAML: a merge key, a duplicate key, a tagged collection."""


def parse_documents(text: str, source: str) -> list[Any]:
    """All documents of a YAML stream; empty documents are dropped."""
    try:
        return [doc for doc in yaml.load_all(text, Loader=_StrictLoader) if doc is not None]
    except ManifestParseError as error:
        raise ManifestParseError(f"{source}: {error}") from error
    except yaml.YAMLError as error:
        raise ManifestParseError(f"{source}: not valid YAML: {error}") from error
