"""TL401's Budget rewrite, run for real: the pipeline fixture and its twin behave the same.

``fixtures/TL401_pipeline.py`` holds integration tests of a model-building pipeline (convert,
build, run, summary) that spend one marker timeout by hand between the phases;
``fixtures/TL401_pipeline.fixed.py`` is what ``--fix --unsafe-fixes`` makes of it. Both are
imported as modules, their step helpers (``convert_weights``, ``check_call``,
``venv_mpi_check_call``) replaced by fakes that record the phase they run in and really sleep,
and every test function of the fixture is run:

- with a total that suffices: it completes, the steps run in order, and every step gets a
  positive timeout taken from what is left of the total;
- with a total that runs out during each phase in turn: the original raises ``TimeoutError``
  and the twin ``BudgetExceeded`` with the same message, and no step of a later phase runs;
- with no total at all (``timeout=None``) where the function takes one: it never raises.

The sleeps are real and the clocks too. A total that runs out is ``TOTAL`` seconds and the
phase that spends it sleeps ``LONG``: the steps before it must finish ``TOTAL`` seconds early
(they do not sleep) and the phase overruns by ``LONG - TOTAL``, both far more than a loaded CI
machine's jitter.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import itertools
import numbers
import os
import shlex
import warnings
from dataclasses import dataclass
from pathlib import Path
from time import sleep
from types import ModuleType
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import pytest

from timeoutlint.runtime import BudgetExceeded

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
ORIGINAL = FIXTURES / "TL401_pipeline.py"
TWIN = FIXTURES / "TL401_pipeline.fixed.py"
VARIANTS = ("original", "twin")

SHORT = 0.02  # seconds each step sleeps when the total suffices
ENOUGH = 5.0  # a total that suffices
TOTAL = 0.15  # a total that runs out ...
LONG = 0.3  # ... in the phase whose steps sleep this long (the others do not sleep)


@dataclass(frozen=True)
class Pipeline:
    """What one test function of the fixture does."""

    calls: Tuple[str, ...]  # the phase of each step call, in order
    messages: Dict[str, Optional[str]]  # the TimeoutError a phase raises (None: not checked)
    timeout_parameter: bool = False  # the total is the `timeout` argument, else TIMEOUT

    @property
    def phases(self) -> List[str]:
        return list(dict.fromkeys(self.calls))

    def calls_through(self, phase: str) -> List[str]:
        """The calls made until the end of ``phase``: later phases never start."""
        last = self.phases.index(phase)
        return [call for call in self.calls if self.phases.index(call) <= last]


PHASES = ("convert", "build", "run", "summary")


def _after(phases: Sequence[str], template: str = "Timeout exceeded after {} phase!") -> Dict[str, Optional[str]]:
    return {phase: template.format(phase) for phase in phases}


PIPELINES: Dict[str, Pipeline] = {
    "test_llm_llama_7b_single_gpu": Pipeline(PHASES, _after(PHASES)),
    "test_llm_gpt2_medium_weight_only_2gpu": Pipeline(
        PHASES, _after(PHASES, "Timeout exceeded after {} phase of gpt2-medium!")
    ),
    "test_llm_mixtral_8x7b_fp8": Pipeline(PHASES, _after(PHASES), timeout_parameter=True),
    "test_llm_phi3_mini_py_session": Pipeline(
        ("convert", "build", "run", "run", "summary"), _after(PHASES)
    ),
    "test_llm_qwen2_7b_int4_awq": Pipeline(PHASES[:3], _after(PHASES[:3])),
    "test_llm_falcon_7b_bf16": Pipeline(
        PHASES,
        {**_after(PHASES[:3], "Timeout exceeded after {} phase! (falcon-7b-instruct)"), "summary": None},
    ),
}

RUN_OUT_CASES = [(name, phase) for name, pipeline in PIPELINES.items() for phase in pipeline.phases]
UNLIMITED = [name for name, pipeline in PIPELINES.items() if pipeline.timeout_parameter]


# -- loading the fixture and its twin ------------------------------------------------------

_module_ids = itertools.count()


def load(variant: str) -> ModuleType:
    """A fresh copy of the fixture (``original``) or its twin, under a name of its own."""
    path = ORIGINAL if variant == "original" else TWIN
    if not path.exists():
        pytest.skip(f"{path.name} does not exist yet: the TL401 Budget rewrite writes it (--update-fixtures)")
    spec = importlib.util.spec_from_file_location(f"_tl401_pipeline_{variant}_{next(_module_ids)}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with warnings.catch_warnings():
        # @pytest.mark.timeout: pytest-timeout is not installed here, and the marker is only read
        # by the fixture's own code (as TIMEOUT).
        warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
        spec.loader.exec_module(module)
    return module


def fixture_tests(module: ModuleType) -> Dict[str, Any]:
    """The fixture's test functions, by name, as ``inspect`` finds them."""
    return {
        name: function
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if name.startswith("test_") and function.__module__ == module.__name__
    }


