"""Errors of the OpenAQ client: each names the path, status, subject, a body excerpt and what to do; never the key."""

from __future__ import annotations

BODY_EXCERPT_CHARS = 300


def excerpt(text: str, secret: str | None = None, limit: int = BODY_EXCERPT_CHARS) -> str:
    """A short, single-line, key-free excerpt of a response body for error messages."""
    if secret:
        text = text.replace(secret, "***")
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


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
