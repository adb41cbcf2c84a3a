"""Write docs/roles.md from every role's meta/argument_specs.yml (the one source of role inputs).

`python tools/role_docs.py` rewrites it; `--check` fails when it is out of date (run by the tests).
"""

from __future__ import annotations

import pathlib
import sys

import yaml

REPO = pathlib.Path(__file__).resolve().parents[1]
TARGET = REPO / "docs/roles.md"


def _cell(value) -> str:
    text = " ".join(value) if isinstance(value, list) else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    lines = [
        "# Role variables",
        "",
        "Generated from each role's `meta/argument_specs.yml` by `make role-docs`;",
        "`ansible-doc -t role ai_model_registry.infra.<role>` shows the same.",
        "",
    ]
    for spec_file in sorted(REPO.glob("roles/*/meta/argument_specs.yml")):
        role = spec_file.parents[1].name
        specs = yaml.safe_load(spec_file.read_text())["argument_specs"]
        lines += [f"## {role}", ""]
        for entry, spec in specs.items():
            lines += [f"### `{entry}` - {_cell(spec.get('short_description', ''))}", ""]
            options = spec.get("options") or {}
            if not options:
                continue
            lines += ["| Variable | Type | Default | Description |", "|---|---|---|---|"]
            for name, option in options.items():
                kind = option.get("type", "str")
                if option.get("elements"):
                    kind += f" of {option['elements']}"
                default = (
                    "required"
                    if option.get("required")
                    else (
                        f"`{option['default']}`" if "default" in option else "from the inventory or the role defaults"
                    )
                )
                description = _cell(option.get("description", ""))
                if option.get("choices"):
                    description += " Choices: " + ", ".join(f"`{c}`" for c in option["choices"]) + "."
                lines.append(f"| `{name}` | {kind} | {_cell(default)} | {description} |")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    rendered = render()
    if "--check" in sys.argv:
        if not TARGET.exists() or TARGET.read_text() != rendered:
            print("docs/roles.md is out of date - run `make role-docs`")
            return 1
        return 0
    TARGET.write_text(rendered)
    return 0


if __name__ == "__main__":
    sys.exit(main())
