"""Errors of the OpenAQ client: each names the path, status, subject, a body excerpt and what to do; never the key."""

from __future__ import annotations

import json
from urllib.parse import quote, quote_plus

BODY_EXCERPT_CHARS = 300
SHOWN_VALUE_CHARS = 80
MIN_SECRET_CHARS = 4


def secret_forms(secret: str) -> frozenset[str]:
    """Every spelling under which `secret` can reach a text: as given, stripped, repr/JSON-escaped, URL-encoded.

    A key read from a file often ends in a newline; libraries then quote it as `'key\\n'` or `key%0A`.
    Forms shorter than MIN_SECRET_CHARS are left out: masking them would garble ordinary text.
    """
    forms = set()
    for value in {secret, secret.strip()}:
        forms |= {value, repr(value)[1:-1], json.dumps(value)[1:-1], quote(value, safe=""), quote_plus(value)}
        forms |= {value.encode("unicode_escape").decode("ascii")}
    return frozenset(form for form in forms if len(form.strip()) >= MIN_SECRET_CHARS)


def excerpt(text: str, secret: str | None = None, limit: int = BODY_EXCERPT_CHARS) -> str:
    """A short, single-line, key-free excerpt of a response body for error messages."""
    if secret:
        for form in sorted(secret_forms(secret), key=len, reverse=True):
            text = text.replace(form, "***")
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def cut(text: str, limit: int = SHOWN_VALUE_CHARS) -> str:
    """`text` for a message, cut to about `limit` characters with its full length said: a mistaken or hostile
    setting (10,000 characters of it) must not fill a log line, and its start is what identifies it."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def shown(value: object, limit: int = SHOWN_VALUE_CHARS) -> str:
    """`repr(value)`, cut like `cut` (the length said is the value's own, without quotes)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(str(value))} characters)"


class OpenAQError(Exception):
    """Base class; `str()` is a complete, actionable sentence."""

    def __init__(
        self,
        problem: str,
        *,
        hint: str,
        path: str | None = None,
        status: int | None = None,
        subject: str | None = None,
        body: str | None = None,
    ) -> None:
        self.problem, self.hint, self.path, self.status, self.subject, self.body = (
            problem,
            hint,
            path,
            status,
            subject,
            body,
        )
        where = f"OpenAQ GET {path}" if path else "OpenAQ client"
        if subject:
            where += f" ({subject})"
        status_text = f" answered HTTP {status}" if status is not None else ""
        body_text = f"; body: {body}" if body else ""
        super().__init__(f"{where}{status_text}: {problem}{body_text}. {hint}")


class OpenAQConfigError(OpenAQError, ValueError):
    """Bad settings or arguments, detected before any request is sent."""


class OpenAQAuthError(OpenAQError):
    """401 (key missing or wrong) or 403 (client blocked): never retried."""


class OpenAQNotFound(OpenAQError):
    """404: the location or sensor does not exist."""


class OpenAQGone(OpenAQError):
    """410: a retired v1/v2 path."""


class OpenAQRequestInvalid(OpenAQError):
    """422 or another 4xx: the parameters were rejected."""


class OpenAQUnavailable(OpenAQError):
    """5xx, 408, timeouts and connection errors that outlasted the retry budget."""


class OpenAQRateLimited(OpenAQUnavailable):
    """429 answers kept coming after the configured number of waits."""


class OpenAQNotAnAPI(OpenAQConfigError):
    """OPENAQ_BASE_URL answered, but not as the OpenAQ v3 API does (a web page, another JSON API): retrying the same
    URL cannot help."""


class OpenAQInvalidResponse(OpenAQError):
    """A body that is not the v3 envelope (invalid/truncated JSON, missing fields) after retries."""


class OpenAQRepeatedPage(OpenAQInvalidResponse):
    """A page repeated the previous page's rows even after retries: paging would never end."""


# What a later attempt cannot fix: the same request gets the same answer (and a 403 retried risks a ban).
PERMANENT_ERRORS: tuple[type[OpenAQError], ...] = (
    OpenAQConfigError,
    OpenAQAuthError,
    OpenAQNotFound,
    OpenAQGone,
    OpenAQRequestInvalid,
)