# -- the fake steps -------------------------------------------------------------------------

MISSING = object()  # a step called without timeout=


def phase_of(args: Union[str, Sequence[Any]]) -> str:
    """The phase a command belongs to, from the program or script it runs."""
    words = shlex.split(args) if isinstance(args, str) else [str(arg) for arg in args]
    names = {os.path.basename(word) for word in words}
    for name, phase in (
        ("convert_checkpoint.py", "convert"),
        ("trtllm-build", "build"),
        ("run.py", "run"),
        ("summarize.py", "summary"),
    ):
        if name in names:
            return phase
    raise AssertionError(f"a command of no known phase: {args!r}")


@dataclass(frozen=True)
class Call:
    phase: str
    step: str
    timeout: object


class Steps:
    """Fakes of the fixture's step helpers: each records its call and sleeps as long as the
    test says its phase takes."""

    def __init__(self, sleeps: Dict[str, float]) -> None:
        self.sleeps = sleeps
        self.calls: List[Call] = []

    def install(self, module: ModuleType) -> None:
        for name in ("convert_weights", "check_call", "venv_mpi_check_call"):
            assert hasattr(module, name), f"{module.__file__} has no {name} to replace"
            setattr(module, name, getattr(self, name))

    @property
    def phases(self) -> List[str]:
        return [call.phase for call in self.calls]

    @property
    def timeouts(self) -> List[object]:
        return [call.timeout for call in self.calls]

    def _step(self, phase: str, step: str, timeout: object) -> None:
        self.calls.append(Call(phase, step, timeout))
        sleep(self.sleeps.get(phase, 0.0))

    def convert_weights(self, src: Path, dst: Path, *, timeout: object = MISSING, **options: Any) -> Path:
        self._step("convert", "convert_weights", timeout)
        dst = Path(dst)
        dst.mkdir(parents=True, exist_ok=True)
        (dst / "config.json").write_text("{}\n")  # what the real conversion writes
        return dst

    def check_call(self, args: Union[str, Sequence[Any]], *, timeout: object = MISSING, **popen: Any) -> int:
        self._step(phase_of(args), "check_call", timeout)
        return 0

    def venv_mpi_check_call(
        self, venv: str, args: Sequence[Any], *, timeout: object = MISSING, **options: Any
    ) -> int:
        self._step(phase_of(args), "venv_mpi_check_call", timeout)
        return 0


def run(module: ModuleType, name: str, total: Optional[float], steps: Steps, tmp_path: Path) -> None:
    """Run the fixture's test ``name`` with ``total`` seconds (its ``timeout`` argument when it
    takes one, else the module's ``TIMEOUT``) and the fake steps."""
    steps.install(module)
    function = fixture_tests(module)[name]
    parameters = inspect.signature(function).parameters
    arguments: Dict[str, Any] = {}
    if "tmp_path" in parameters:
        arguments["tmp_path"] = tmp_path
    if PIPELINES[name].timeout_parameter:
        arguments["timeout"] = total
    else:
        setattr(module, "TIMEOUT", total)  # the marker timeout the function reads
    function(**arguments)


