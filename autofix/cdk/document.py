"""A CDK Python app parsed with libcst: nodes, what they refer to, and where they are.

`CdkDocument(text)` parses the file (libcst keeps every byte: comments, quotes, blank lines),
resolves names through the file's imports (`rds.PostgresEngineVersion.VER_14_7`,
`cdk.aws_rds.PostgresEngineVersion...`, `from aws_cdk.aws_rds import PostgresEngineVersion` all
name `aws_cdk.aws_rds.PostgresEngineVersion.VER_14_7`) and maps nodes to character offsets of
the text, so rules emit `Edit`s exactly like the CloudFormation rules.

Files that do not import `aws_cdk` raise `NotATemplate` (the engine skips them); a syntax error
in a CDK file raises `TemplateError` with its line and column.  Positions come from libcst's
`PositionProvider` (lines and columns in characters of the text, not bytes of its encoding).
"""

from __future__ import annotations

import ast
import bisect
import re
from functools import cached_property
from typing import Iterable, Iterator, Sequence

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from autofix.cfn.document import NotATemplate, TemplateError
from autofix.fixes import Edit

CDK = "aws_cdk"
#: CDK app sources are small; a Python file this large is generated code (a vendored
#: aws_cdk package, say), which libcst would take minutes to analyse
MAX_CHARS = 1_000_000
_NEWLINE = re.compile(r"\r\n?|\n")  # libcst's own definition of a line break
_CDK_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+aws_cdk\b|import[ \t][^#\n]*\baws_cdk\b)", re.M)
_ERROR_AT = re.compile(r"error at (\d+):(\d+)")
_LONE_CR = re.compile(r"\r(?!\n)")


def _normalize(name: str) -> str:
    """CDK v1 kept the core classes in `aws_cdk.core`; v2 in `aws_cdk`: compare them as one."""
    if name.startswith("aws_cdk.core."):
        return "aws_cdk." + name[len("aws_cdk.core."):]
    return name


def _syntax_error(text: str, e: cst.ParserSyntaxError) -> TemplateError:
    """A TemplateError at the error's line and column.  Python's own parser words errors best
    ("Missing parentheses in call to 'print'") and points where the mistake is; libcst's position
    is where it gave up, used when Python accepts the file (syntax newer than libcst knows)."""
    try:
        ast.parse(text)
    except SyntaxError as se:
        if se.lineno:
            return TemplateError(f"Python syntax error: {se.msg}", se.lineno, se.offset or 0)
    except (ValueError, RecursionError, MemoryError):
        pass
    line, column = e.raw_line, e.raw_column + 1
    m = _ERROR_AT.search(e.message)
    if m:
        line, column = int(m.group(1)), int(m.group(2)) + 1
    message = re.sub(r"^(parser|tokenizer) error: (error at \d+:\d+: )?", "", e.message)
    return TemplateError(f"Python syntax error: {message}", line, column)


def _module_name(node: cst.BaseExpression | None) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _module_name(node.value)
        return f"{base}.{node.attr.value}" if base else ""
    return ""


def last_name(node: cst.BaseExpression | None) -> str | None:
    """`rds.PostgresEngineVersion` -> "PostgresEngineVersion"; `Bucket` -> "Bucket"."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


class _Collector(cst.CSTVisitor):
    """One pass over the tree: calls, attributes, imports, names, and the bits of parent
    information the rules need (which call an attribute is the function of; which keyword
    argument an expression sits in)."""

    def __init__(self) -> None:
        self.calls: list[cst.Call] = []
        self.attributes: list[cst.Attribute] = []
        self.imports: list[cst.Import | cst.ImportFrom] = []
        self.names: set[str] = set()
        self.call_of: dict[cst.CSTNode, cst.Call] = {}
        self.import_bindings: dict[str, set[str]] = {}
        self.other_bindings: set[str] = set()
        self.keyword_of: dict[cst.CSTNode, tuple[str, ...]] = {}
        self._keywords: list[str] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(node)
        self.call_of[node.func] = node

    def visit_Arg(self, node: cst.Arg) -> None:
        self._keywords.append(node.keyword.value if node.keyword is not None else "")

    def leave_Arg(self, original_node: cst.Arg) -> None:
        self._keywords.pop()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.attributes.append(node)
        if self._keywords:
            self.keyword_of[node] = tuple(self._keywords)

    def visit_Import(self, node: cst.Import) -> None:
        self.imports.append(node)
        for alias in node.names:
            full = _module_name(alias.name)
            if alias.asname is not None:
                self._bind_import(_module_name(alias.asname.name), full)
            else:  # `import aws_cdk.aws_rds` binds `aws_cdk`
                top = full.split(".", 1)[0]
                self._bind_import(top, top)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.imports.append(node)
        if isinstance(node.names, cst.ImportStar):
            return
        module = "" if node.relative else _module_name(node.module)
        for alias in node.names:
            name = _module_name(alias.name)
            local = _module_name(alias.asname.name) if alias.asname is not None else name
            self._bind_import(local, f"{module}.{name}" if module else f".{name}")

    def _bind_import(self, local: str, target: str) -> None:
        self.import_bindings.setdefault(local, set()).add(target)

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)

    # every other way a name gets a value: a name bound so is not (only) an import
    def _store(self, node: cst.CSTNode | None) -> None:
        if isinstance(node, cst.Name):
            self.other_bindings.add(node.value)
        elif isinstance(node, (cst.Tuple, cst.List)):
            for el in node.elements:
                self._store(el.value)
        elif isinstance(node, cst.StarredElement):
            self._store(node.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for t in node.targets:
            self._store(t.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._store(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._store(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._store(node.target)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._store(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._store(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._store(node.asname.name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._store(node.name.name)

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        if node.name is not None:
            self._store(node.name.name)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._store(node.name)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._store(node.name)

    def visit_Param(self, node: cst.Param) -> None:
        self._store(node.name)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        self._store(node.name)

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        self._store(node.name)

    def visit_MatchMapping(self, node: cst.MatchMapping) -> None:
        self._store(node.rest)


def _imports_cdk(node: cst.Import | cst.ImportFrom) -> bool:
    if isinstance(node, cst.ImportFrom):
        if node.relative:
            return False
        name = _module_name(node.module)
        return name == CDK or name.startswith(CDK + ".")
    return any(_module_name(a.name) == CDK or _module_name(a.name).startswith(CDK + ".") for a in node.names)


class CdkDocument:
    """A parsed CDK Python file.  `text` is the source; nothing here modifies it."""

    language = "cdk"

    def __init__(self, text: str):
        self.text = text
        if not _CDK_IMPORT.search(text):
            raise NotATemplate("not an AWS CDK app: it does not import aws_cdk")
        if len(text) > MAX_CHARS:
            raise NotATemplate(f"not an AWS CDK app: {len(text):,} characters of Python is generated code")
        try:
            module = cst.parse_module(text)
        except cst.ParserSyntaxError as e:
            raise _syntax_error(text, e) from None
        lone_cr = _LONE_CR.search(text)
        if lone_cr:  # libcst would write it back as another line ending: offsets would drift
            line = len(_NEWLINE.findall(text, 0, lone_cr.start())) + 1
            raise TemplateError("old Mac line endings (a lone \\r) are not supported; file left unchanged", line)
        self.wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self.module = self.wrapper.module
        collector = _Collector()
        self.module.visit(collector)
        self.calls: list[cst.Call] = collector.calls
        self.attributes: list[cst.Attribute] = collector.attributes
        self.imports = collector.imports
        self.names_used = collector.names
        self._call_of = collector.call_of
        self._import_bindings = collector.import_bindings
        self._other_bindings = collector.other_bindings
        self._keyword_of = collector.keyword_of
        if not any(_imports_cdk(i) for i in self.imports):
            raise NotATemplate("not an AWS CDK app: it does not import aws_cdk")
        self._line_starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]

    # ---- metadata ------------------------------------------------------------------------------
    @cached_property
    def _positions(self):
        return self.wrapper.resolve(PositionProvider)

    def call_of(self, func: cst.CSTNode) -> cst.Call | None:
        """The call whose function `func` is (`X.of` in `X.of("14.7")`), or None."""
        return self._call_of.get(func)

    def enclosing_keywords(self, attr: cst.Attribute) -> tuple[str, ...]:
        """Keywords of the arguments an attribute sits in, outermost first ("" for positional)."""
        return self._keyword_of.get(attr, ())

    def local_names(self, name: str) -> set[str]:
        """The names under which the file can refer to `name` (`Bucket`, or `B` after
        `from aws_cdk.aws_s3 import Bucket as B`): a cheap filter before resolving imports."""
        out = {name}
        for local, targets in self._import_bindings.items():
            if any(t.rsplit(".", 1)[-1] == name for t in targets):
                out.add(local)
        return out

    def cdk_name(self, node: cst.CSTNode) -> str | None:
        """The aws_cdk name an expression refers to through the file's imports
        (`rds.PostgresEngineVersion.VER_14_7` -> `aws_cdk.aws_rds.PostgresEngineVersion.VER_14_7`),
        or None when it refers to something else or might: its first name is not imported from
        aws_cdk, is imported as different things, or is also assigned, a parameter, a loop
        variable... anywhere in the file.  (libcst's scope analysis would be exact but takes
        seconds on a modest file; this is one dictionary lookup.)"""
        parts: list[str] = []
        cur = node
        while isinstance(cur, cst.Attribute):
            parts.append(cur.attr.value)
            cur = cur.value
        if not isinstance(cur, cst.Name):
            return None
        base = cur.value
        targets = self._import_bindings.get(base)
        if not targets or len(targets) != 1 or base in self._other_bindings:
            return None
        (target,) = targets
        name = _normalize(".".join([target, *reversed(parts)]))
        return name if name.startswith(CDK + ".") else None

    # ---- positions -----------------------------------------------------------------------------
    def offset(self, line: int, column: int) -> int:
        """Character offset of a libcst position (1-based line, 0-based column)."""
        return self._line_starts[line - 1] + column

    def span(self, node: cst.CSTNode) -> tuple[int, int]:
        r = self._positions[node]
        return self.offset(r.start.line, r.start.column), self.offset(r.end.line, r.end.column)

    def source(self, node: cst.CSTNode) -> str:
        start, end = self.span(node)
        return self.text[start:end]

    def where(self, node: cst.CSTNode) -> tuple[int, int]:
        """1-based (line, column) of a node, for reports and `# autofix: ignore` comments."""
        r = self._positions[node]
        return r.start.line, r.start.column + 1

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self._line_starts, offset)

    def line_text(self, n: int) -> str:
        """Line `n` (1-based) without its line break; "" past the end."""
        if n < 1 or n > len(self._line_starts):
            return ""
        start = self._line_starts[n - 1]
        end = self._line_starts[n] if n < len(self._line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def _newline_at(self, offset: int) -> str:
        m = _NEWLINE.match(self.text, offset)
        return m.group(0) if m else self.module.default_newline

    def _line_end(self, offset: int) -> int:
        """Offset of the line break ending the line that holds `offset` (or the end of text)."""
        m = _NEWLINE.search(self.text, offset)
        return m.start() if m else len(self.text)

    def _indent_of_line(self, offset: int) -> str:
        start = self._line_starts[self.line_of(offset) - 1]
        line = self.text[start:self._line_end(start)]
        return line[: len(line) - len(line.lstrip(" \t"))]

    # ---- calls ---------------------------------------------------------------------------------
    def calls_to(self, names: Iterable[str]) -> Iterator[tuple[str, cst.Call]]:
        """(name, call) for every call of one of these aws_cdk names (`aws_cdk.aws_s3.Bucket`)."""
        wanted = set(names)
        short: set[str] = set()
        for n in wanted:
            short |= self.local_names(n.rsplit(".", 1)[-1])
        for call in self.calls:
            if last_name(call.func) not in short:
                continue
            name = self.cdk_name(call.func)
            if name in wanted:
                yield name, call

    @staticmethod
    def keyword(call: cst.Call, name: str) -> cst.Arg | None:
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == name and not arg.star:
                return arg
        return None

    @staticmethod
    def has_star_args(call: cst.Call) -> bool:
        return any(arg.star for arg in call.args)

    @staticmethod
    def construct_id(call: cst.Call) -> str | None:
        """The construct id (second positional argument, or `id=`) when it is a plain string literal."""
        positional = [a for a in call.args if a.keyword is None and not a.star]
        node = positional[1].value if len(positional) >= 2 else None
        for a in call.args:
            if a.keyword is not None and a.keyword.value in ("id", "construct_id"):
                node = a.value
        if isinstance(node, cst.SimpleString):
            value = node.evaluated_value
            return value if isinstance(value, str) else None
        return None

    def add_keywords(self, call: cst.Call, entries: Sequence[tuple[str, str]]) -> list[Edit] | None:
        """Edits adding `name=value` keyword arguments at the end of a call, in the call's own
        layout: on one line `f(a, b)` -> `f(a, b, name=value)`; one argument per line -> each new
        argument on its own line with the last argument's indentation, keeping the call's
        trailing-comma convention and any comment after the last argument where it is.

        None when the call cannot take them safely (no arguments, or `*args` / `**kwargs` that
        might already carry them)."""
        args = list(call.args)
        if not args or not entries or self.has_star_args(call):
            return None
        last = args[-1]
        _, last_end = self.span(last)
        last_start = self.span(last)[0]
        func_end = self.span(call.func)[1]
        paren = self.text.find("(", func_end)
        items = [f"{k}={v}" for k, v in entries]
        comma = last.comma if isinstance(last.comma, cst.Comma) else None
        if self.line_of(last_start) <= self.line_of(paren):  # a call on one line
            if comma is not None:
                end = self.span(comma)[1]
                return [Edit(end, end, " " + ", ".join(items) + ",")]
            return [Edit(last_end, last_end, ", " + ", ".join(items))]
        indent = self._indent_of_line(last_start)
        if comma is not None:
            anchor = self.span(comma)[1]
            eol = self._line_end(anchor)
            rest = self.text[anchor:eol].strip(" \t")
            nl = self._newline_at(eol)
            block = "".join(f"{nl}{indent}{item}," for item in items)
            if rest == "" or rest.startswith("#"):
                return [Edit(eol, eol, block)]
            return [Edit(anchor, anchor, block)]  # `b=2,)`: before the closing parenthesis
        eol = self._line_end(last_end)
        rest = self.text[last_end:eol].strip(" \t")
        nl = self._newline_at(eol)
        block = "".join(f",{nl}{indent}{item}" for item in items)
        if rest.startswith("#"):  # keep the comment on the line of the argument it annotates
            return [Edit(last_end, last_end, ","), Edit(eol, eol, block[1:])]
        return [Edit(last_end, last_end, block)]

    # ---- imports -------------------------------------------------------------------------------
    def _module_level_imports(self) -> Iterator[cst.Import | cst.ImportFrom]:
        for stmt in self.module.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, (cst.Import, cst.ImportFrom)):
                        yield small

    @cached_property
    def uses_cdk_v1(self) -> bool:
        for imp in self.imports:
            if isinstance(imp, cst.ImportFrom) and not imp.relative:
                mod = _module_name(imp.module)
                if mod == "aws_cdk.core":
                    return True
                if mod == CDK and not isinstance(imp.names, cst.ImportStar):
                    if any(_module_name(a.name) == "core" for a in imp.names):
                        return True
            elif isinstance(imp, cst.Import) and any(_module_name(a.name) == "aws_cdk.core" for a in imp.names):
                return True
        return False

    def core_expression(self, cls: str) -> tuple[str, list[Edit]] | None:
        """How to write the aws_cdk core class `cls` (e.g. RemovalPolicy) at module level with the
        file's imports: `RemovalPolicy`, `cdk.RemovalPolicy`, `core.RemovalPolicy`, ... plus the
        edits adding an import when no import gives access to it (None when that import would
        shadow another name)."""
        target = f"{CDK}.{cls}"
        alias_module = None
        for imp in self._module_level_imports():
            if isinstance(imp, cst.ImportFrom):
                if imp.relative or isinstance(imp.names, cst.ImportStar):
                    continue
                mod = _module_name(imp.module)
                for a in imp.names:
                    name = _module_name(a.name)
                    local = _module_name(a.asname.name) if a.asname else name
                    if _normalize(f"{mod}.{name}") == target:
                        return local, []
                    if mod == CDK and name == "core":
                        alias_module = alias_module or local
            else:
                for a in imp.names:
                    name = _module_name(a.name)
                    if a.asname and name in (CDK, "aws_cdk.core"):
                        alias_module = alias_module or _module_name(a.asname.name)
                    elif not a.asname and (name == CDK or name.startswith(CDK + ".")):
                        full = "aws_cdk.core" if name.startswith("aws_cdk.core") else CDK
                        alias_module = alias_module or full
        if alias_module:
            return f"{alias_module}.{cls}", []
        if cls in self.names_used:
            return None  # the bare name means something else here
        anchor = None
        for stmt in self.module.body:
            if isinstance(stmt, cst.SimpleStatementLine) and any(
                isinstance(s, (cst.Import, cst.ImportFrom)) and _imports_cdk(s) for s in stmt.body
            ):
                anchor = stmt
        if anchor is None:
            return None
        _, end = self.span(anchor)
        eol = self._line_end(end)
        nl = self._newline_at(eol)
        source = "aws_cdk.core" if self.uses_cdk_v1 else CDK
        if eol == len(self.text):
            return cls, [Edit(eol, eol, f"{self.module.default_newline}from {source} import {cls}")]
        return cls, [Edit(eol + len(nl), eol + len(nl), f"from {source} import {cls}{nl}")]
