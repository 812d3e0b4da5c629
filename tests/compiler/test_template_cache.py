"""The templates' bytecode cache (compiler/builder/template_cache.py) changes nothing but the time a build takes."""

import marshal
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

from compiler.builder import render
from compiler.builder.template_cache import EnvironmentBytecodeCache, fingerprint, use_bytecode_cache


def _environment(directory: Path | None, **options: object) -> jinja2.Environment:
    """The build's environment (same loader, options, filters), with its cache in `directory` or none."""
    environment = render._environment()
    for name, value in options.items():
        setattr(environment, name, value)
    if directory is None:
        environment.bytecode_cache = None
    else:
        use_bytecode_cache(environment, str(directory))
    return environment


def _code(environment: jinja2.Environment, name: str) -> bytes:
    """The code the template runs, as marshal writes it (the same bytes: the same rendering)."""
    loaded = environment.get_template(name)
    return marshal.dumps(loaded.root_render_func.__code__)


def test_cached_templates_run_the_code_a_fresh_compile_gives(tmp_path: Path) -> None:
    names = render.ENVIRONMENT.list_templates()
    assert len(names) > 10
    fresh = {name: _code(_environment(None), name) for name in names}
    cold = {name: _code(_environment(tmp_path), name) for name in names}  # compiles and writes the cache
    assert len(list(tmp_path.iterdir())) == len(names)
    warm_environment = _environment(tmp_path)
    warm = {name: _code(warm_environment, name) for name in names}  # loads from the cache
    assert fresh == cold == warm


def test_other_compile_options_miss_the_cache(tmp_path: Path) -> None:
    """jinja2 keys its cache by file and source only; the options that shape the code are in the checksum too."""
    built = _environment(tmp_path)
    untrimmed = _environment(tmp_path, trim_blocks=False)
    assert fingerprint(built) != fingerprint(untrimmed)
    assert fingerprint(built) == fingerprint(_environment(tmp_path))  # stable: no memory address in it
    assert fingerprint(_environment(tmp_path, finalize=lambda value: value)) != fingerprint(built)

    def _only_quoted(value: object) -> object:  # render's name, another body: jinja2 runs it on constants
        return value

    _only_quoted.__module__, _only_quoted.__qualname__ = render._only_quoted.__module__, "_only_quoted"
    assert fingerprint(_environment(tmp_path, finalize=_only_quoted)) != fingerprint(built)
    name = "cronworkflow.yaml.j2"
    trimmed_code = _code(built, name)
    assert _code(untrimmed, name) == _code(_environment(None, trim_blocks=False), name) != trimmed_code


def test_an_unusable_cache_directory_only_compiles(tmp_path: Path) -> None:
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("", encoding="utf-8")
    environment = _environment(None)
    environment.bytecode_cache = EnvironmentBytecodeCache(fingerprint(environment), str(not_a_directory))
    name = "cronworkflow.yaml.j2"
    assert _code(environment, name) == _code(_environment(None), name)
    bucket = Bucket(environment, "key", "checksum")
    environment.bytecode_cache.load_bytecode(bucket)
    assert bucket.code is None
