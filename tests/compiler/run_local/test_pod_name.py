"""Argo's pod names (POD_NAMES v2), checked against a name a real controller gave and against its length rule."""

from compiler.run_local.substitute import MAX_POD_NAME_PREFIX, attempt_node, pod_name, task_node


def test_the_name_a_real_controller_gave_a_pod():
    """Argo's own test data (workflow/controller/artifact_gc_test.go, recorded from a cluster): the pod of node
    `two-artgc-8tcvt[0].call-first`, template `first`, archived its log under `{{workflow.name}}/{{pod.name}}` as
    `two-artgc-8tcvt/two-artgc-8tcvt-first-802059674/main.log`; the node's id carries the same hash."""
    assert pod_name("two-artgc-8tcvt", "first", "two-artgc-8tcvt[0].call-first") == "two-artgc-8tcvt-first-802059674"
    assert pod_name("two-artgc-8tcvt", "second", "two-artgc-8tcvt[1].call-second").endswith("-1079173309")


def test_a_long_prefix_is_cut_to_leave_room_for_the_hash():
    """Argo's `ensurePodNamePrefixLength`: the `<workflow>-<template>` prefix keeps 253 - 10 - 1 characters."""
    workflow, template = "w" * 150, "t" * 150
    name = pod_name(workflow, template, task_node(workflow, "a"))
    prefix, _, digest = name.rpartition("-")
    assert prefix == f"{workflow}-{template}"[:MAX_POD_NAME_PREFIX]
    assert len(prefix) == 242
    assert digest.isdigit()
    assert len(name) <= 253


def test_every_attempt_of_a_retried_task_is_a_node_of_its_own():
    node = task_node("air-quality-abcde", "each-x(0:vienna).raw")
    assert node == "air-quality-abcde.each-x(0:vienna).raw"
    assert [attempt_node(node, n) for n in range(2)] == [f"{node}(0)", f"{node}(1)"]
    names = {pod_name("air-quality-abcde", "raw", n) for n in (node, attempt_node(node, 0), attempt_node(node, 1))}
    assert len(names) == 3
