"""User-supplied strings: checked before they reach a manifest, shortened before they reach a log line.

Checks for every user-supplied string that reaches a manifest: no live Argo expression, no literal credential.

Settings (`[tool.compiler]`) and `dagster-k8s/config` tags are copied into YAML that Argo evaluates: a `{{...}}` in
any of them (env, resources, nodeSelector, tolerations, labels, names) would be evaluated by the controller, so the
whole input is walked once, keys and values alike. Plain env values must not be credentials: a Secret is the only
place for those, so a value that looks like one is refused even when its variable's name does not say so. Messages
name the place and the kind of credential, never the value.
"""

import re
from collections.abc import Iterator, Mapping
from typing import Any

from compiler.errors import UnsupportedInputError

# How much of a long user-supplied value a log line or error shows: enough to recognise it, short enough that a
# 10,000-character workflow parameter cannot make a line nobody reads (or a log shipper splits).
SHOWN_CHARACTERS = 120

# Shapes of credentials that have a recognisable form of their own (provider formats), plus secrets in URLs.
CREDENTIAL_VALUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an AWS access key id", re.compile(r"\b(AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("a GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b")),
    ("a GitLab token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}\b")),
    ("a Slack token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    ("a Stripe key", re.compile(r"\b(sk|rk)_live_[A-Za-z0-9]{16,}\b")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("a JSON web token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+")),
    ("an Authorization header value", re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/-]{16,}=*")),
    ("user:password@ credentials in a URL", re.compile(r"://[^/@:\s]+:[^/@\s]+@")),
    (
        "a password, secret, token or key parameter",
        re.compile(
            r"(?i)(^|[?&;\s,])(password|passwd|pwd|pass|secret|client_secret|token|access_token|api_?key|"
            r"access_?key|secret_?key|auth|sig|signature)=[^&;\s]+"
        ),
    ),
)


def credential_kind(value: str) -> str | None:
    """What kind of credential `value` looks like, or None."""
    for kind, pattern in CREDENTIAL_VALUES:
        if pattern.search(value):
            return kind
    return None


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield f"{where}.{key}", str(key)
            yield from _strings(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            named = isinstance(item, Mapping) and isinstance(item.get("name"), str)
            yield from _strings(item, f"{where}[{item['name'] if named else index}]")


def reject_live_expressions(value: Any, where: str) -> None:
    """Refuse `{{`/`}}` anywhere in a user-supplied structure: Argo would evaluate it when the workflow runs."""
    for at, text in _strings(value, where):
        if "{{" in text or "}}" in text:
            raise UnsupportedInputError(
                f"{at} contains '{{{{' or '}}}}', which Argo would evaluate as an expression; remove the braces"
            )


def reject_credential_value(value: str, where: str) -> None:
    kind = credential_kind(value)
    if kind:
        raise UnsupportedInputError(
            f"{where} looks like {kind}; plain values reach the YAML in clear text: put it in a Kubernetes Secret "
            "and reference it from [tool.compiler.secrets]"
        )


def shortened(value: str, limit: int = SHOWN_CHARACTERS, *, quoted: bool = False) -> str:
    """`value` as a log line shows it: whole when short, else its start and "… (N characters)", so a huge
    parameter (`-p partition=<10,000 characters>`) is still named without filling the line. `quoted`: the shown
    part as repr() (for messages that quote a value), the length note outside the quotes."""
    if len(value) <= limit:
        return repr(value) if quoted else value
    start = value[:limit]
    return f"{start!r}… ({len(value):,} characters)" if quoted else f"{start}… ({len(value):,} characters)"
