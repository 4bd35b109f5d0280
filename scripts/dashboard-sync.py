#!/usr/bin/env python3
"""The operations dashboard has one source, terraform/dashboard.json (read by
terraform/dashboard.tf through templatefile()); CloudFormation cannot read a
file, so cloudformation/connect-scim.yaml carries a copy as the Fn::Sub of the
Dashboard resource's DashboardBody. Both fill the same ${...} placeholders.

  scripts/dashboard-sync.py          check: the copy is the same JSON as the
                                     source, both fill the same placeholders, and
                                     README's Dashboard table names every graph
  scripts/dashboard-sync.py --write  replace the copy with the source

Run by scripts/deploy-checks.sh (check). Needs PyYAML (in its venv).
"""

import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "terraform" / "dashboard.json"
TEMPLATE = REPO / "cloudformation" / "connect-scim.yaml"
TERRAFORM = REPO / "terraform" / "dashboard.tf"
# The copy is the literal block after these two lines, indented by INDENT.
HEAD = ["      DashboardBody: !Sub\n", "        - |\n"]
INDENT = " " * 10


def write():
    lines = TEMPLATE.read_text().splitlines(keepends=True)
    for i in range(len(lines) - 1):
        if lines[i : i + 2] == HEAD:
            start = i + 2
            break
    else:
        sys.exit(f"dashboard-sync: no DashboardBody !Sub block in {TEMPLATE.name}")
    end = start
    while end < len(lines) and (lines[end].startswith(INDENT) or lines[end].strip() == ""):
        end += 1
    copy = [INDENT + line if line.strip() else "\n" for line in SOURCE.read_text().splitlines(keepends=True)]
    TEMPLATE.write_text("".join(lines[:start] + copy + lines[end:]))


def load_template():
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def tag(loader, suffix, node):
        name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {name: value}

    Loader.add_multi_constructor("!", tag)
    return yaml.load(TEMPLATE.read_text(), Loader=Loader)


def check():
    problems = []
    source = json.loads(SOURCE.read_text())
    sub = load_template()["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    copy = json.loads(sub[0])
    if copy != source:
        problems.append(
            f"the DashboardBody in {TEMPLATE.name} differs from terraform/{SOURCE.name}; "
            "run scripts/dashboard-sync.py --write"
        )
    wanted = set(re.findall(r"\$\{(\w+)\}", SOURCE.read_text()))
    if set(sub[1]) != wanted:
        problems.append(f"{TEMPLATE.name} fills {sorted(sub[1])}, the body uses {sorted(wanted)}")
    call = TERRAFORM.read_text().split('templatefile("${path.module}/dashboard.json", {', 1)[-1].split("}", 1)[0]
    filled = set(re.findall(r"^\s*(\w+)\s*=", call, re.M))
    if filled != wanted:
        problems.append(f"terraform/{TERRAFORM.name} fills {sorted(filled)}, the body uses {sorted(wanted)}")
    titles = [w["properties"].get("title") for w in source["widgets"] if w["type"] == "metric"]
    if len(set(titles)) != len(titles) or None in titles:
        problems.append("every metric widget needs a title of its own")
    readme = (REPO / "README.md").read_text()
    for title in titles:
        if f"| {title} |" not in readme:
            problems.append(f"README's Dashboard table has no row for the graph {title!r}")
    for p in problems:
        print(f"dashboard-sync: {p}", file=sys.stderr)
    return not problems


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write()
    elif sys.argv[1:]:
        sys.exit(__doc__)
    else:
        sys.exit(0 if check() else 1)
