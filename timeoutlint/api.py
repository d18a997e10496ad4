"""The pure API the CLI, the pre-commit hooks, the tests and editors share.

``lint_source`` lints a string; ``fix_text`` fixes one; ``check_paths`` lints (and
optionally fixes) files with the cache and a process pool, then runs the project-wide
pass of rules that need facts from several files (``check_project``).

A project rule sees the facts of the whole project even when only some files are checked
(pre-commit passes the changed ones): the other files under the configuration's root are
read for its facts only (through the cache), and findings are kept for the files asked for.
Facts are collected on demand: up front from the files the rule's triggers match, then from
each module the project pass asks for (``FactLoader``), so that files no chain reaches are
never parsed. ``lint_source`` treats its one text as a project of one file.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import os
import re
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence

import libcst as cst

from timeoutlint.baseline import Baselined, baselined, entries_for
from timeoutlint.cache import Cache, cache_key
from timeoutlint.discovery import discover
from timeoutlint.engine import any_trigger, could_match, enabled_rules, lint_module
from timeoutlint.fixes import FixOutcome, fix_source, is_applicable
from timeoutlint.ftypes import Diagnostic, FileResult, LintError
from timeoutlint.rule import Rule, get_rule, triggers_pattern, words_pattern
from timeoutlint.selection import Selection, select
from timeoutlint.settings import Settings
from timeoutlint.sourcefile import LineIndex, SourceError, decode_source, write_atomically
from timeoutlint.workers import chunk_size, pool_map

# Fewer files than this are linted in-process: a pool costs more than it saves.
POOL_THRESHOLD = 16


def lint_source(
    source: str,
    path: str = "<stdin>",
    settings: Optional[Settings] = None,
    *,
    module_name: Optional[str] = None,
    rules: Optional[Sequence[type[Rule]]] = None,
    project_pass: bool = True,
) -> FileResult:
    """Lint one source text; never raises for bad input (it becomes ``errors``).

    ``module_name`` defaults to the one ``path`` implies. With ``project_pass``, project
    rules also run their project pass over this one file (``check_paths`` turns it off and
    runs the pass over all files instead)."""
    settings = settings or Settings()
    if module_name is None:
        module_name = module_name_for(path)
    candidates = could_match(source, rules if rules is not None else enabled_rules(settings, path), settings)
    if not candidates:
        # Nothing can match, but a syntax error is always reported.
        tree, problem = python_tree(source, path, settings)
        if problem is None and tree is None:
            problem = _libcst_verdict(source, path, settings)
        return FileResult(path, errors=[problem] if problem is not None else [])
    result = _lint_parsed(source, path, settings, candidates, module_name)
    if project_pass and not result.errors:
        _single_file_project_pass(result, source, candidates, settings, module_name)
    return result


# CPython's tokenizer refuses more than 200 nested brackets; a scan finding half that much,
# a very long line or a very long bracketed span (a long operator or call chain) asks
# CPython's parser first.
_BRACKET = re.compile(r"[()\[\]{}]")
_SUSPICIOUS_DEPTH = 100
_SUSPICIOUS_LINE = 4000
_SUSPICIOUS_SPAN = 30000
_DEPTH_MESSAGES = ("too many nested", "too many levels of indentation", "too complex", "stack overflow")


def _might_be_deep(source: str) -> bool:
    """A cheap over-approximation (brackets in strings count too) of "deep enough to hurt"."""
    if len(source) > _SUSPICIOUS_LINE and any(len(line) > _SUSPICIOUS_LINE for line in source.splitlines()):
        return True
    if len(source) <= _SUSPICIOUS_SPAN and source.count("(") + source.count("[") + source.count("{") <= _SUSPICIOUS_DEPTH:
        return False
    depth = start = 0
    for match in _BRACKET.finditer(source):
        if match.group() in "([{":
            if depth == 0:
                start = match.start()
            depth += 1
            if depth > _SUSPICIOUS_DEPTH:
                return True
        elif depth:
            depth -= 1
            if depth == 0 and match.start() - start > _SUSPICIOUS_SPAN:
                return True
    return depth > 0 and len(source) - start > _SUSPICIOUS_SPAN


# libcst parses a 3000-deep operator chain in a blink and crashes or hangs from ~10000 on;
# real code stays far below 1000. From 3.11 on, CPython's parser refuses such depths itself.
_MAX_TREE_DEPTH = 1000


def _tree_depth(tree: ast.AST) -> int:
    """The depth of an ``ast`` tree, found without recursion (the tree may be very deep)."""
    deepest = 0
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > _MAX_TREE_DEPTH:
                return deepest
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def python_tree(source: str, path: str, settings: Settings) -> tuple[Optional[ast.Module], Optional[LintError]]:
    """CPython's tree of ``source``, or what is wrong with it; (None, None) when CPython
    cannot judge (a syntax error may be newer syntax than this interpreter's grammar, or it
    refuses the text itself, NUL bytes): libcst decides then, on the whole file.

    Deep nesting is refused here: libcst's native parser overflows the C stack on it (a
    segfault, which no ``except`` catches, taking the whole run down), needs memory
    quadratic in the depth before that, and takes minutes on a chain of thousands of
    operators or calls. CPython's parser guards its depth; where it accepts (before 3.11 it
    takes a chain of 20000 operators), the depth of its tree decides."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = compile(source, "<timeoutlint>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        if any(text in str(exc.msg) for text in _DEPTH_MESSAGES):
            return None, LintError(path, f"SyntaxError: {exc.msg}", exc.lineno, exc.offset)
        if exc.lineno is not None and _might_be_deep(source):
            # Too deep to hand to libcst safely, whatever the grammar.
            return None, LintError(path, f"SyntaxError: {exc.msg}", exc.lineno, exc.offset)
        # The code may be valid in a newer grammar than this interpreter's (a ``match``
        # checked on 3.9): libcst, whose grammar does not depend on the running Python,
        # decides, and CPython's message is used when it agrees (``_syntax_error``).
        return None, None
    except (RecursionError, MemoryError):
        return None, LintError(path, "could not parse: the code is nested too deeply")
    except ValueError:
        return None, None
    if sys.version_info < (3, 11) and _might_be_deep(source) and _tree_depth(tree) > _MAX_TREE_DEPTH:
        return None, LintError(path, "could not parse: the code is nested too deeply")
    return tree, None


