"""Reading clang's YAML optimization records (-fsave-optimization-record).

One loader for every tool. coro-frame-report reads the documents of its
remarks with their line numbers and stops at invalid YAML; coro-bench reads
the remarks of a few passes as flat dicts (load_remarks). Both go through
RemarkLoader, which types no scalar implicitly: a slot named `no`, `yes` or
`on` and an offset written `010` stay the strings that were written (PyYAML's
default resolvers would turn them into a bool or an octal number). Numbers
are converted where a remark's argument is known to be one.

A record holds one document per remark, most of them other passes'. Only the
documents a tool asks for are parsed; the others are only split at their
`--- ` markers (split_documents), which keeps reading a large record cheap.
"""

import importlib.util
import re
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

# The clones CoroSplit makes of a coroutine `F`: F.resume, F.destroy,
# F.cleanup, and (for [[clang::coro_await_elidable]]) F.noalloc.
CLONE_SUFFIXES = ("resume", "destroy", "cleanup", "noalloc")
_CLONE_SUFFIX = re.compile(r"\.(%s)$" % "|".join(CLONE_SUFFIXES))


def ramp_name(function: str) -> str:
    """The ramp's (mangled) name of a function that may be one of its
    clones: a remark anchored at `F.resume` belongs to the coroutine `F`."""
    return _CLONE_SUFFIX.sub("", function)


class RecordError(Exception):
    """A record that cannot be read: missing, not UTF-8, not valid YAML.
    The message names the file (and line)."""


class UnreadableRecord(RecordError):
    """A record that cannot be opened or read (OSError)."""


class BadRemark(Exception):
    """A remark document that lacks what a remark needs."""


class Remark(dict):
    """A `--- !Tag` document: its map, and the tag ("!Analysis", ...)."""
    tag: Optional[str] = None


def have_yaml() -> bool:
    """Whether Python's yaml module (Debian: python3-yaml) is there."""
    return importlib.util.find_spec("yaml") is not None


def _construct_tagged(loader: Any, tag_suffix: str, node: Any) -> Any:
    import yaml
    if isinstance(node, yaml.MappingNode):
        r = Remark(loader.construct_mapping(node, deep=True))
        r.tag = "!" + tag_suffix
        return r
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


_LOADER: Any = None


def remark_loader() -> Any:
    """The yaml Loader class for remark streams (the C loader when PyYAML
    has it): safe, every `!Tag` document a Remark, no implicit typing."""
    global _LOADER
    if _LOADER is None:
        import yaml
        base: Any = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader

        class RemarkLoader(base):
            yaml_implicit_resolvers: Dict[Any, Any] = {}

        RemarkLoader.add_multi_constructor("!", _construct_tagged)
        _LOADER = RemarkLoader
    return _LOADER


_DOC_START = re.compile(r"---(?:[ \t\r\n]|$)")


def split_documents(lines) -> Iterator[Tuple[int, str]]:
    """Split a YAML stream (an iterable of lines) at its `---` document
    markers, yielding (first line number, text). The text before the first
    marker, if any, is a chunk of its own."""
    start, chunk, lineno = 1, [], 0  # type: int, List[str], int
    for line in lines:
        lineno += 1
        if line.startswith("---") and _DOC_START.match(line):
            if chunk:
                yield start, "".join(chunk)
            start, chunk = lineno, [line]
        else:
            chunk.append(line)
    if chunk:
        yield start, "".join(chunk)


def _is_blank(text: str) -> bool:
    for line in text.splitlines():
        s = line.strip()
        if s and not s.startswith("#") and s != "...":
            return False
    return True


