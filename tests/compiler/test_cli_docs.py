"""The READMEs' CLI reference and exit-code table are `--help`'s own words: any drift fails here.

The expected Markdown is built from the parser itself (commands, their one-line help, their options) and from
`compiler.exit_codes.EXIT_CODES`; a failure prints the block to paste between the markers.
"""

import argparse
import re
from pathlib import Path

from compiler.cli import build_parser
from compiler.exit_codes import EXIT_CODES
from tests.compiler.support import REPO, run_compiler

START, END = "<!-- cli:start -->", "<!-- cli:end -->"
EXIT_START, EXIT_END = "<!-- exit-codes:start -->", "<!-- exit-codes:end -->"


def _subcommands() -> list[tuple[str, str, argparse.ArgumentParser]]:
    parser = build_parser()
    [action] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    helps = {choice.dest: choice.help for choice in action._choices_actions}
    return [(name, str(helps[name]), sub) for name, sub in action.choices.items()]


def _options(parser: argparse.ArgumentParser) -> str:
    shown = []
    for action in parser._actions:
        if action.option_strings and "--help" not in action.option_strings:
            shown.append(f"`{max(action.option_strings, key=len)}`")
        elif not action.option_strings:
            shown.append(f"`{action.metavar or action.dest.upper()}`")
    return ", ".join(shown)


def cli_reference() -> str:
    rows = ["| command | what it does | arguments |", "|---|---|---|"]
    for name, summary, parser in _subcommands():
        rows.append(f"| `python -m compiler {name}` | {summary} | {_options(parser)} |")
    return "\n".join(rows)


def exit_code_table() -> str:
    rows = ["| exit code | meaning |", "|---|---|"]
    rows += [f"| {code} | {meaning} |" for code, meaning in EXIT_CODES]
    return "\n".join(rows)


def _between(path: Path, start: str, end: str) -> str:
    text = path.read_text(encoding="utf-8")
    match = re.search(re.escape(start) + r"\n(.*?)\n" + re.escape(end), text, re.DOTALL)
    assert match, f"{path.name} has no {start} ... {end} block"
    return match.group(1)


def test_readme_cli_section_matches_help() -> None:
    expected = cli_reference()
    assert _between(REPO / "README.md", START, END) == expected, f"README.md CLI block should be:\n{expected}"


def test_every_exit_code_is_in_one_table_in_both_readmes_and_in_help(tmp_path: Path) -> None:
    expected = exit_code_table()
    for readme in (REPO / "README.md", REPO / "dagster-argo" / "compiler" / "README.md"):
        assert _between(readme, EXIT_START, EXIT_END) == expected, f"{readme} exit codes should be:\n{expected}"
    codes = {code for code, _ in EXIT_CODES}
    assert codes == {0, 1, 2, 3, 143}
    for command in ([], ["build"], ["validate"], ["materialize"], ["run-local"]):
        result = run_compiler(*command, "--help", cwd=tmp_path)
        assert result.returncode == 0
        listed = re.findall(r"^  (\d+) +", result.stdout.split("exit codes:")[1], re.MULTILINE)
        assert [int(code) for code in listed] == sorted(codes), command


def test_help_names_only_real_asset_keys(tmp_path: Path) -> None:
    """Examples in `--help` must work on this project: every asset key shown exists."""
    from assets.definitions import defs

    keys = {key.to_user_string() for key in defs.resolve_asset_graph().materializable_asset_keys}
    for command in ("materialize", "run-local"):
        text = run_compiler(command, "--help", cwd=tmp_path).stdout
        shown = set(re.findall(r"\bopenaq/[a-z_]+", text))
        assert shown <= keys, (command, shown - keys)
        assert shown or command == "run-local"


def test_materialize_help_example_partition_is_a_key_of_its_asset(tmp_path: Path) -> None:
    """The example command must run as copied: its `--partition` is a key of the asset's own partitions definition
    (the flagship's keys are date × city, `vienna|2026-11-27`; a bare date is refused)."""
    from dagster import AssetKey

    from assets.definitions import defs

    text = run_compiler("materialize", "--help", cwd=tmp_path).stdout
    examples = re.findall(r"--asset (\S+) --partition '?([^'\s]+)'?", text)
    assert examples, text
    for asset, partition in examples:
        partitions_def = defs.resolve_assets_def(AssetKey.from_user_string(asset)).partitions_def
        assert partitions_def is not None
        assert partitions_def.has_partition_key(partition), (asset, partition)