def is_seconds(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


# -- the tests ------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_fixture_holds_the_specified_functions(variant: str) -> None:
    functions = fixture_tests(load(variant))
    assert sorted(functions) == sorted(PIPELINES)
    for name, function in functions.items():
        parameters = set(inspect.signature(function).parameters)
        expected = {"tmp_path", "timeout"} if PIPELINES[name].timeout_parameter else {"tmp_path"}
        assert parameters == expected, name


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_completes_when_the_total_suffices(variant: str, name: str, tmp_path: Path) -> None:
    pipeline = PIPELINES[name]
    steps = Steps({phase: SHORT for phase in pipeline.phases})
    run(load(variant), name, ENOUGH, steps, tmp_path)

    assert steps.phases == list(pipeline.calls)
    assert all(is_seconds(timeout) for timeout in steps.timeouts), steps.timeouts
    timeouts = [float(timeout) for timeout in steps.timeouts]  # type: ignore[arg-type]
    assert all(timeout > 0 for timeout in timeouts), timeouts
    # Each step gets what is left of the total: nearly all of it at first, less after each phase.
    assert ENOUGH / 2 < timeouts[0] <= ENOUGH, timeouts
    for index in range(1, len(timeouts)):
        same_phase = steps.phases[index] == steps.phases[index - 1]
        spent = 0.0 if same_phase else SHORT / 2
        assert timeouts[index] <= timeouts[index - 1] - spent, timeouts


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize(("name", "phase"), RUN_OUT_CASES)
def test_runs_out_during_a_phase(variant: str, name: str, phase: str, tmp_path: Path) -> None:
    pipeline = PIPELINES[name]
    steps = Steps({phase: LONG})  # the phases before it take no time, later ones must not run
    module = load(variant)
    message = pipeline.messages[phase]

    if message is None:  # the phase is not checked: the test ends normally
        run(module, name, TOTAL, steps, tmp_path)
        assert steps.phases == list(pipeline.calls)
        return

    with pytest.raises(TimeoutError) as caught:
        run(module, name, TOTAL, steps, tmp_path)
    raised = type(caught.value).__name__
    if variant == "original":
        assert type(caught.value) is TimeoutError, raised
    else:
        assert isinstance(caught.value, BudgetExceeded), f"the twin raises {raised}, not BudgetExceeded"
    assert str(caught.value) == message
    assert steps.phases == pipeline.calls_through(phase)
    assert all(is_seconds(timeout) for timeout in steps.timeouts), steps.timeouts


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", UNLIMITED)
def test_no_total_means_no_limit(variant: str, name: str, tmp_path: Path) -> None:
    pipeline = PIPELINES[name]
    steps = Steps({phase: SHORT for phase in pipeline.phases})
    run(load(variant), name, None, steps, tmp_path)
    assert steps.phases == list(pipeline.calls)
    assert steps.timeouts == [None] * len(pipeline.calls)


def test_the_twin_keeps_no_manual_bookkeeping() -> None:
    if not TWIN.exists():
        pytest.skip(f"{TWIN.name} does not exist yet: the TL401 Budget rewrite writes it (--update-fixtures)")
    source = TWIN.read_text(encoding="utf-8")
    for leftover in ("remaining_timeout -=", "time.time()", "deadline - time.monotonic()", "time.monotonic() -"):
        assert leftover not in source, f"{TWIN.name} still holds {leftover!r}"

    tree = ast.parse(source)
    imports = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "timeoutlint.runtime"
        for alias in node.names
    ]
    assert "Budget" in imports, "the twin does not import Budget from timeoutlint.runtime"
    for function in tree.body:
        if isinstance(function, ast.FunctionDef) and function.name in PIPELINES:
            budgets = [
                node
                for node in ast.walk(function)
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Budget"
            ]
            assert len(budgets) == 1, f"{function.name} should make one Budget, makes {len(budgets)}"
