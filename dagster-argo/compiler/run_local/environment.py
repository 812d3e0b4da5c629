"""Container env for a local process: literal values, and Secret/ConfigMap refs read from the local env.

Nothing else of the local env reaches a task beyond PROCESS_ESSENTIALS, so deleting an env entry from the YAML
really removes that variable from what runs.
"""

import json
from collections.abc import Mapping, Sequence
from urllib.parse import quote, quote_plus

from compiler.run_local.errors import RunLocalError
from compiler.run_local.manifest import EnvEntry
from compiler.run_local.substitute import substitute

# What a local Python process needs to start and find its code; a pod's image provides these itself.
PROCESS_ESSENTIALS = ("PATH", "PYTHONPATH", "VIRTUAL_ENV", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR")
# Shorter forms are not masked: replacing them would garble ordinary output without protecting anything.
MIN_MASKED_CHARS = 4


def secret_forms(secret: str) -> frozenset[str]:
    """Every spelling under which a secret value can appear in a task's output.

    As given and stripped (a value read from a file ends in a newline that programs strip), repr- and JSON-escaped
    (`'key\\n'` in an exception text), URL-encoded (`key%0A` in a URL), and each line of a multi-line value.
    """
    forms: set[str] = set()
    for value in {secret, secret.strip(), *secret.splitlines()}:
        forms |= {value, repr(value)[1:-1], json.dumps(value)[1:-1], quote(value, safe=""), quote_plus(value)}
        forms.add(value.encode("unicode_escape").decode("ascii"))
    return frozenset(form for form in forms if len(form.strip()) >= MIN_MASKED_CHARS)


def missing_references(entries: Sequence[EnvEntry], local_env: Mapping[str, str]) -> list[str]:
    """Describe each secretKeyRef/configMapKeyRef whose same-named local variable is not set."""
    return [
        f"{entry.name} (from {entry.source} {entry.source_ref})"
        for entry in entries
        if entry.source is not None and entry.name not in local_env
    ]


def container_environment(
    entries: Sequence[EnvEntry], scope: Mapping[str, str], local_env: Mapping[str, str], where: str
) -> tuple[dict[str, str], frozenset[str]]:
    """The process env (container env over PROCESS_ESSENTIALS from the local one) and the secret values to keep
    out of output."""
    environment = {name: local_env[name] for name in PROCESS_ESSENTIALS if name in local_env}
    secrets: set[str] = set()
    for entry in entries:
        if entry.source is None:
            environment[entry.name] = substitute(entry.value or "", scope, f"{where} env {entry.name}")
            continue
        if entry.name not in local_env:
            raise RunLocalError(f"{where}: set {entry.name} locally (it stands in for {entry.source_ref})")
        environment[entry.name] = local_env[entry.name]
        if entry.source == "secret" and local_env[entry.name]:
            secrets.add(local_env[entry.name])
    return environment, frozenset(secrets)
