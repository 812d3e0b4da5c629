"""compiler/parse.py builds plain maps, sequences and strings itself (the parse of a 10,000-asset build, issue #28);
its answer must be PyYAML's own. The oracle is the same strict loader constructing every document PyYAML's way."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from compiler.parse import ManifestParseError, _StrictLoader, parse_documents
from tests.compiler.support import REPO


class _PyYAMLWay(_StrictLoader):
    """The strict loader (duplicate keys refused) with PyYAML's generic construction of every node."""

    construct_document = yaml.constructor.BaseConstructor.construct_document


def _oracle(text: str) -> list[Any]:
    return [document for document in yaml.load_all(text, Loader=_PyYAMLWay) if document is not None]


def _same(text: str) -> list[Any]:
    ours = parse_documents(text, "x.yaml")
    expected = _oracle(text)
    assert ours == expected
    # == equates True with 1 and ignores key order: compare the types and the order too
    assert repr(ours) == repr(expected)
    return ours


@pytest.mark.parametrize("path", sorted((REPO / "argo_out").glob("*.yaml")), ids=lambda path: path.name)
def test_every_committed_manifest_parses_as_pyyaml_parses_it(path: Path) -> None:
    _same(path.read_text(encoding="utf-8"))


def test_scalars_of_every_type_keep_pyyaml_types() -> None:
    [document] = _same(
        "a: 1\nb: 1.5\nc: true\nd: null\ne: ~\nf: '1'\ng: 2026-11-28\nh: 0x1f\ni: [yes, no, on]\n"
        "j: !!str 7\nk: 2026-11-28T03:00:00Z\n1: int key\nnull: null key\n"
    )
    assert (document["f"], document["a"], document["j"]) == ("1", 1, "7")


def test_aliases_are_shared_and_merge_keys_tags_and_sets_go_pyyamls_way() -> None:
    [document] = _same("base: &b {x: 1, y: [1, 2]}\nother: *b\nlist: &l [a, b]\nagain: *l\n")
    assert document["other"] is document["base"]  # PyYAML shares an aliased node's object
    assert document["again"] is document["list"]
    merge = "base: &b {x: 1}\nchild:\n  <<: *b\n  y: 2\n"  # the strict loader never took merge keys
    with pytest.raises(ManifestParseError) as ours:
        parse_documents(merge, "x.yaml")
    with pytest.raises(yaml.YAMLError) as expected:
        _oracle(merge)
    assert str(ours.value) == f"x.yaml: not valid YAML: {expected.value}"
    _same("s: !!set {a, b}\no: !!omap [{a: 1}, {b: 2}]\nbin: !!binary aGVsbG8=\n")
    [ours] = parse_documents("recursive: &r [1, *r]\n", "x.yaml")  # a list holding itself, as PyYAML builds it
    [expected] = _oracle("recursive: &r [1, *r]\n")
    assert ours["recursive"][1] is ours["recursive"]
    assert expected["recursive"][1] is expected["recursive"]
    _same("---\na: 1\n---\n---\n[1, 2]\n")  # several documents, an empty one dropped


def test_errors_are_pyyamls_and_duplicate_keys_name_the_key_where_pyyaml_would() -> None:
    # two duplicates at different depths: the one PyYAML's own order of construction meets first is reported
    text = "a:\n  b:\n    x: 1\n    x: 2\nc:\n  y: 1\n  y: 2\n"
    with pytest.raises(ManifestParseError) as ours:
        parse_documents(text, "x.yaml")
    with pytest.raises(ManifestParseError) as expected:
        _oracle(text)
    assert str(ours.value) == f"x.yaml: {expected.value}"
    with pytest.raises(ManifestParseError, match="duplicate key 'kind' at line 2, column 1"):
        parse_documents("kind: CronWorkflow\nkind: Workflow\n", "x.yaml")
    with pytest.raises(ManifestParseError, match="not valid YAML"):
        parse_documents("a: [1, 2\n", "x.yaml")
    with pytest.raises(ManifestParseError, match="not valid YAML"):
        parse_documents("? [1, 2]\n: unhashable key\n", "x.yaml")
