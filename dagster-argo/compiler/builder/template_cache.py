"""jinja2's bytecode cache for the templates, so a build does not compile the same 28 templates every time.

Compiling them (lex, parse, generate Python, compile) was most of `render` for a small project, ~0.14 CPU-s of
every `build`, paid again by each fresh process. jinja2's own `FileSystemBytecodeCache` keeps the compiled code in
its per-user temporary directory (`$TMPDIR/_jinja2-cache-<uid>`, mode 0700, whose owner and mode jinja2 checks),
written atomically, per template file and a checksum of its source, like Python's `__pycache__`.

What jinja2's checksum leaves out is the environment: `trim_blocks`, `finalize` (applied to constant output while
compiling, so its code counts too) and the other options shape the compiled code, so a template compiled under
other options would render differently. The checksum here also covers those options, jinja2's version and Python's,
so any change compiles afresh. The cache is only ever an optimisation: a temporary directory that cannot be used or
written leaves the build compiling as before (never an error), and the compiled code is the same either way
(tests/compiler/test_template_cache.py).
"""

import contextlib
import hashlib
import sys
import types
from collections.abc import Callable
from typing import Any

import jinja2
from jinja2.bccache import Bucket

# The Environment attributes that change what a template compiles to (jinja2's Environment.__init__ options).
COMPILE_OPTIONS = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
    "autoescape",
    "finalize",
    "undefined",
    "extensions",
    "is_async",
)


class EnvironmentBytecodeCache(jinja2.FileSystemBytecodeCache):
    """`FileSystemBytecodeCache` whose source checksum includes the environment's compile options."""

    def __init__(self, fingerprint: str, directory: str | None = None) -> None:
        super().__init__(directory)
        self.fingerprint = fingerprint

    def get_source_checksum(self, source: str) -> str:
        return hashlib.sha1(f"{self.fingerprint}\0{source}".encode(), usedforsecurity=False).hexdigest()

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:  # unreadable: compile, as without a cache
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):  # a full or read-only temporary directory: the next build compiles again
            super().dump_bytecode(bucket)


def fingerprint(environment: jinja2.Environment) -> str:
    """The environment's compile options, jinja2's version and Python's, as text."""
    options = {name: _named(getattr(environment, name, None)) for name in COMPILE_OPTIONS}
    return repr((jinja2.__version__, sys.version, sorted(options.items())))


def _named(value: Any) -> str:
    """Plain values by repr; a function or class by its qualified name and any other object by its class's (their
    reprs hold memory addresses, which would change the checksum in every process)."""
    if value is None or isinstance(value, str | int | float | bool):
        return repr(value)
    if isinstance(value, dict):  # `extensions`: name → Extension instance
        return repr(sorted((str(key), _named(item)) for key, item in value.items()))
    named: Callable[..., Any] | type = value if isinstance(value, type) or callable(value) else type(value)
    name = f"{getattr(named, '__module__', '')}.{getattr(named, '__qualname__', type(named).__name__)}"
    code = getattr(named, "__code__", None)
    # jinja2 applies `finalize` to constant output while compiling: a changed body must compile afresh
    return f"{name}:{_code_identity(code)}" if isinstance(code, types.CodeType) else name


def _code_identity(code: types.CodeType) -> str:
    """A function's bytecode, names and constants (nested code objects likewise), without memory addresses."""
    constants = [_code_identity(c) if isinstance(c, types.CodeType) else repr(c) for c in code.co_consts]
    return hashlib.sha1(repr((code.co_code, code.co_names, constants)).encode(), usedforsecurity=False).hexdigest()


def use_bytecode_cache(environment: jinja2.Environment, directory: str | None = None) -> None:
    """Give `environment` the cache, unless jinja2 finds no safe temporary directory (then it compiles as before)."""
    try:
        environment.bytecode_cache = EnvironmentBytecodeCache(fingerprint(environment), directory)
    except (OSError, RuntimeError):  # jinja2's checks of the directory's owner and mode, or no writable /tmp
        environment.bytecode_cache = None
