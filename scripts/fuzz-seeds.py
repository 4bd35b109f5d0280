#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (fuzz/seeds/<target>/) from the inputs
the tests already use: filter strings from the filter tests and the `filter=`
query strings of the integration tests, and the JSON bodies of `json!(...)`
literals and raw-string JSON objects (PATCH bodies, Users, Groups) that
are plain JSON.
Run from the repository root: python3 scripts/fuzz-seeds.py"""
import hashlib
import json
import pathlib
import re
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SOURCES = sorted(
    list((ROOT / "src" / "scim").rglob("*.rs")) + list((ROOT / "tests").rglob("*.rs"))
)


def json_macros(text):
    """The argument text of every json!(...) macro, balanced on brackets."""
    for match in re.finditer(r"json!\(", text):
        depth, i = 1, match.end()
        in_str = False
        while i < len(text) and depth:
            c = text[i]
            if in_str:
                if c == "\\":
                    i += 1
                elif c == '"':
                    in_str = False
            elif c == '"':
                in_str = True
            elif c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
            i += 1
        yield text[match.end() : i - 1]


def as_json(snippet):
    cleaned = re.sub(r",(\s*[\]}])", r"\1", snippet)
    try:
        return json.loads(cleaned)
    except ValueError:
        return None


def filters(text):
    for m in re.finditer(r'(?:parse|Filter::parse)\(\s*r#"(.*?)"#', text, re.S):
        yield m.group(1)
    for m in re.finditer(r'(?:parse|Filter::parse)\(\s*"((?:[^"\\]|\\.)*)"', text):
        yield bytes(m.group(1), "utf-8").decode("unicode_escape")
    for m in re.finditer(r"filter=([^&\"\s]+)", text):
        yield urllib.parse.unquote_plus(m.group(1))


def main():
    seeds = {"filter": set(), "patch": set(), "user": set(), "group": set()}
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        seeds["filter"].update(f for f in filters(text) if f and "{" not in f)
        raw = [m.group(1) for m in re.finditer(r'r#"(\{.*?\})"#', text, re.S)]
        for snippet in list(json_macros(text)) + raw:
            value = as_json(snippet)
            if isinstance(value, list) and value and all(
                isinstance(op, dict) and "op" in op for op in value
            ):
                value = {"schemas": [PATCH_OP], "Operations": value}
            if not isinstance(value, dict):
                continue
            encoded = json.dumps(value, sort_keys=True)
            if "Operations" in value or "operations" in value:
                seeds["patch"].add(encoded)
            elif "userName" in value:
                seeds["user"].add(encoded)
            elif "displayName" in value or "members" in value:
                seeds["group"].add(encoded)
    for target, inputs in seeds.items():
        folder = ROOT / "fuzz" / "seeds" / target
        folder.mkdir(parents=True, exist_ok=True)
        for item in sorted(inputs):
            data = item.encode("utf-8")
            (folder / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)
        print(f"{target}: {len(inputs)} seeds")


if __name__ == "__main__":
    main()
