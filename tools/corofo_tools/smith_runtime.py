"""The C++ runtime of coro-smith's programs, from tools/coro-smith-runtime.h.

coro-smith's programs are single files: the runtime they start with (the
checksum helpers, the executor, the awaiters, task, eager and gen) is copied
into each one. It lives in a real header so that it can be read, edited and
compiled as C++; what a program needs of it (from its features and its
seed) is said by SMITH_* macros, which render() resolves while copying:

  - `#if`/`#elif`/`#else`/`#endif` lines whose condition names a SMITH_
    macro are evaluated and dropped, together with the lines they leave out
    (conditions: SMITH_ names, integers, ! && || == != < > <= >= and
    parentheses);
  - a SMITH_ name in any other line is replaced by its value;
  - every other line is copied as it is, preprocessor lines included.

Only the lines between `// coro-smith-runtime: begin` and `... end` are
copied; what is before them (the header's documentation and the macros'
defaults) is not.
"""

import os
import re
from typing import Dict, List, Optional, Union

HEADER = os.path.join(os.path.dirname(os.path.dirname(
    os.path.realpath(__file__))), "coro-smith-runtime.h")
BEGIN = "// coro-smith-runtime: begin"
END = "// coro-smith-runtime: end"

Value = Union[bool, int, str]

_NAME = re.compile(r"(?<![A-Za-z0-9_])SMITH_[A-Z0-9_]+\b")
_DIRECTIVE = re.compile(r"^\s*#\s*(if|ifdef|ifndef|elif|else|endif)\b(.*)$")
_TOKEN = re.compile(r"\s*(SMITH_[A-Z0-9_]+|\d+|&&|\|\||==|!=|<=|>=|[!<>()])")


class TemplateError(Exception):
    """The header is malformed, or names a SMITH_ macro it was not given."""


def _eval(cond: str, values: Dict[str, Value], where: str) -> bool:
    """The value of a preprocessor condition over SMITH_ names."""
    words, pos = [], 0
    cond = cond.split("//", 1)[0].strip()
    while pos < len(cond):
        m = _TOKEN.match(cond, pos)
        if not m:
            raise TemplateError("%s: cannot evaluate #if %s" % (where, cond))
        tok, pos = m.group(1), m.end()
        if tok.startswith("SMITH_"):
            if tok[len("SMITH_"):] not in values:
                raise TemplateError("%s: no value for %s" % (where, tok))
            v = values[tok[len("SMITH_"):]]
            if isinstance(v, str):
                raise TemplateError("%s: %s is text, not a condition"
                                    % (where, tok))
            words.append(str(int(v)))
        else:
            words.append({"&&": " and ", "||": " or ", "!": " not "}.get(
                tok, tok))
    try:
        return bool(eval("".join(words), {"__builtins__": {}}, {}))
    except SyntaxError:
        raise TemplateError("%s: cannot evaluate #if %s" % (where, cond))


class _Frame:
    """An open #if: ours (a SMITH_ condition) or the program's."""

    def __init__(self, ours: bool, outer: bool, taken: bool):
        self.ours = ours
        self.outer = outer      # whether the lines around the #if are kept
        self.taken = taken      # whether a branch was chosen already
        self.active = outer and taken if ours else outer


def render(values: Dict[str, Value], path: Optional[str] = None) -> List[str]:
    """The runtime's lines (without newlines) for `values`: NAME -> value of
    SMITH_NAME; a bool or int in conditions, any value in other lines."""
    path = path or HEADER
    with open(path) as f:
        lines = f.read().split("\n")
    try:
        first, last = lines.index(BEGIN), lines.index(END)
    except ValueError:
        raise TemplateError("%s: no '%s' ... '%s' lines" % (path, BEGIN, END))

    def substitute(m: "re.Match[str]") -> str:
        name = m.group(0)[len("SMITH_"):]
        if name not in values:
            raise TemplateError("%s:%d: no value for %s"
                                % (path, n, m.group(0)))
        v = values[name]
        return str(int(v)) if isinstance(v, bool) else str(v)

    out: List[str] = []
    stack: List[_Frame] = []
    for n in range(first + 2, last + 1):
        line = lines[n - 1]
        where = "%s:%d" % (path, n)
        active = stack[-1].active if stack else True
        d = _DIRECTIVE.match(line)
        if d and d.group(1) == "if" and _NAME.search(d.group(2)):
            taken = _eval(d.group(2), values, where) if active else False
            stack.append(_Frame(True, active, taken))
            continue
        if d and d.group(1) in ("if", "ifdef", "ifndef"):
            stack.append(_Frame(False, active, True))
        elif d and d.group(1) in ("elif", "else", "endif"):
            if not stack:
                raise TemplateError("%s: #%s without #if" % (where,
                                                             d.group(1)))
            top = stack[-1]
            if top.ours:
                if d.group(1) == "endif":
                    stack.pop()
                else:
                    take = not top.taken and top.outer and (
                        d.group(1) == "else" or
                        _eval(d.group(2), values, where))
                    top.active = take
                    top.taken = top.taken or take
                continue
            if d.group(1) == "endif":
                stack.pop()
            elif _NAME.search(d.group(2)):
                raise TemplateError("%s: SMITH_ condition in an #elif of a "
                                    "program #if" % where)
            active = top.outer
        if active:
            out.append(_NAME.sub(substitute, line))
    if stack:
        raise TemplateError("%s: #if without #endif" % path)
    return out
