"""An `EnvVar` a resource needs is not set in the pod: one line naming the variable and where the cluster gives it.

Dagster refuses the run's config before anything runs ("You have attempted to fetch the environment variable ...",
a DagsterInvalidConfigError). Another attempt of the same pod gets the same environment, so this is exit 2 (not
retried), and the line says where the variable should come from. The pod learns that from the settings baked into
its image beside the code (`pyproject.toml` `[tool.compiler]` in the working directory: the Dockerfile copies it,
and `build --check` keeps argo_out/ equal to what those settings produce), so the manifests need no extra variable:
a Secret and key (`secrets`), a ConfigMap key (`config_keys`), a plain value (`env`), or nothing (then the fix is
to map it). Only names of variables, Secrets, ConfigMaps and keys are printed, never a value.
"""

import re
from dataclasses import dataclass
from pathlib import Path

# Dagster's config error: "Post processing at path root:resources:openaq:config:api_key of original value
# {'env': 'OPENAQ_API_KEY'} failed: ... environment variable "OPENAQ_API_KEY" which is not set."
_POST_PROCESSING = re.compile(r"Post processing at path (\S+) of original value \{'env': '([A-Za-z_][A-Za-z0-9_]*)'\}")
_NOT_SET = re.compile(r'environment variable "([A-Za-z_][A-Za-z0-9_]*)" which is not set')
SETTINGS_FILE = "pyproject.toml"


@dataclass(frozen=True)
class MissingVariable:
    variable: str
    resource: str | None  # the resource key whose config reads it, when Dagster's path names one


def missing_variables(error: BaseException) -> tuple[MissingVariable, ...]:
    """The unset variables Dagster's config error names, in its order; empty for any other error."""
    text = str(error)
    unset = set(_NOT_SET.findall(text))
    if not unset:
        return ()
    found: dict[str, MissingVariable] = {}
    for path, variable in _POST_PROCESSING.findall(text):
        parts = path.split(":")
        resource = parts[2] if len(parts) > 2 and parts[:2] == ["root", "resources"] else None
        if variable in unset:
            found.setdefault(variable, MissingVariable(variable, resource))
    for variable in sorted(unset - set(found)):
        found[variable] = MissingVariable(variable, None)
    return tuple(found.values())


def describe(missing: tuple[MissingVariable, ...], settings_dir: Path | None = None) -> str:
    """One line: each variable, the resource reading it, and its source in the cluster with what to check."""
    sources = _sources(settings_dir or Path.cwd())
    parts = []
    for use in missing:
        reader = f" (resource {use.resource!r})" if use.resource else ""
        parts.append(f"environment variable {use.variable} is not set in this pod{reader}; {sources(use.variable)}")
    return "; ".join(parts)


def _sources(directory: Path) -> "_Lookup":
    from compiler.errors import UnsupportedInputError
    from compiler.settings import load_settings

    path = directory / SETTINGS_FILE
    try:
        settings = load_settings(path)
    except (UnsupportedInputError, OSError):
        return _Lookup(None)
    return _Lookup(
        {
            **{name: f"plain value in [tool.compiler.env] ({SETTINGS_FILE})" for name, _ in settings.env},
            **{
                name: f"ConfigMap {settings.config_map!r} key {name!r} (configMapKeyRef): check that the ConfigMap "
                "has that key"
                for name in settings.config_keys
            },
            **{
                name: f"Secret {ref.name!r} key {ref.key!r} (secretKeyRef): check that the Secret has that key and "
                "that the step's template sets the variable"
                for name, ref in settings.secrets
            },
        }
    )


class _Lookup:
    def __init__(self, known: dict[str, str] | None) -> None:
        self._known = known

    def __call__(self, variable: str) -> str:
        if self._known is None:
            return (
                f"no [tool.compiler] settings ({SETTINGS_FILE}) beside the code say where it comes from: set it in "
                "the step's env (a Secret for a credential)"
            )
        if variable in self._known:
            return f"in the cluster it comes from {self._known[variable]}"
        return (
            "[tool.compiler] maps it to nothing (a dagster-k8s/config env entry may set it per asset): add it to "
            "secrets (a credential), config_keys or env, then rebuild argo_out/"
        )