def load_documents(path: str,
                   wanted: Optional[Callable[[str], bool]] = None,
                   errors: str = "strict",
                   only_wanted: bool = False) -> Iterator[Tuple[int, Any]]:
    """Yield (line, document) for the documents of the record `path`.

    A remark document (`--- !Tag`) is parsed only when `wanted(text)` holds
    (every one without `wanted`); anything else that is not blank is parsed
    too, so that a file that is not a record at all shows (with
    only_wanted, only what `wanted` accepts is parsed). Raises
    RecordError for a file that cannot be read, is not UTF-8 (unless
    errors="replace") or is not valid YAML."""
    import yaml
    loader = remark_loader()
    try:
        with open(path, encoding="utf-8", errors=errors) as f:
            for start, text in split_documents(f):
                if text.startswith("--- !"):
                    if wanted is not None and not wanted(text):
                        continue          # another pass's remark
                elif _is_blank(text) or (only_wanted and wanted is not None
                                         and not wanted(text)):
                    continue
                try:
                    for doc in yaml.load_all(text, Loader=loader):
                        if doc is not None:
                            yield start, doc
                except yaml.YAMLError as e:
                    raise RecordError(_yaml_problem(path, start, e))
    except UnicodeDecodeError:
        raise RecordError("%s: not valid YAML: not UTF-8 text" % path)
    except OSError as e:
        raise UnreadableRecord("%s: cannot read: %s"
                               % (path, e.strerror or e))


def _yaml_problem(path: str, start: int, e: Exception) -> str:
    """`path:line: not valid YAML: problem (context at line N)`."""
    mark = getattr(e, "problem_mark", None)
    line = start + mark.line if mark is not None else start
    problem = getattr(e, "problem", None) or str(e)
    context = getattr(e, "context", None)
    cmark = getattr(e, "context_mark", None)
    if context and cmark is not None:
        problem += " (%s at line %d)" % (context, start + cmark.line)
    problem = " ".join(problem.split())
    return "%s:%d: not valid YAML: %s" % (path, line, problem)


def remark_args(doc: Dict[str, Any]) -> List[Tuple[str, Any, Any]]:
    """A remark's Args as [(name, value, DebugLoc or None)], in order; a name
    can repeat (a CoroFrame remark lists several `slot`s). Raises BadRemark
    when Args is not a list of maps."""
    raw = doc.get("Args", [])
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise BadRemark("Args is not a list")
    out = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise BadRemark("an Args entry is not a map")
        name = next((k for k in entry if k != "DebugLoc"), None)
        if name is None:
            continue
        out.append((name, entry[name], entry.get("DebugLoc")))
    return out


def first_arg(args: List[Tuple[str, Any, Any]], name: str) -> Any:
    """The value of the first argument called `name`, or None."""
    for n, v, _ in args:
        if n == name:
            return v
    return None


def flat_args(doc: Dict[str, Any]) -> Dict[str, Any]:
    """A remark's Args as one dict, the first value of each name winning;
    the remark's text pieces (String) and locations are left out. Entries
    that are not maps are ignored."""
    args: Dict[str, Any] = {}
    raw = doc.get("Args")
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict):
            for k, v in item.items():
                if k not in ("String", "DebugLoc") and k not in args:
                    args[k] = v
    return args


_PASS_LINE = re.compile(r"^Pass:\s+['\"]?([^'\"\n]+?)['\"]?\s*$", re.M)


def load_remarks(path: str, passes) -> List[Dict[str, Any]]:
    """The remarks of the given passes in the record `path`, each as
    dict(pass_, name, function, args) with args from flat_args. A record
    that cannot be read gives []; text that is not UTF-8 is replaced."""
    def wanted(text: str) -> bool:
        m = _PASS_LINE.search(text)
        return m is not None and m.group(1) in passes

    remarks = []
    try:
        for _, data in load_documents(path, wanted, errors="replace",
                                       only_wanted=True):
            if not isinstance(data, dict) or \
                    str(data.get("Pass", "")) not in passes:
                continue
            remarks.append(dict(pass_=str(data.get("Pass", "")),
                                name=str(data.get("Name", "")),
                                function=str(data.get("Function", "")),
                                args=flat_args(data)))
    except UnreadableRecord:
        return []
    return remarks


def debug_loc(loc: Any) -> Tuple[Optional[str], Optional[int]]:
    """(file, line) of a DebugLoc map, or (None, None); line None when it
    is 0 or not a number."""
    if not isinstance(loc, dict):
        return None, None
    f = loc.get("File")
    try:
        line: Optional[int] = int(str(loc.get("Line")))
    except ValueError:
        line = None
    if not f:
        return None, None
    return str(f), (line if line else None)
