"""Typed, collecting access to the TOML tables of `[tool.compiler]` (compiler/settings.py reads through it)."""

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from compiler.errors import UnsupportedInputError

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
T = TypeVar("T")


class TableReader:
    """Typed access to one TOML table that remembers which keys were read, to reject the rest by name.

    With a `problems` list a bad or missing value is appended there and a harmless stand-in returned, so one run of
    `build` reports every problem of `[tool.compiler]` (each a round trip otherwise); without one it raises.
    """

    def __init__(self, where: str, section: Mapping[str, Any], problems: list[str] | None = None) -> None:
        self.where = where
        self.section = section
        self.read: set[str] = set()
        self.problems = problems

    def fail(self, message: str) -> None:
        if self.problems is None:
            raise UnsupportedInputError(message)
        self.problems.append(message)

    def attempt(self, read: Callable[[], T], fallback: T) -> T:
        """`read()`, or with a problems list its error collected and `fallback` returned."""
        try:
            return read()
        except UnsupportedInputError as error:
            if self.problems is None:
                raise
            self.problems.append(str(error))
            return fallback

    def _get(self, key: str) -> Any:
        self.read.add(key)
        return self.section.get(key)

    def text(
        self,
        key: str,
        *,
        default: str | None = None,
        pattern: re.Pattern[str] | None = None,
        hint: str = "",
        max_length: int = 253,
    ) -> str:
        value = self._get(key)
        if value is None:
            if default is None:
                self.fail(f"[{self.where}] {key} is required ({hint or 'a string'})")
            return default or ""
        if not isinstance(value, str) or len(value) > max_length or (pattern and not pattern.match(value)):
            self.fail(f"[{self.where}] {key} = {value!r} is invalid: expected {hint or 'a string'}")
            return default or ""
        return value

    def choice(self, key: str, allowed: tuple[str, ...], *, default: str) -> str:
        value = self._get(key)
        if value is None:
            return default
        if value not in allowed:
            self.fail(f"[{self.where}] {key} = {value!r} is invalid: expected one of {allowed}")
            return default
        return str(value)

    def positive(self, key: str, default: int) -> int:
        value = self._get(key)
        if value is None:
            return default
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            self.fail(f"[{self.where}] {key} = {value!r} is invalid: expected a positive integer")
            return default
        return value

    def count(self, key: str, default: int) -> int:
        value = self._get(key)
        if value is None:
            return default
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            self.fail(f"[{self.where}] {key} = {value!r} is invalid: expected an integer >= 0")
            return default
        return value

    def names(self, key: str) -> list[str]:
        value = self._get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and ENV_NAME.match(v) for v in value):
            self.fail(f"[{self.where}] {key} must be a list of environment variable names")
            return []
        if len(set(value)) != len(value):
            self.fail(f"[{self.where}] {key} lists a variable twice")
            return sorted(set(value))
        return sorted(value)

    def flag(self, key: str) -> bool:
        value = self._get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.fail(f"[{self.where}] {key} = {value!r} is invalid: expected true or false")
            return False
        return value

    def table(self, key: str) -> Mapping[str, Any]:
        value = self._get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(f"[{self.where}] {key} must be a table")
            return {}
        return value

    def reject_unknown(self) -> None:
        unknown = sorted(set(self.section) - self.read)
        if unknown:
            self.fail(
                f"[{self.where}] unknown setting(s) {', '.join(unknown)}: remove them or fix the spelling "
                "(see compiler/README.md)"
            )