def _lint_parsed(
    source: str,
    path: str,
    settings: Settings,
    candidates: list[type[Rule]],
    module_name: Optional[str],
    whole: bool = False,
) -> FileResult:
    """Lint ``source``: CPython parses it all, libcst only what the rules can match
    (``selection.py``; with ``whole``, or for a rule that reads whole files, all of it)."""
    tree, problem = python_tree(source, path, settings)
    if problem is not None:
        return FileResult(path, errors=[problem])
    selection = None
    if tree is not None and not whole and not _read_whole(source, candidates):
        selection = select(source, tree, any_trigger(candidates, settings), LineIndex(source).starts)
    text = selection.text if selection is not None else source
    module, problem = _libcst_module(text, source, path, settings, selection)
    if module is None:
        return FileResult(path, errors=[problem] if problem is not None else [])
    try:
        statements = selection.statements if selection is not None else tree.body if tree is not None else None
        result = lint_module(source, module, path, settings, candidates, module_name, selection, statements)
        if any(d.fix is not None for d in result.diagnostics) and module.code != text:
            _drop_fixes(result)
        return result
    except RecursionError:
        return FileResult(path, errors=[LintError(path, "could not analyse: the code is nested too deeply")])
    except Exception as exc:
        return FileResult(path, errors=[LintError(path, f"internal error: {type(exc).__name__}: {exc} (please report this)")])


def _libcst_module(
    text: str, source: str, path: str, settings: Settings, selection: Optional[Selection] = None
) -> tuple[Optional[cst.Module], Optional[LintError]]:
    """libcst's tree of ``text`` (``source``, or the part of it ``selection`` kept), or
    what is wrong with the file."""
    try:
        return cst.parse_module(text), None
    except cst.ParserSyntaxError as exc:
        return None, _syntax_error(source, path, settings, exc, selection)
    except RecursionError:
        return None, LintError(path, "could not parse: the code is nested too deeply")
    except Exception as exc:  # the native parser rejects some inputs (NUL bytes) this way
        return None, LintError(path, f"could not parse: {exc}")


def _libcst_verdict(source: str, path: str, settings: Settings) -> Optional[LintError]:
    """What libcst says of a file CPython could not judge: None when it parses."""
    return _libcst_module(source, source, path, settings)[1]


def _read_whole(source: str, rules: Sequence[type[Rule]]) -> bool:
    return any(rule.whole_file_triggers and triggers_pattern(rule.whole_file_triggers).search(source) for rule in rules)


