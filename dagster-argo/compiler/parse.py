"""Parses manifests back from YAML, rejecting duplicate keys that YAML would otherwise silently merge."""

from typing import Any

import yaml

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ManifestParseError(ValueError):
    """YAML that is malformed or has a duplicate key."""


class _StrictLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                mark = key_node.start_mark
                raise ManifestParseError(f"duplicate key {key!r} at line {mark.line + 1}, column {mark.column + 1}")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def parse_documents(text: str, source: str) -> list[Any]:
    """All documents of a YAML stream; empty documents are dropped."""
    try:
        return [doc for doc in yaml.load_all(text, Loader=_StrictLoader) if doc is not None]
    except ManifestParseError as error:
        raise ManifestParseError(f"{source}: {error}") from error
    except yaml.YAMLError as error:
        raise ManifestParseError(f"{source}: not valid YAML: {error}") from error
