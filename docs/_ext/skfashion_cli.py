"""``.. skfashion-cli::``: the command line reference, generated from
:func:`skfashion.cli.build_parser` when the site is built, so it cannot drift
from the program. Each subcommand gets a section with its description, a table
of its arguments (with defaults and choices) and its ``--help`` output."""

import argparse
import os

from docutils import nodes
from docutils.parsers.rst import Directive


def _table(rows, header):
    table = nodes.table()
    group = nodes.tgroup(cols=len(header))
    table += group
    for _ in header:
        group += nodes.colspec(colwidth=1)
    head = nodes.thead()
    group += head
    head += _row(header, literal=False)
    body = nodes.tbody()
    group += body
    for row in rows:
        body += _row(row, literal=True)
    return table


def _row(cells, literal):
    row = nodes.row()
    for i, text in enumerate(cells):
        entry = nodes.entry()
        if literal and i == 0:
            entry += nodes.paragraph("", "", nodes.literal(text=text))
        else:
            entry += nodes.paragraph(text=text)
        row += entry
    return row


def _arguments(parser):
    rows = []
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        name = ", ".join(action.option_strings) or action.metavar or action.dest
        if action.option_strings and action.nargs != 0:
            name += " " + (action.metavar or action.dest.upper())
        default = ""
        if action.option_strings and action.default not in (None, False, argparse.SUPPRESS):
            default = str(action.default)
        help_text = (action.help or "") % {"default": action.default, "prog": parser.prog}
        if action.choices:
            help_text += " (one of: " + ", ".join(map(str, action.choices)) + ")"
        rows.append((name, default, help_text))
    return rows


def _help(parser):
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "90"  # the same wrapping on every machine
    try:
        return parser.format_help()
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old


class CommandLineReference(Directive):
    has_content = False

    def run(self):
        from skfashion.cli import build_parser

        parser = build_parser()
        env = self.state.document.settings.env
        out = []
        top = nodes.section(ids=["cli-skfashion"])
        top += nodes.title(text="skfashion")
        top += nodes.paragraph(text=parser.description)
        top += nodes.paragraph(text=parser.epilog)
        top += nodes.literal_block(text=_help(parser), language="text")
        out.append(top)
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        helps = {c.dest: c.help for c in sub._choices_actions}
        for name, command in sub.choices.items():
            section = nodes.section(ids=[f"cli-{name}"])
            section += nodes.title(text=f"skfashion {name}")
            section += nodes.paragraph(text=command.description or helps.get(name, ""))
            section += _table(_arguments(command), ("argument", "default", "what it does"))
            section += nodes.literal_block(text=_help(command), language="text")
            out.append(section)
        env.note_dependency(__file__)  # rebuilt when this generator changes
        return out


def setup(app):
    app.add_directive("skfashion-cli", CommandLineReference)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
