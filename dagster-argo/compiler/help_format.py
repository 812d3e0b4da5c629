"""One look for every `--help`: prose paragraphs are wrapped, indented blocks (examples, tables) kept as written."""

import argparse
import textwrap
from collections.abc import Callable

WIDTH = 100


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse wraps everything or nothing; the exit-code table and examples need their own lines kept."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = []
        for paragraph in text.split("\n\n"):
            if paragraph.startswith(" ") or "\n " in paragraph:
                paragraphs.append(textwrap.indent(paragraph, indent))
            else:
                paragraphs.append(textwrap.fill(" ".join(paragraph.split()), min(width, WIDTH), initial_indent=indent))
        return "\n\n".join(paragraphs)


def table(title: str, rows: tuple[tuple[str, str], ...]) -> str:
    """`title:` then one hanging-indented entry per row, wrapped at WIDTH."""
    key_width = max(len(key) for key, _ in rows)
    lines = [f"{title}:"]
    for key, text in rows:
        lines.append(
            textwrap.fill(
                text, WIDTH, initial_indent=f"  {key:<{key_width}}  ", subsequent_indent=" " * (key_width + 4)
            )
        )
    return "\n".join(lines)


def add_command(
    subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]",
    name: str,
    *,
    help: str,
    description: str,
    epilog: str,
    handler: Callable[[argparse.Namespace], int],
) -> argparse.ArgumentParser:
    """A subcommand's parser in this look, `handler` running it: every command's `register` hook starts here."""
    parser = subparsers.add_parser(
        name, help=help, description=description, epilog=epilog, formatter_class=HelpFormatter
    )
    parser.set_defaults(handler=handler)
    return parser
