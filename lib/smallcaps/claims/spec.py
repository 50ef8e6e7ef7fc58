"""Reading and validating claims files (YAML).

The whole file is validated before anything is checked or printed: every problem is
collected and reported at once, each naming the claim id and the field
("claim 'sma50', field check.date: '2025-13-01' is not a date (YYYY-MM-DD)").
Structure and per-kind fields follow ``schema.json`` (JSON Schema 2020-12, shipped
with the package); the rules a schema cannot express (unique ids, outputs named in
``expect``, the type of each expected output) are checked here against the kind
registry.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .._core.imports import jsonschema_without_iri
from .registry import KINDS

__all__ = ["Claim", "ClaimsFile", "ClaimsFileError", "Figure", "parse", "read", "schema"]


class ClaimsFileError(ValueError):
    """A claims file that cannot be checked; ``problems`` lists every problem found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem{'s' if len(problems) > 1 else ''}"
                         f"\n{lines}")


class Figure(float):
    """A number as written in the file; ``decimals`` is how many digits follow the point
    (the default tolerance is half a unit in that last digit)."""

    decimals: int

    def __new__(cls, value: float, decimals: int) -> Figure:
        obj = super().__new__(cls, value)
        obj.decimals = decimals
        return obj


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps the written precision of numbers, and leaves an invalid date
    ("2025-13-01") as text so that validation can name the claim and the field."""


def _float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    value = loader.construct_yaml_float(node)
    text = str(node.value).lower().replace("_", "")
    m = re.fullmatch(r"[-+]?\d*\.(\d+)", text)
    return Figure(value, len(m.group(1)) if m else 0)


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:float", _float)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


@cache
def schema() -> dict[str, Any]:
    """The JSON schema of claims files (``smallcaps/claims/schema.json``)."""
    text = resources.files(__package__).joinpath("schema.json").read_text(encoding="utf-8")
    return json.loads(text)


@dataclass(frozen=True)
class Claim:
    """One statement: what to measure (``check``), what the note says (``expect``)."""

    id: str
    kind: str
    check: dict[str, Any]
    expect: Any
    tolerance: Any = None
    text: str = ""


@dataclass(frozen=True)
class ClaimsFile:
    """A validated claims file."""

    claims: list[Claim]
    as_of: pd.Timestamp | None = None
    source: str = ""
    path: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


def _jsonable(x: Any) -> Any:
    """YAML values as JSON types for the schema (dates as ISO text; Figures stay floats)."""
    if isinstance(x, dt.datetime):
        return x.date().isoformat() if x.time() == dt.time() else x.isoformat()
    if isinstance(x, dt.date):
        return x.isoformat()
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_jsonable(v) for v in x]
    if isinstance(x, float) and not isinstance(x, Figure):  # built in Python, not read
        m = re.fullmatch(r"-?\d+\.(\d+)", repr(x))
        return Figure(x, len(m.group(1)) if m else 0)
    return x


def _who(item: Any, i: int) -> str:
    cid = item.get("id") if isinstance(item, dict) else None
    return f"claim {cid!r}" if isinstance(cid, str) and cid else f"claim #{i + 1}"


def _where(doc: dict[str, Any], path: list[Any]) -> tuple[int, str, str]:
    """(claim number or -1 for the file, 'claim 'id'' or 'file', dotted field)."""
    if len(path) >= 2 and path[0] == "claims" and isinstance(path[1], int):
        i = path[1]
        item = doc["claims"][i] if i < len(doc.get("claims") or []) else None
        return i, _who(item, i), ".".join(str(p) for p in path[2:])
    return -1, "file", ".".join(str(p) for p in path)


def _message(err: Any) -> str:
    v, inst = err.validator, err.instance
    desc = err.schema.get("x-message") or err.schema.get("description", "")
    if v == "required":
        missing = [r for r in err.validator_value if r not in (inst or {})]
        if not missing:
            return err.message
        return f"missing field{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}"
    if v == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        extra = sorted(set(inst) - set(allowed))
        return (f"unknown field{'s' if len(extra) > 1 else ''} {', '.join(map(repr, extra))}"
                f" (allowed: {', '.join(allowed)})")
    if v == "enum":
        return f"{inst!r} is not one of: {', '.join(map(str, err.validator_value))}"
    if v in ("format", "pattern") and "date" in desc:
        return f"{inst!r} is not {desc.split(',')[0]} ({desc.split(', ')[-1]})"
    if v == "type":
        want = err.validator_value
        want = " or ".join(want) if isinstance(want, list) else want
        return f"{inst!r} is not {'an' if want[0] in 'aeiou' else 'a'} {want}"
    if v in ("anyOf", "oneOf") and desc:
        return f"{inst!r}: {desc}" if not isinstance(inst, dict) else desc
    if v == "minItems":
        return f"{inst!r}: give at least {err.validator_value} value{'s' if err.validator_value > 1 else ''}"
    if v in ("minimum", "exclusiveMinimum", "maximum", "minItems", "minLength", "uniqueItems",
             "pattern", "const"):
        return f"{inst!r}: {err.message.split(' is ', 1)[-1] if ' is ' in err.message else err.message}"
    return err.message


def _schema_problems(doc: dict[str, Any]) -> list[tuple[int, str]]:
    jsonschema = jsonschema_without_iri()  # the schema has no iri formats

    sch = json.loads(json.dumps(schema()))
    # kinds registered at run time are valid kinds; their fields are checked below
    sch["$defs"]["claim"]["properties"]["check"]["properties"]["kind"]["enum"] = sorted(KINDS)
    validator = jsonschema.Draft202012Validator(
        sch, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    out = []
    for err in sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path]):
        path = list(err.absolute_path)
        i, who, fld = _where(doc, path)
        if fld == "check.kind" and err.validator == "enum":
            msg = f"unknown kind {err.instance!r} (kinds: {', '.join(sorted(KINDS))})"
        else:
            msg = _message(err)
        out.append((i, f"{who}, field {fld}: {msg}" if fld else f"{who}: {msg}"))
    return out


_MONTH_OR_YEAR = re.compile(r"^\d{4}(-\d{2})?$")


def _canonical(kind: str, value: Any) -> Any:
    """``expect`` / ``tolerance`` mappings with output aliases resolved."""
    if not isinstance(value, dict):
        return value
    aliases = KINDS[kind].aliases
    return {aliases.get(k, k): v for k, v in value.items()}


def _check_expect(who: str, kind: str, expect: Any, tolerance: Any) -> list[str]:
    k = KINDS[kind]
    out = []
    expect, tolerance = _canonical(kind, expect), _canonical(kind, tolerance)
    items = expect.items() if isinstance(expect, dict) else [(k.primary, expect)]
    for name, value in items:
        fld = f"expect.{name}" if isinstance(expect, dict) else "expect"
        if name not in k.outputs:
            out.append(f"{who}, field {fld}: {kind} has no output {name!r} "
                       f"(outputs: {', '.join(k.outputs)})")
            continue
        t = k.outputs[name]
        if t in ("number", "count") and (isinstance(value, bool) or
                                         not isinstance(value, (int, float))):
            hint = " (write numbers without thousands separators or %)" \
                if isinstance(value, str) else ""
            out.append(f"{who}, field {fld}: {value!r} is not a number{hint}")
        elif t == "count" and float(value) != int(value):
            out.append(f"{who}, field {fld}: {value!r} is not a whole number (a count)")
        elif t == "bool" and not isinstance(value, bool):
            out.append(f"{who}, field {fld}: {value!r} is not true or false")
        elif t == "date":
            ok = isinstance(value, str) and (_MONTH_OR_YEAR.match(value) or
                                             re.match(r"^\d{4}-\d{2}-\d{2}$", value))
            if ok and len(value) == 10:
                try:
                    dt.date.fromisoformat(value)
                except ValueError:
                    ok = False
            if not ok:
                out.append(f"{who}, field {fld}: {value!r} is not a date (YYYY-MM-DD, "
                           "or YYYY-MM / YYYY for a month / year)")
        elif t == "text" and not isinstance(value, str):
            out.append(f"{who}, field {fld}: {value!r} is not text")
    if isinstance(tolerance, dict):
        for name in tolerance:
            if name not in k.outputs:
                out.append(f"{who}, field tolerance.{name}: {kind} has no output {name!r}")
    return out


def _semantic_problems(doc: dict[str, Any]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(doc.get("claims") or []):
        if not isinstance(item, dict):
            continue
        cid = item.get("id")
        who = _who(item, i)
        if isinstance(cid, str):
            if cid in seen:
                who = f"{who} (claim #{i + 1})"
                out.append((i, f"{who}, field id: used twice (claims #{seen[cid] + 1} and #{i + 1})"))
            seen.setdefault(cid, i)
        check = item.get("check")
        kind = check.get("kind") if isinstance(check, dict) else None
        if not isinstance(kind, str) or kind not in KINDS:
            continue
        k = KINDS[kind]
        if f"check_{kind}" not in schema()["$defs"]:  # a kind registered at run time
            for f in k.required:
                if f not in check:
                    out.append((i, f"{who}, field check: missing field {f!r}"))
            for f in sorted(set(check) - set(k.fields)):
                out.append((i, f"{who}, field check: unknown field {f!r} "
                               f"(allowed: {', '.join(k.fields)})"))
        if "expect" in item:
            out += [(i, m) for m in _check_expect(who, kind, item["expect"],
                                                   item.get("tolerance"))]
    return out


def parse(doc: Any, source: str = "claims") -> ClaimsFile:
    """Validate a loaded claims document and build the :class:`ClaimsFile`.

    Raises
    ------
    ClaimsFileError
        Listing every problem, each naming the claim id and the field.
    """
    if not isinstance(doc, dict):
        raise ClaimsFileError(source, ["the file must be a mapping with a 'claims' list "
                                       f"(got {type(doc).__name__})"])
    data = _jsonable(doc)
    found = sorted(_schema_problems(data) + _semantic_problems(data), key=lambda p: p[0])
    problems = list(dict.fromkeys(m for _, m in found))  # in file order, each once
    if problems:
        raise ClaimsFileError(source, problems)
    claims = []
    for item in data["claims"]:
        check = {k: v for k, v in item["check"].items() if k != "kind"}
        kind = item["check"]["kind"]
        claims.append(Claim(id=item["id"], kind=kind, check=check,
                            expect=_canonical(kind, item["expect"]),
                            tolerance=_canonical(kind, item.get("tolerance")),
                            text=item.get("text", "")))
    as_of = pd.Timestamp(data["as_of"]) if data.get("as_of") else None
    return ClaimsFile(claims, as_of, data.get("source", ""), raw=data)


def read(path: str | Path) -> ClaimsFile:
    """Read and validate a claims file.

    Raises
    ------
    ClaimsFileError
        File missing or unreadable, YAML syntax errors (with the line), or invalid
        content (every problem, naming the claim id and field).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ClaimsFileError(str(p), [f"cannot read the file: {exc}"]) from None
    try:
        doc = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ClaimsFileError(str(p), [f"not valid YAML: {where}{getattr(exc, 'problem', exc)}"]) from None
    cf = parse(doc, str(p))
    return ClaimsFile(cf.claims, cf.as_of, cf.source, p, cf.raw)
