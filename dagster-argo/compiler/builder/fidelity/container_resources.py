"""Container resources after merging `[tool.compiler.defaults.resources]` with an asset's `dagster-k8s/config`.

dagster-k8s merges the two dicts key by key, so a request from the tag can meet a limit from the defaults; Kubernetes
rejects a container whose request exceeds its limit, and any malformed quantity, only when the pod is created,
i.e. at run time. The compiler checks the merged result and names the side to change.
"""

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from compiler.errors import UnsupportedInputError

# Kubernetes resource.Quantity: a decimal number with a binary (Ki..Ei), decimal (n..E) or exponent suffix.
QUANTITY = re.compile(
    r"^(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+))(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$"
)
BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
DECIMAL = {
    "n": "1e-9",
    "u": "1e-6",
    "m": "1e-3",
    "k": "1e3",
    "M": "1e6",
    "G": "1e9",
    "T": "1e12",
    "P": "1e15",
    "E": "1e18",
}
DEFAULTS = "[tool.compiler.defaults.resources]"
TAG = "dagster-k8s/config container_config.resources"


def quantity(text: str) -> Decimal | None:
    """The quantity's value in base units, None when Kubernetes would not parse it."""
    match = QUANTITY.match(text.strip()) if text == text.strip() else None
    if match is None:
        return None
    try:
        number = Decimal(match["number"])
    except InvalidOperation:
        return None
    suffix = match["suffix"] or ""
    if suffix in BINARY:
        return number * BINARY[suffix]
    if suffix in DECIMAL:
        return number * Decimal(DECIMAL[suffix])
    return number * Decimal(f"1{suffix}") if suffix else number


def check_container_resources(
    merged: Mapping[str, Mapping[str, str]], asset: str | None, from_tag: Mapping[str, Mapping[str, str]]
) -> None:
    """Exit 2 for a malformed or negative quantity, or a request above its limit, naming the asset and who set what."""
    owner = f"asset {asset}" if asset else DEFAULTS

    def source(kind: str, resource: str) -> str:
        return TAG if resource in from_tag.get(kind, {}) else DEFAULTS

    values: dict[tuple[str, str], Decimal] = {}
    for kind, amounts in merged.items():
        for resource, text in amounts.items():
            value = quantity(text)
            if value is None or value < 0:
                raise UnsupportedInputError(
                    f"{owner}: {source(kind, resource)} {kind}.{resource} = {text!r} is not a valid Kubernetes "
                    "quantity; write e.g. '500m' (CPU) or '512Mi' (memory)"
                )
            values[(kind, resource)] = value
    for (kind, resource), request in sorted(values.items()):
        limit = values.get(("limits", resource))
        if kind != "requests" or limit is None or request <= limit:
            continue
        asked, capped = merged["requests"][resource], merged["limits"][resource]
        request_from, limit_from = source("requests", resource), source("limits", resource)
        if request_from == limit_from:
            fix = f"lower requests.{resource} or raise limits.{resource} there"
        elif limit_from == DEFAULTS:
            fix = f"set limits.{resource} >= {asked} in the asset's {TAG}, which overrides the default"
        else:
            fix = f"lower requests.{resource} in {request_from} or raise limits.{resource} in {limit_from}"
        raise UnsupportedInputError(
            f"{owner}: requests.{resource} = {asked} (from {request_from}) exceeds limits.{resource} = {capped} "
            f"(from {limit_from}) after merging, which Kubernetes rejects; {fix}"
        )
