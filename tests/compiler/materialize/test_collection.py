"""The start-up pause of the collector (compiler/materialize/collection.py) always gives the collector back."""

import gc

import pytest

from compiler.materialize.collection import pause_for_start_up, start_up_done, start_up_without_collection


def test_the_pause_ends_at_start_up_done_and_is_undone_with_the_block() -> None:
    assert gc.isenabled()
    with start_up_without_collection():
        assert not gc.isenabled()
        start_up_done()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
        start_up_done()  # idempotent
        assert gc.isenabled()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # the caller's objects are collectable again


def test_a_failing_start_up_gives_the_collector_back() -> None:
    with pytest.raises(RuntimeError), start_up_without_collection():
        raise RuntimeError("import failed")
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_caller_that_disabled_the_collector_keeps_it_disabled() -> None:
    gc.disable()
    try:
        with start_up_without_collection():
            start_up_done()
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_block_adopts_an_entry_points_pause_and_ends_it() -> None:
    """A pod's entry point pauses before its imports (compiler/__main__.py); the command's block ends that pause."""
    pause_for_start_up()
    try:
        assert not gc.isenabled()
        with start_up_without_collection():
            assert not gc.isenabled()
            start_up_done()
            assert gc.isenabled()
        assert gc.get_freeze_count() == 0
    finally:
        gc.enable()
        gc.unfreeze()
