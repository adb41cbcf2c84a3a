"""Embed each Lambda function's source file in the template that deploys it.

The templates must deploy with plain `aws cloudformation` commands (the seed's; the backup plan's, over the
51,200-byte request limit, with --s3-bucket), without a code package to upload, so the code sits inline in
`Code.ZipFile`. The Python file next to the
template stays the source of truth, tested on its own; a line

    # lambda-code: lambda/<file>.py

right above `ZipFile: |` names it. `python tools/lambda_code.py` rewrites the blocks;
`--check` fails when a template is out of date (run by the tests).

Inline code is one file, so a shared module is inlined too: an import statement (one line or a
parenthesised list) carrying `# lambda-inline: <path from the repository root>` is replaced by
that file, without its `from __future__` and `__metaclass__` lines (they must open a file).
"""

from __future__ import annotations

import pathlib
import re
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]
MARKER = re.compile(r"^(?P<indent>\s*)# lambda-code: (?P<source>\S+)\n(?P=indent)ZipFile: \|\n", re.M)
INLINE = re.compile(r"#\s*lambda-inline: (?P<path>\S+)")
PY2_HEADER = re.compile(r"^(from __future__ import .*|__metaclass__ = type)\n", re.M)


def inline_shared(source: str, root: pathlib.Path = REPO) -> str:
    """The Lambda source with each `# lambda-inline:` import replaced by the module it names."""
    lines, out, index = source.splitlines(True), [], 0
    while index < len(lines):
        line = lines[index]
        match = INLINE.search(line)
        if not match or not line.startswith(("from ", "import ")):
            out.append(line)
            index += 1
            continue
        if line.split("#")[0].rstrip().endswith("("):  # a parenthesised list: skip to its ")"
            while not lines[index].strip().startswith(")"):
                index += 1
        index += 1
        shared = PY2_HEADER.sub("", (root / match.group("path")).read_text()).rstrip()
        out.append(f"# --- inlined from {match.group('path')} ---\n{shared}\n# --- end of {match.group('path')} ---\n")
    return "".join(out)


def render(template: pathlib.Path) -> str:
    text = template.read_text()
    out, position = [], 0
    for match in MARKER.finditer(text):
        indent = match.group("indent")
        body_indent = indent + "  "
        source = inline_shared((template.parent / match.group("source")).read_text())
        out.append(text[position : match.end()])
        out.append("".join(f"{body_indent}{line}" if line.strip() else "\n" for line in source.splitlines(True)))
        # Skip the old block: every following line indented deeper than `ZipFile:` (or blank).
        rest = text[match.end() :]
        old = re.match(rf"(?:(?:{re.escape(body_indent)}.*)?\n)*", rest)
        position = match.end() + old.end()
        if old.group(0) in ("", "\n") or old.group(0).endswith("\n\n"):
            out.append("\n")  # keep the blank line that separates the next resource
    out.append(text[position:])
    return "".join(out)


def templates() -> list[pathlib.Path]:
    return sorted(p for p in REPO.glob("roles/*/files/*.yaml") if MARKER.search(p.read_text()))


def main() -> int:
    check = "--check" in sys.argv
    stale = []
    for template in templates():
        rendered = render(template)
        if rendered != template.read_text():
            stale.append(template.relative_to(REPO))
            if not check:
                template.write_text(rendered)
    if check and stale:
        print("Lambda code out of date in: " + ", ".join(map(str, stale)) + " - run `make lambda-code`")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
