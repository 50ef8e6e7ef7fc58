"""Read a notebook's parameters without starting a kernel.

Every kit notebook opens with a code cell tagged ``parameters`` holding annotated
plain scalars::

    symbol: str = "RUT"  # price series (a catalog name)
    start: str = "2018-01-01"  # first date shown (ISO); empty = all history
    window: int = 50  # SMA window in trading days
    ma_windows: list = [50, 200]  # moving-average lengths

followed by one ``sc.params.check(...)`` call. :func:`read` parses both with
:mod:`ast` (nothing is executed): each parameter's name, annotated type,
default (``ast.literal_eval``), help text (the trailing comment) and, when the
check call names one, its :class:`smallcaps.params.Spec` (rebuilt from the
factory's literal arguments) and the call's cross-parameter rules (``order``,
``different``, ``min_months``, ``same_year``). :func:`check` uses them to
reject unknown names, convert command-line text and apply every rule of the
notebook's own check before any kernel starts.
"""

from __future__ import annotations

import ast
import difflib
import io
import json
import re
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import params as P
from .params import ParameterError

__all__ = ["NotebookParameter", "NotebookParameters", "check", "convert", "read", "parse_source"]

_MISSING = object()
_DATE_NAMES = re.compile(r"^(start|end|as_of|asof|since|until|date|from_date|to_date|.*_date)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class NotebookParameter:
    """One parameter of a notebook's ``parameters`` cell.

    Attributes
    ----------
    name : the variable name.
    type : the annotation as written (``"int"``, ``"list[int]"``, ``"str | None"``),
        or the default's type name when there is no annotation.
    default : the literal default (``None`` when it is not a literal; see ``literal``).
    help : the trailing comment on the line, without ``#``.
    literal : False when the default is an expression ``ast.literal_eval`` cannot read.
    validator : name of the ``sc.params`` factory the notebook's check call uses for
        this parameter (``"date"``, ``"integer"``, ``"symbol"``...), or ``None``.
    validator_args : keyword arguments of that factory call when they are literals
        (e.g. ``{"optional": True}``).
    line : 1-based line in the cell.
    """

    name: str
    type: str
    default: Any
    help: str = ""
    literal: bool = True
    validator: str | None = None
    validator_args: dict[str, Any] = field(default_factory=dict)
    line: int = 0
    validator_posargs: tuple[Any, ...] = ()
    literal_args: bool = True

    @property
    def spec(self) -> P.Spec | None:
        """The notebook's own spec for this parameter, or one made from its annotation."""
        if self.validator in P.FACTORIES and self.literal_args:
            try:
                return P.FACTORIES[self.validator](*self.validator_posargs, **self.validator_args)
            except (TypeError, ValueError):
                pass
        return self._spec_from_type()

    def _spec_from_type(self) -> P.Spec | None:
        opt = self.optional
        scalar = {"int": P.integer(optional=opt), "float": P.number(optional=opt),
                  "bool": P.flag(), "str": (P.date(optional=opt) if self.is_date
                                            else P.path(optional=opt) if self.is_path
                                            else P.text(optional=opt))}
        if self.base_type in scalar:
            return scalar[self.base_type]
        if self.base_type == "list":
            item = self.item_type
            if item == "int":
                return P.int_list(min_len=0)
            if item == "float":
                return P.number_list(min_len=0)
            if item == "str":
                return P.Spec("choice_list", item=P.text(), min_len=0)
        return None

    @property
    def base_type(self) -> str:
        """The outer type: ``str``, ``int``, ``float``, ``bool``, ``list``, ``dict`` or ``any``."""
        t = self.type.replace("typing.", "").replace(" ", "")
        t = re.sub(r"^Optional\[(.*)\]$", r"\1", t)
        parts = [p for p in t.split("|") if p not in ("None", "NoneType")]
        t = parts[0] if parts else "any"
        outer = re.split(r"[\[]", t, maxsplit=1)[0].lower()
        return {"list": "list", "tuple": "list", "sequence": "list", "dict": "dict",
                "mapping": "dict", "str": "str", "int": "int", "float": "float",
                "bool": "bool"}.get(outer, "any")

    @property
    def item_type(self) -> str | None:
        """Element type of a list parameter (``list[int]`` or the default's elements)."""
        m = re.search(r"\[\s*(str|int|float|bool)\s*[\],]", self.type)
        if m:
            return m.group(1)
        if isinstance(self.default, (list, tuple)) and self.default:
            kinds = {type(v).__name__ for v in self.default}
            if len(kinds) == 1 and kinds <= {"str", "int", "float", "bool"}:
                return kinds.pop()
        return None

    @property
    def optional(self) -> bool:
        """True when the parameter may be empty / None."""
        if self.validator_args.get("optional") is True:
            return True
        return self.default is None or self.default == "" or "None" in self.type

    @property
    def is_date(self) -> bool:
        """True for date parameters: the check call uses ``date``, or the name or default says so."""
        if self.validator is not None:
            return self.validator == "date"
        if self.base_type not in ("str", "any"):
            return False
        if isinstance(self.default, str) and _ISO_DATE.match(self.default):
            return True
        return bool(_DATE_NAMES.match(self.name))

    @property
    def is_path(self) -> bool:
        """True when the parameter is meant to hold a file or folder path."""
        return bool(re.search(r"(^|_)(path|file|dir|folder)s?($|_)", self.name))


@dataclass(frozen=True)
class NotebookParameters:
    """The parameters of one notebook (see :func:`read`).

    Attributes
    ----------
    notebook : the notebook file.
    parameters : name -> :class:`NotebookParameter`, in cell order.
    check_source : source of the notebook's ``...params.check(...)`` call (the
        first one after the parameters cell), or ``None``.
    check_root : the name the check call starts from (``"sc"`` in
        ``sc.params.check``), or ``None``.
    rules : the check call's literal cross-parameter rules (``order``, ``different``,
        ``min_months``, ``same_year``).
    """

    notebook: Path | None
    parameters: dict[str, NotebookParameter]
    check_source: str | None = None
    check_root: str | None = None
    rules: dict[str, Any] = field(default_factory=dict)

    def __contains__(self, name: object) -> bool:
        return name in self.parameters

    def __getitem__(self, name: str) -> NotebookParameter:
        return self.parameters[name]

    def __iter__(self):
        return iter(self.parameters.values())

    def __len__(self) -> int:
        return len(self.parameters)

    def names(self) -> list[str]:
        return list(self.parameters)

    def defaults(self) -> dict[str, Any]:
        """Name -> default value."""
        return {p.name: p.default for p in self}

    def to_frame(self):
        """A table of name, type, default, validator and help (for ``--help`` style listings)."""
        import pandas as pd

        return pd.DataFrame(
            [{"name": p.name, "type": p.type, "default": p.default, "validator": p.validator,
              "help": p.help} for p in self]
        ).set_index("name")


def _comments(source: str) -> dict[int, str]:
    """Line number -> trailing comment text."""
    out: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                out[tok.start[0]] = tok.string.lstrip("#").strip()
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return out


def parse_source(source: str, notebook: Path | None = None) -> dict[str, NotebookParameter]:
    """Parameters defined by the source of a ``parameters`` cell.

    Only top-level simple assignments count (``name: type = value`` or
    ``name = value``); anything else in the cell is ignored.

    Raises
    ------
    ValueError
        If the cell is not valid Python.
    """
    where = f" of {notebook}" if notebook else ""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ValueError(f"the parameters cell{where} is not valid Python: {exc}") from None
    comments = _comments(source)
    params: dict[str, NotebookParameter] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name, annotation, value = node.target.id, ast.unparse(node.annotation), node.value
        elif (isinstance(node, ast.Assign) and len(node.targets) == 1
              and isinstance(node.targets[0], ast.Name)):
            name, annotation, value = node.targets[0].id, None, node.value
        else:
            continue
        default: Any = None
        literal = value is not None
        if value is not None:
            try:
                default = ast.literal_eval(value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                default, literal = None, False
        if annotation is None:
            annotation = type(default).__name__ if literal and default is not None else "any"
        params[name] = NotebookParameter(
            name=name, type=annotation, default=default, help=comments.get(node.lineno, ""),
            literal=literal, line=node.lineno,
        )
    return params


def _attr_chain(node: ast.AST) -> list[str] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return parts[::-1]
    return None


def _find_check(sources: list[str]) -> tuple[ast.Call, str, str] | None:
    """The first ``<root>.params.check(...)`` or ``params.check(...)`` call."""
    for src in sources:
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                chain = _attr_chain(node.func)
                if chain and len(chain) >= 2 and chain[-2:] == ["params", "check"]:
                    return node, ast.get_source_segment(src, node) or ast.unparse(node), chain[0]
    return None


_RULES = ("order", "different", "min_months", "same_year")


def _literal(node: ast.AST) -> tuple[bool, Any]:
    try:
        return True, ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def _validators(call: ast.Call) -> dict[str, tuple[str, tuple[Any, ...], dict[str, Any], bool]]:
    """Keyword name -> (factory name, literal positional args, literal kwargs, all literal)."""
    out: dict[str, tuple[str, tuple[Any, ...], dict[str, Any], bool]] = {}
    for kw in call.keywords:
        if kw.arg is None or kw.arg in _RULES:
            continue
        value = kw.value
        if isinstance(value, ast.Tuple) and len(value.elts) == 2:
            factory = value.elts[1]
            if isinstance(factory, ast.Call):
                chain = _attr_chain(factory.func)
                if chain:
                    all_literal = not any(isinstance(a, ast.Starred) for a in factory.args)
                    args: dict[str, Any] = {}
                    for k in factory.keywords:
                        ok, v = _literal(k.value) if k.arg is not None else (False, None)
                        if ok and k.arg is not None:
                            args[k.arg] = v
                        all_literal &= ok
                    posargs = []
                    for a in factory.args:
                        ok, v = _literal(a)
                        posargs.append(v)
                        all_literal &= ok
                    first = value.elts[0]
                    key = first.id if isinstance(first, ast.Name) else kw.arg
                    out[key] = (chain[-1], tuple(posargs), args, all_literal)
    return out


def _rules(call: ast.Call) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kw in call.keywords:
        if kw.arg in _RULES:
            ok, v = _literal(kw.value)
            if ok:
                out[kw.arg] = [tuple(x) for x in v]
    return out


def _cell_source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def read(notebook: str | Path) -> NotebookParameters:
    """Parse ``notebook``'s parameters cell (and its check call) without a kernel.

    Parameters
    ----------
    notebook : path to an ``.ipynb`` file.

    Returns
    -------
    NotebookParameters
        Empty when the notebook has no cell tagged ``parameters``.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        The file is not a notebook, or its parameters cell is not valid Python.
    """
    path = Path(notebook)
    if not path.is_file():
        raise FileNotFoundError(f"notebook {path} not found")
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = nb["cells"]
    except (json.JSONDecodeError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} is not a Jupyter notebook ({exc})") from None
    code = [c for c in cells if c.get("cell_type") == "code"]
    idx = next((i for i, c in enumerate(code)
                if "parameters" in (c.get("metadata", {}).get("tags") or [])), None)
    if idx is None:
        return NotebookParameters(path, {})
    params = parse_source(_cell_source(code[idx]), path)
    found = _find_check([_cell_source(c) for c in code[idx + 1:]])
    check_source = check_root = None
    rules: dict[str, Any] = {}
    if found is not None:
        call, check_source, check_root = found
        rules = _rules(call)
        for name, (factory, posargs, args, all_literal) in _validators(call).items():
            if name in params:
                p = params[name]
                params[name] = NotebookParameter(
                    p.name, p.type, p.default, p.help, p.literal, factory, args, p.line,
                    posargs, all_literal)
    return NotebookParameters(path, params, check_source, check_root, rules)


def convert(p: NotebookParameter, value: Any) -> Any:
    """Convert ``value`` (command-line text, or a YAML / Python value) for parameter ``p``.

    Returns the plain value the kernel receives (an ISO string for a date).

    Raises
    ------
    ParameterError
        Naming ``p`` and the rule the value breaks.
    """
    spec = p.spec
    if spec is None:  # an untyped parameter: plain literals only, text checked like any text
        return _any(p.name, value)
    try:
        return spec.from_text(p.name, value)
    except ParameterError as exc:
        if not p.literal:
            raise
        raise ParameterError(p.name, f"{exc.problem} (default {p.default!r})") from None


def _any(name: str, value: Any) -> Any:
    if isinstance(value, str):
        return P.text().validate(name, value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [_any(name, v) for v in value]
    if isinstance(value, dict):
        return {str(k): _any(name, v) for k, v in value.items()}
    raise ParameterError(name, f"unsupported value {type(value).__name__} {value!r}")


def check(spec: NotebookParameters, parameters: Mapping[str, Any] | None = None,
          *, rules: bool = True) -> dict[str, Any]:
    """Check ``parameters`` against a notebook's parameters, without a kernel.

    Every given name must exist; each value is converted by its spec
    (:func:`convert`); then, on the given values over the defaults, every spec
    and cross-parameter rule of the notebook's own check call is applied, so a
    value the notebook would refuse is refused here, with the same message.

    Returns
    -------
    dict
        The given parameters, converted (defaults are not added).

    Raises
    ------
    ParameterError
        Unknown name (with close matches), a bad value, or a broken rule.
    """
    where = spec.notebook.name if spec.notebook is not None else "the notebook"
    out: dict[str, Any] = {}
    for name, value in dict(parameters or {}).items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ParameterError(str(name), "is not a valid parameter name")
        if name not in spec:
            known = spec.names()
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            listing = (f" (parameters: {', '.join(known)})" if known
                       else " (it has no parameters cell)")
            raise ParameterError(name, f"{where} has no such parameter{hint}{listing}")
        out[name] = convert(spec[name], value)
    if rules:
        normalised: dict[str, Any] = {}
        for p in spec:
            if not p.literal and p.name not in out:
                continue  # a computed default: the kernel checks it
            s = p.spec if p.validator is not None else None
            value = out.get(p.name, p.default)
            normalised[p.name] = s.validate(p.name, value) if s is not None else value
        P.check_rules(normalised, **{k: v for k, v in spec.rules.items()})
    return out