def _syntax_error(
    source: str, path: str, settings: Settings, exc: cst.ParserSyntaxError, selection: Optional[Selection] = None
) -> LintError:
    """libcst reports where its parser gave up, often a line or more after the mistake
    ("def f(:" is reported on the next line); CPython points at the mistake itself and
    says it better ("'(' was never closed"). Its word is taken when its grammar covers the
    code's target version (an older running Python would flag newer syntax instead)."""
    if sys.version_info[:2] >= settings.target_version:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compile(source, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        except SyntaxError as error:
            if error.lineno is not None:
                return LintError(path, f"SyntaxError: {error.msg}", error.lineno, error.offset)
        except (ValueError, RecursionError, MemoryError):
            pass
        else:
            # Valid Python that libcst's parser does not accept: not the user's mistake.
            line = selection.line_map.line(exc.raw_line) if selection is not None else exc.raw_line
            return LintError(
                path,
                f"could not parse: libcst rejects code that Python accepts ({exc.message.splitlines()[0]})",
                line,
                exc.raw_column + 1,
            )
    line = selection.line_map.line(exc.raw_line) if selection is not None else exc.raw_line
    return LintError(path, f"SyntaxError: {exc.message}", line, exc.raw_column + 1)


def _drop_fixes(result: FileResult) -> None:
    """libcst does not reproduce some files byte for byte (it drops form feeds, and the last
    newline of a file using bare ``\r``). Fix edits are computed from its regenerated code,
    so they would take those bytes along: in such a file the findings keep no fix."""
    result.diagnostics = [dataclasses.replace(d, fix=None) for d in result.diagnostics]


def _is_project_rule(rule: type[Rule]) -> bool:
    return hasattr(rule, "check_project")


def _single_file_project_pass(
    result: FileResult, source: str, rules: Sequence[type[Rule]], settings: Settings, module_name: Optional[str]
) -> None:
    found: list[Diagnostic] = []

    def mentioning(code: str, functions: set[str]) -> dict[str, dict[str, Any]]:
        rule = get_rule(code)
        if rule is None or not words_pattern({f.rsplit(".", 1)[-1] for f in functions}).search(source):
            return {}
        return {result.path: _lint_parsed(source, result.path, settings, [rule], module_name, whole=True).facts}

    for rule in rules:
        if _is_project_rule(rule):
            try:
                facts = {result.path: result.facts}
                diagnostics = rule.check_project(facts, settings)  # type: ignore[attr-defined]
                bounded = _caller_bounded(rule, result.diagnostics, mentioning)
            except Exception as exc:
                result.errors.append(LintError(result.path, _project_error(rule, exc)))
                continue
            found.extend(d for d in diagnostics if d.path == result.path)
            if bounded:
                result.diagnostics = [d for d in result.diagnostics if not _dropped(d, rule, bounded)]
    if found:
        result.diagnostics = sorted(result.diagnostics + found, key=Diagnostic.sort_key)


def _caller_bounded(rule: type[Rule], diagnostics: Iterable[Diagnostic], mentioning: Callable[..., Any]) -> frozenset[str]:
    """Of the functions holding the rule's findings (and their callers), those whose every
    call site the project bounds, for a rule that asks."""
    if not hasattr(rule, "caller_bounded"):
        return frozenset()
    wanted = {d.scope for d in diagnostics if d.code == rule.code and d.scope}
    if not wanted:
        return frozenset()
    return frozenset(rule.caller_bounded(wanted, mentioning))  # type: ignore[attr-defined]


def _dropped(diagnostic: Diagnostic, rule: type[Rule], bounded: frozenset[str]) -> bool:
    return diagnostic.code == rule.code and diagnostic.scope != "" and diagnostic.scope in bounded


def _project_error(rule: type[Rule], exc: Exception) -> str:
    return f"internal error in the project pass of {rule.code}: {type(exc).__name__}: {exc} (please report this)"


def fix_text(
    source: str,
    path: str = "<stdin>",
    settings: Optional[Settings] = None,
    *,
    module_name: Optional[str] = None,
    first: Optional[FileResult] = None,
    project_pass: bool = True,
    rules: Optional[Sequence[type[Rule]]] = None,
    keep: Optional[Baselined] = None,
) -> FixOutcome:
    """Fix ``source``; ``keep``: the baseline's findings, which stay unfixed."""
    settings = settings or Settings()
    rules = rules if rules is not None else enabled_rules(settings, path)

    def lint(text: str) -> FileResult:
        return lint_source(text, path, settings, module_name=module_name, rules=rules, project_pass=project_pass)

    def hold(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        assert keep is not None
        return baselined(diagnostics, keep[0], Path(keep[1]))

    return fix_source(source, path, settings, lint, first, hold if keep is not None else None)


def module_name_for(path: str) -> Optional[str]:
    """The dotted module name of a file, from the packages (``__init__.py``) around it."""
    cache = _MODULES
    if cache is not None and path in cache:
        return cache[path]
    name = _module_name(path)
    if cache is not None:
        cache[path] = name
    return name


def _module_name(path: str) -> Optional[str]:
    absolute = os.path.realpath(path)
    stem = os.path.splitext(os.path.basename(absolute))[0]
    if not stem.isidentifier() and stem != "__init__":
        return None
    package = _package_of(os.path.dirname(absolute))
    return f"{package}.{stem}" if package else stem


def _package_of(folder: str) -> str:
    """The dotted package a folder is ("" when it is not one). During ``check_paths`` the
    answer is kept per folder (a run asks it for every file; files do not come and go
    within a run); outside it, every call looks again."""
    cache = _PACKAGES
    if cache is not None and folder in cache:
        return cache[folder]
    name = os.path.basename(folder)
    is_package = name.isidentifier() and (
        os.path.exists(os.path.join(folder, "__init__.py")) or os.path.exists(os.path.join(folder, "__init__.pyi"))
    )
    parent = os.path.dirname(folder)
    outer = _package_of(parent) if is_package and parent != folder else ""
    dotted = "" if not is_package else (f"{outer}.{name}" if outer else name)
    if cache is not None:
        cache[folder] = dotted
    return dotted


# Kept for the length of a ``check_paths`` call: folder -> package, path -> module name.
_PACKAGES: Optional[dict[str, str]] = None
_MODULES: Optional[dict[str, Optional[str]]] = None


@contextlib.contextmanager
def _packages_kept() -> Iterator[None]:
    global _PACKAGES, _MODULES
    previous = _PACKAGES, _MODULES
    _PACKAGES, _MODULES = {}, {}
    try:
        yield
    finally:
        _PACKAGES, _MODULES = previous


@dataclass(frozen=True)
class RunOptions:
    fix: bool = False  # apply fixes (write files unless ``diff``)
    diff: bool = False  # compute fixes but only report them as a diff
    use_cache: bool = True
    cache_dir: Optional[Path] = None
    jobs: int = 0  # 0: one per core
    # Read the rest of the project for the facts of project rules when only some files
    # are checked (the findings stay those of the files checked).
    project_facts: bool = True
    # Facts-only mode: collect the facts of these project rules, nothing else (``force``:
    # even when none of their triggers occurs in the file).
    facts_of: tuple[str, ...] = ()
    force: bool = False
    # The baseline's entries (for the file being processed) and the folder their paths are
    # relative to: those findings are left unfixed (``check --baseline --fix``).
    keep: Optional[Baselined] = None


@dataclass
class FileOutcome:
    path: str
    result: FileResult
    source: Optional[str] = None  # kept when there is something to show (findings, a diff)
    fixed: Optional[str] = None  # the fixed text when fixes changed the file
    cache_problem: Optional[str] = None  # why the cache could not serve this file


def process_file(path: str, settings: Settings, options: RunOptions) -> FileOutcome:
    """Lint (and fix) one file. Never raises: problems become error entries."""
    try:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise SourceError(exc.strerror or str(exc)) from None
        decoded = decode_source(data)
    except SourceError as exc:
        if options.facts_of:
            return FileOutcome(path, FileResult(path))
        return FileOutcome(path, FileResult(path, errors=[LintError(path, str(exc))]))
    if options.facts_of:
        return FileOutcome(path, FileResult(path, facts=_facts_only(path, data, decoded.text, settings, options)))
    rules = enabled_rules(settings, path)
    # Project rules collect facts even where per-file-ignores silence them: a call chain
    # may pass through this file. Their findings come from the project pass, filtered there.
    rules += [rule for rule in enabled_rules(settings) if _is_project_rule(rule) and rule not in rules]
    cache = Cache(options.cache_dir or settings.root / ".timeoutlint_cache") if options.use_cache else None
    module_name = module_name_for(path)
    key = cache_key(data, settings.fingerprint(), [rule.code for rule in rules], path, module_name) if cache else ""
    result = cache.get(key, path) if cache else None
    if result is None:
        result = lint_source(decoded.text, path, settings, module_name=module_name, rules=rules, project_pass=False)
        # A project rule runs here for its facts even where per-file-ignores silence it.
        enabled = {rule.code for rule in enabled_rules(settings, path)}
        result.diagnostics = [d for d in result.diagnostics if d.code in enabled]
        if cache is not None and not any(e.message.startswith("internal error") for e in result.errors):
            cache.put(key, result)
    outcome = FileOutcome(path, result, cache_problem=cache.problem if cache is not None else None)
    if result.diagnostics:
        outcome.source = decoded.text
    if not (options.fix or options.diff) or not any(is_applicable(d, settings) for d in result.diagnostics):
        return outcome
    fixed = fix_text(
        decoded.text, path, settings, module_name=module_name, first=result, project_pass=False, rules=rules, keep=options.keep
    )
    fixed.result.errors = fixed.errors + fixed.result.errors
    outcome.result = fixed.result
    outcome.result.fixed_codes = fixed.applied
    outcome.result.fixes_applied = sum(fixed.applied.values())
    outcome.source = decoded.text
    if fixed.source != decoded.text:
        outcome.fixed = fixed.source
        if options.fix and not options.diff:
            try:
                write_atomically(path, decoded.encode(fixed.source), expected=data)
            except (OSError, UnicodeEncodeError) as exc:
                # Nothing was written: report the file as it is, not as it would have been.
                result.errors.append(LintError(path, f"could not write the fixed file: {exc}"))
                outcome.result, outcome.fixed = result, None
    return outcome


def _facts_only(path: str, data: bytes, text: str, settings: Settings, options: RunOptions) -> dict[str, Any]:
    rules = [rule for rule in map(get_rule, options.facts_of) if rule is not None]
    if not options.force:
        rules = could_match(text, rules)
    if not rules:
        return {}
    cache = Cache(options.cache_dir or settings.root / ".timeoutlint_cache") if options.use_cache else None
    module_name = module_name_for(path)
    codes = ["facts", *(rule.code for rule in rules)]
    key = cache_key(data, settings.fingerprint(), codes, path, module_name) if cache else ""
    cached = cache.get(key, path) if cache else None
    if cached is not None:
        return cached.facts
    result = _lint_parsed(text, path, settings, rules, module_name, whole=True)
    if cache is not None and not any(e.message.startswith("internal error") for e in result.errors):
        cache.put(key, FileResult(path, facts=result.facts))
    return result.facts


def _process(args: tuple[str, Settings, RunOptions]) -> FileOutcome:
    return process_file(*args)


def _run(
    work: list[tuple[str, Settings, RunOptions]], jobs: int, progress: Optional[Callable[[int, int], None]] = None
) -> list[FileOutcome]:
    """``process_file`` over ``work``, in order; in worker processes when there is enough
    (``workers``: Ctrl-C stops them at once)."""
    if jobs > 1 and len(work) >= POOL_THRESHOLD:
        return pool_map(_process, work, jobs, chunk_size(len(work), jobs), progress)
    outcomes: list[FileOutcome] = []
    for item in work:
        outcomes.append(_process(item))
        if progress:
            progress(len(outcomes), len(work))
    return outcomes


def check_paths(
    paths: Sequence[str],
    settings: Settings,
    options: RunOptions = RunOptions(),
    progress: Optional[Callable[[int, int], None]] = None,
) -> list[FileOutcome]:
    """Lint every file of ``paths`` (already discovered) and run the project pass."""
    with _packages_kept():
        return _check_paths(paths, settings, options, progress)


def _check_paths(
    paths: Sequence[str],
    settings: Settings,
    options: RunOptions,
    progress: Optional[Callable[[int, int], None]],
) -> list[FileOutcome]:
    jobs = options.jobs or os.cpu_count() or 1
    project_rules = [rule for rule in enabled_rules(settings) if _is_project_rule(rule)]
    facts_options = RunOptions(
        use_cache=options.use_cache,
        cache_dir=options.cache_dir,
        jobs=options.jobs,
        facts_of=tuple(rule.code for rule in project_rules),
    )
    rest = rest_of_project(paths, settings) if project_rules and options.project_facts else []
    staged = (options.fix or options.diff) and any(hasattr(rule, "caller_bounded") for rule in project_rules)
    first = dataclasses.replace(options, fix=False, diff=False) if staged else options
    work = [(path, settings, _for_file(first, path)) for path in paths] + [(path, settings, facts_options) for path in rest]
    outcomes = _run(work, jobs, progress)
    checked, context = outcomes[: len(paths)], outcomes[len(paths) :]
    if project_rules and staged:
        # A first pass over copies says which findings the callers bound; the files with a
        # fix left are then fixed knowing it, so no fix is made for a dropped finding.
        bounded = _project_pass([_copy(outcome) for outcome in checked], context, settings, [*paths, *rest], facts_options)
        settings = dataclasses.replace(settings, caller_bounded=tuple(sorted(bounded)))
        todo = [i for i, outcome in enumerate(checked) if any(is_applicable(d, settings) for d in outcome.result.diagnostics)]
        for index, outcome in zip(todo, _run([(checked[i].path, settings, _for_file(options, checked[i].path)) for i in todo], jobs)):
            checked[index] = outcome
    if project_rules:
        _project_pass(checked, context, settings, [*paths, *rest], facts_options)
    return checked


def _for_file(options: RunOptions, path: str) -> RunOptions:
    """The options of one file's work: only its own baseline entries travel with it."""
    if options.keep is None:
        return options
    known, root = options.keep
    return dataclasses.replace(options, keep=(entries_for(known, path, Path(root)), root))


def _copy(outcome: FileOutcome) -> FileOutcome:
    return dataclasses.replace(outcome, result=dataclasses.replace(outcome.result, diagnostics=list(outcome.result.diagnostics)))


def rest_of_project(paths: Sequence[str], settings: Settings) -> list[str]:
    """The files of the project (everything a walk of the configuration's root finds) that
    ``paths`` leaves out. Without a configuration file there is no known project: none."""
    if settings.config_path is None:
        return []
    files, _ = discover([str(settings.root)], settings)
    given = {os.path.abspath(path) for path in paths}
    here = os.getcwd()
    rest = []
    for path in files:
        absolute = os.path.abspath(path)
        if absolute not in given:
            inside = absolute.startswith(os.path.join(here, ""))
            rest.append(os.path.relpath(absolute, here) if inside else absolute)
    return rest


class FactLoader:
    """The facts of further files, on a project rule's demand: ``available(module)`` says
    whether a file of the run (checked or not) is that module and has not been read for the
    rule yet; ``load(modules)`` reads them in facts-only mode (through the cache)."""

    def __init__(
        self, code: str, files: Sequence[str], known: dict[str, dict[str, Any]], settings: Settings, options: RunOptions
    ) -> None:
        self.code = code
        self.files = files
        self.known = known
        self.settings = settings
        self.options = dataclasses.replace(options, facts_of=(code,), force=True)
        self.tried: set[str] = set()
        self._index: Optional[dict[str, str]] = None

    def index(self) -> dict[str, str]:
        """Module name -> file, for the module names exactly one file has."""
        if self._index is None:
            found: dict[str, list[str]] = {}
            for path in self.files:
                name = module_name_for(path)
                if name is not None:
                    name = name[: -len(".__init__")] if name.endswith(".__init__") else name
                    found.setdefault(name, []).append(path)
            self._index = {name: paths[0] for name, paths in found.items() if len(paths) == 1}
        return self._index

    def available(self, module: str) -> bool:
        path = self.index().get(module)
        return path is not None and path not in self.tried and self.code not in self.known.get(path, {})

    def load(self, modules: Sequence[str]) -> dict[str, dict[str, Any]]:
        paths = [self.index()[module] for module in modules if self.available(module)]
        self.tried.update(paths)
        jobs = self.options.jobs or os.cpu_count() or 1
        loaded = {outcome.path: outcome.result.facts for outcome in _run([(p, self.settings, self.options) for p in paths], jobs)}
        for path, facts in loaded.items():
            self.known.setdefault(path, {}).update(facts)
        return loaded


class MentionLoader:
    """The facts of the files of the run that may call some functions, each file read once
    (for all the rules sharing those facts), from the whole file, through the cache.

    A call of ``pkg.mod.Class.method`` (or of the function ``pkg.mod.func``) names
    ``method`` (``func``), and outside its own module it names ``Class`` (``mod``, which
    every import of it does): the files naming both, and the function's own module if it
    names the function, are read. A nested function is called in its own module only."""

    def __init__(self, files: Sequence[str], settings: Settings, options: RunOptions, shared: Sequence[str]) -> None:
        self.files = files
        self.settings = settings
        self.options = options
        self.shared = tuple(shared)  # the rules recording the same facts, read together
        self.texts: dict[str, str] = {}
        self.read: dict[str, dict[str, Any]] = {}
        self._modules: Optional[dict[str, str]] = None

    def _text(self, path: str) -> str:
        text = self.texts.get(path)
        if text is None:
            text = self.texts[path] = _read_text(path) or ""
        return text

    def _module_files(self) -> dict[str, str]:
        if self._modules is None:
            self._modules = {}
            for path in self.files:
                name = module_name_for(path)
                if name is not None:
                    self._modules.setdefault(name[: -len(".__init__")] if name.endswith(".__init__") else name, path)
        return self._modules

    def _may_call(self, function: str) -> list[str]:
        parts = function.split(".")
        modules = self._module_files()
        home = next((modules[".".join(parts[:n])] for n in range(len(parts) - 1, 0, -1) if ".".join(parts[:n]) in modules), None)
        found = [home] if home is not None and self._names(home, parts[-1]) else []
        if "<locals>" in parts or len(parts) < 2:
            return found
        return found + [p for p in self.files if p != home and self._names(p, parts[-2]) and self._names(p, parts[-1])]

    def _names(self, path: str, word: str) -> bool:
        """The file names ``word`` as an identifier (a substring test first: the regular
        expression costs a hundred times more, and most files do not contain the word)."""
        text = self._text(path)
        return word in text and words_pattern([word]).search(text) is not None

    def __call__(self, code: str, functions: set[str]) -> dict[str, dict[str, Any]]:
        wanted = {path for function in functions for path in self._may_call(function)}
        todo = sorted(wanted - set(self.read))
        if todo:
            codes = self.shared if code in self.shared else (code,)
            options = dataclasses.replace(self.options, facts_of=codes, force=True)
            jobs = options.jobs or os.cpu_count() or 1
            for outcome in _run([(path, self.settings, options) for path in todo], jobs):
                self.read[outcome.path] = outcome.result.facts
        return {path: self.read[path] for path in wanted if path in self.read}


def _project_pass(
    outcomes: list[FileOutcome],
    context: list[FileOutcome],
    settings: Settings,
    files: Sequence[str],
    facts_options: RunOptions,
) -> frozenset[str]:
    """Rules that reason across modules (``check_project``) see every file's facts; their
    findings are kept for ``outcomes`` (the files checked), not for ``context``, and the
    findings of ``outcomes`` their callers bound are dropped (returned: those functions)."""
    project_rules = [rule for rule in enabled_rules(settings) if _is_project_rule(rule)]
    facts = {outcome.path: dict(outcome.result.facts) for outcome in outcomes + context}
    every_bounded: set[str] = set()
    by_path = {outcome.path: outcome for outcome in outcomes}
    mentioning = MentionLoader(files, settings, facts_options, [r.code for r in project_rules if hasattr(r, "caller_bounded")])
    for rule in project_rules:
        loader = FactLoader(rule.code, files, facts, settings, facts_options)
        try:
            diagnostics = rule.check_project(facts, settings, load=loader)  # type: ignore[attr-defined]
            found = (d for outcome in outcomes for d in outcome.result.diagnostics)
            bounded = _caller_bounded(rule, found, mentioning)
        except Exception as exc:
            if outcomes:
                outcomes[0].result.errors.append(LintError(outcomes[0].path, _project_error(rule, exc)))
            continue
        every_bounded.update(bounded)
        if bounded:
            for outcome in outcomes:
                outcome.result.diagnostics = [d for d in outcome.result.diagnostics if not _dropped(d, rule, bounded)]
        for diagnostic in diagnostics:
            outcome = by_path.get(diagnostic.path)
            if outcome is None or any(diagnostic.code.startswith(p) for p in settings.ignored_for_path(Path(outcome.path))):
                continue
            outcome.result.diagnostics.append(diagnostic)
            if outcome.source is None:
                outcome.source = _read_text(outcome.path)
    for outcome in outcomes:
        outcome.result.diagnostics.sort(key=Diagnostic.sort_key)
    return frozenset(every_bounded)


def _read_text(path: str) -> Optional[str]:
    try:
        with open(path, "rb") as handle:
            return decode_source(handle.read()).text
    except (OSError, SourceError):
        return None
