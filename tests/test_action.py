"""The GitHub Action (``action.yml``) runs for real: its ``run:`` steps go through bash as
the runner runs them (``bash --noprofile --norc -eo pipefail``, the workspace as working
directory, ``GITHUB_OUTPUT`` and friends set), with ``${{ }}`` expressions resolved the way
the runner resolves them. Steps that ``uses:`` another action are not run; the test records
whether they would be, and with what.

The action path is a copy of this repository's files (the runner checks the action out the
same way), and the install step, the slow part (pip builds the package), runs once for the
module."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((REPO_ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS: List[Dict[str, Any]] = ACTION["runs"]["steps"]

BAD = 'import subprocess\nsubprocess.run(["ls"])\n'
CLEAN = 'import subprocess\nsubprocess.run(["ls"], timeout=5)\n'
ANNOTATION = (
    "::warning file={path},line=2,col=1,endLine=2,endColumn=23,title=TL303 (subprocess-without-timeout)::"
    "TL303 subprocess.run() waits for a child process with no timeout"
)
UPLOAD_ACTION = "github/codeql-action/upload-sarif@"

pytestmark = pytest.mark.skipif(shutil.which("bash") is None or os.name == "nt", reason="needs bash on a POSIX system")

EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
CONDITION_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<function>[A-Za-z_]\w*)\(\)|(?P<name>[A-Za-z_][\w.-]*)"
    r"|(?P<operator>&&|\|\||==|!=|!|\(|\)))"
)
STATUS_FUNCTIONS = {"always", "success", "failure", "cancelled"}


@dataclasses.dataclass
class StepRun:
    step: Dict[str, Any]
    ran: bool
    returncode: Optional[int] = None
    stdout: str = ""
    stderr: str = ""
    with_: Dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class ActionRun:
    steps: List[StepRun]
    failed: bool
    outputs: Dict[str, str]

    def step(self, step_id: Optional[str] = None, *, uses: Optional[str] = None) -> StepRun:
        for run in self.steps:
            if (step_id is not None and run.step.get("id") == step_id) or (uses and run.step.get("uses", "").startswith(uses)):
                return run
        raise AssertionError(f"no step {step_id or uses} in action.yml")

    @property
    def stdout(self) -> str:
        return "".join(run.stdout for run in self.steps)

    def log(self) -> str:
        return "\n".join(f"--- {run.step.get('name')} (ran: {run.ran}, exit {run.returncode})\n{run.stdout}{run.stderr}" for run in self.steps)


def parse_output_file(path: Path) -> Dict[str, str]:
    """``name=value`` lines and ``name<<DELIMITER`` blocks, as the runner reads them."""
    outputs: Dict[str, str] = {}
    lines = iter(path.read_text(encoding="utf-8").splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block = []
            for body in lines:
                if body == delimiter:
                    break
                block.append(body)
            else:
                raise AssertionError(f"{name}: no closing {delimiter} in GITHUB_OUTPUT")
            outputs[name] = "\n".join(block)
        elif line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


RunAction = Callable[..., ActionRun]


class Runner:
    """Runs the action's steps the way a GitHub runner runs a composite action."""

    def __init__(self, action_path: Path, workspace: Path, temp: Path, inputs: Mapping[str, str]) -> None:
        declared = ACTION.get("inputs", {})
        unknown = set(inputs) - set(declared)
        assert not unknown, f"inputs action.yml does not declare: {sorted(unknown)}"
        self.inputs = {name: str(spec.get("default", "")) for name, spec in declared.items()}
        self.inputs.update(inputs)
        self.action_path = action_path
        self.workspace = workspace
        self.temp = temp
        self.step_outputs: Dict[str, Dict[str, str]] = {}
        self.failed = False

    # -- expressions ---------------------------------------------------------------------

    def context(self, name: str) -> str:
        parts = name.split(".")
        if parts[0] == "inputs" and len(parts) == 2:
            assert parts[1] in self.inputs, f"${{{{ {name} }}}}: no such input"
            return self.inputs[parts[1]]
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            known_ids = [step.get("id") for step in STEPS]
            assert parts[1] in known_ids, f"${{{{ {name} }}}}: no step with id {parts[1]}"
            return self.step_outputs.get(parts[1], {}).get(parts[3], "")
        if name == "github.action_path":
            return str(self.action_path)
        if name == "github.workspace":
            return str(self.workspace)
        if name == "runner.temp":
            return str(self.temp)
        raise AssertionError(f"${{{{ {name} }}}}: the test runner does not know this context")

    def substitute(self, text: str) -> str:
        return EXPRESSION.sub(lambda match: self.context(match.group(1).strip()), text)

    def condition(self, text: str) -> bool:
        """A step's ``if:``: string comparisons (case-insensitive, as GitHub compares),
        ``!``, ``&&``, ``||``, parentheses and the status functions; no status function
        means ``success() && ...``."""
        match = EXPRESSION.fullmatch(text.strip())
        source = match.group(1) if match else text
        python: List[str] = []
        position, uses_status = 0, False
        while source[position:].strip():
            token = CONDITION_TOKEN.match(source, position)
            assert token, f"if: {text!r}: cannot read {source[position:]!r}"
            position = token.end()
            if token.group("string") is not None:
                python.append(repr(token.group("string")[1:-1].replace("''", "'").lower()))
            elif token.group("function") is not None:
                function = token.group("function")
                assert function in STATUS_FUNCTIONS, f"if: {text!r}: unknown function {function}()"
                uses_status = True
                value = {"always": True, "success": not self.failed, "failure": self.failed, "cancelled": False}[function]
                python.append(repr(value))
            elif token.group("name") is not None:
                python.append(repr(self.context(token.group("name")).lower()))
            else:
                python.append({"&&": " and ", "||": " or ", "!": " not "}.get(token.group("operator"), token.group("operator")))
        result = bool(eval("".join(python), {"__builtins__": {}}))  # only the literals built above
        return result if uses_status else result and not self.failed

    # -- steps ---------------------------------------------------------------------------

    def environment(self, step: Mapping[str, Any], output_file: Path) -> Dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("GITHUB_", "RUNNER_", "INPUT_"))}
        env.pop("VIRTUAL_ENV", None)
        # The Python running the tests is the "runner's Python" the action finds on PATH.
        env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
        env.update(
            CI="true",
            GITHUB_ACTIONS="true",
            GITHUB_ACTION_PATH=str(self.action_path),
            GITHUB_WORKSPACE=str(self.workspace),
            GITHUB_OUTPUT=str(output_file),
            GITHUB_ENV=str(self.temp / "github_env"),
            GITHUB_PATH=str(self.temp / "github_path"),
            GITHUB_STEP_SUMMARY=str(self.temp / "step_summary"),
            RUNNER_TEMP=str(self.temp),
            RUNNER_OS="macOS" if sys.platform == "darwin" else "Linux",
        )
        for name, value in (step.get("env") or {}).items():
            env[name] = self.substitute(str(value))
        return env

    def run_step(self, number: int, step: Dict[str, Any]) -> StepRun:
        if "if" in step and not self.condition(str(step["if"])):
            return StepRun(step, ran=False)
        if "if" not in step and self.failed:
            return StepRun(step, ran=False)
        if "uses" in step:
            return StepRun(step, ran=True, with_={key: self.substitute(str(value)) for key, value in (step.get("with") or {}).items()})
        assert step.get("shell") == "bash", f"step {step.get('name')}: shell must be bash"
        script = self.temp / f"step-{number}.sh"
        script.write_text(step["run"], encoding="utf-8")
        output_file = self.temp / f"step-{number}.output"
        output_file.write_text("", encoding="utf-8")
        process = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.workspace,
            env=self.environment(step, output_file),
            capture_output=True,
            text=True,
            timeout=900,
        )
        if step.get("id"):
            self.step_outputs[step["id"]] = parse_output_file(output_file)
        if process.returncode != 0:
            self.failed = True
        return StepRun(step, ran=True, returncode=process.returncode, stdout=process.stdout, stderr=process.stderr)

    def run(self, done: Optional[Mapping[str, Dict[str, str]]] = None) -> ActionRun:
        """Every step in order; the steps in ``done`` (id → outputs) already ran."""
        runs = []
        for number, step in enumerate(STEPS):
            if done and step.get("id") in done:
                self.step_outputs[step["id"]] = dict(done[step["id"]])
                runs.append(StepRun(step, ran=True, returncode=0))
                continue
            runs.append(self.run_step(number, step))
        outputs = {name: self.substitute(str(spec["value"])) for name, spec in (ACTION.get("outputs") or {}).items()}
        return ActionRun(runs, self.failed, outputs)


# -- fixtures ------------------------------------------------------------------------------


def copy_action(target: Path) -> Path:
    """The repository's files as the runner would check them out: tracked and untracked
    (not ignored) files of the work tree, so an uncommitted action.yml is the one tested."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if listed.returncode == 0 and listed.stdout:
        for name in sorted(set(listed.stdout.split("\0")) - {""}):
            source = REPO_ROOT / name
            if source.is_file() and not name.startswith(".venv"):
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)
    else:  # not a git checkout
        ignore = shutil.ignore_patterns(".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", ".*_cache")
        shutil.copytree(REPO_ROOT, target, ignore=ignore, dirs_exist_ok=True)
    return target


@pytest.fixture(scope="module")
def action_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_action(tmp_path_factory.mktemp("action") / "timeoutlint")


@pytest.fixture(scope="module")
def installed(action_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Dict[str, str]:
    """The action's install step, run once: its outputs (the venv's python and timeoutlint)."""
    root = tmp_path_factory.mktemp("install")
    (root / "workspace").mkdir()
    (root / "temp").mkdir()
    runner = Runner(action_path, root / "workspace", root / "temp", {})
    step = runner.run_step(0, STEPS[0])
    assert step.step.get("id") == "install"
    assert step.returncode == 0, step.stdout + step.stderr
    outputs = runner.step_outputs["install"]
    assert Path(outputs["timeoutlint"]).is_file() and Path(outputs["python"]).is_file(), outputs
    assert Path(outputs["timeoutlint"]).parent.parent == root / "temp" / "timeoutlint-venv"  # in RUNNER_TEMP
    version = subprocess.run(
        [outputs["python"], "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True, timeout=60
    )
    assert version.stdout.strip() == str(sys.version_info[:2])  # the Python first on PATH
    assert "timeoutlint" in step.stdout  # it says which version it installed
    return outputs


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "workspace"
    root.mkdir()
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n", encoding="utf-8")
    return root


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def files_in(root: Path) -> List[str]:
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())


@pytest.fixture
def run_action(action_path: Path, installed: Dict[str, str], workspace: Path, tmp_path: Path) -> RunAction:
    def run(**inputs: str) -> ActionRun:
        temp = tmp_path / "runner-temp"
        temp.mkdir(exist_ok=True)
        runner = Runner(action_path, workspace, temp, {name.replace("_", "-"): value for name, value in inputs.items()})
        return runner.run(done={"install": installed})

    return run


# -- the action file -----------------------------------------------------------------------


def test_scripts_read_inputs_only_through_the_environment() -> None:
    run_steps = [step for step in STEPS if "run" in step]
    assert run_steps, "action.yml has no run: steps"
    assert ACTION["runs"]["using"] == "composite"
    for step in run_steps:
        assert step.get("shell") == "bash", step.get("name")
        # An input pasted into a script by the runner would be read as shell code.
        assert "${{" not in step["run"], f"{step.get('name')}: pass inputs through env:, not ${{{{ }}}} in run:"


def test_install_step_installs_the_action_checkout() -> None:
    install = STEPS[0]
    assert install.get("id") == "install"
    assert "$GITHUB_ACTION_PATH" in install["run"]
    assert "pip install" in install["run"]


def test_upload_step_is_conditional_on_the_input(action_path: Path, tmp_path: Path) -> None:
    upload = [step for step in STEPS if str(step.get("uses", "")).startswith(UPLOAD_ACTION)]
    assert len(upload) == 1, "one github/codeql-action/upload-sarif step"
    assert "inputs.upload-sarif" in str(upload[0].get("if", "")), "the upload must depend on the upload-sarif input"

    def would_upload(failed: bool, **inputs: str) -> bool:
        runner = Runner(action_path, tmp_path, tmp_path, inputs)
        runner.step_outputs["check"] = {"sarif-file": "timeoutlint.sarif", "exit-code": "1" if failed else "0"}
        runner.failed = failed
        return runner.run_step(len(STEPS) - 1, upload[0]).ran

    assert not would_upload(False)
    assert not would_upload(False, **{"upload-sarif": "false", "sarif-file": "x.sarif"})
    assert would_upload(False, **{"upload-sarif": "true"})
    # findings fail the check step, and the report is uploaded all the same
    assert would_upload(True, **{"upload-sarif": "true"})
    assert not would_upload(True)


# -- running it ----------------------------------------------------------------------------


def test_a_finding_is_annotated_and_fails_the_job(run_action: RunAction, workspace: Path) -> None:
    write(workspace, "bad.py", BAD)
    write(workspace, "good.py", CLEAN)
    before = files_in(workspace)
    result = run_action()
    assert result.failed, result.log()
    check = result.step("check")
    assert check.returncode == 1, result.log()
    assert ANNOTATION.format(path="bad.py") in check.stdout, result.log()
    assert "good.py" not in check.stdout
    assert "::error title=timeoutlint::timeoutlint found problems" in check.stdout
    assert result.outputs == {"exit-code": "1", "sarif-file": ""}
    assert not result.step(uses=UPLOAD_ACTION).ran
    assert files_in(workspace) == before  # no SARIF asked for, and the cache lives in RUNNER_TEMP


def test_a_clean_project_passes(run_action: RunAction, workspace: Path) -> None:
    write(workspace, "good.py", CLEAN)
    result = run_action()
    assert not result.failed, result.log()
    assert result.step("check").returncode == 0
    assert "::warning" not in result.stdout and "::error" not in result.stdout
    assert result.outputs["exit-code"] == "0"


def test_sarif_is_written_and_uploaded_although_the_check_fails(run_action: RunAction, workspace: Path) -> None:
    write(workspace, "bad.py", BAD)
    result = run_action(sarif_file="reports/timeoutlint.sarif", upload_sarif="true")
    assert result.failed and result.step("check").returncode == 1, result.log()
    assert ANNOTATION.format(path="bad.py") in result.step("check").stdout  # annotations too
    sarif = json.loads((workspace / "reports" / "timeoutlint.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert [item["ruleId"] for item in results] == ["TL303"]
    location = results[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "bad.py"
    assert location["region"]["startLine"] == 2
    assert result.outputs == {"exit-code": "1", "sarif-file": "reports/timeoutlint.sarif"}
    upload = result.step(uses=UPLOAD_ACTION)
    assert upload.ran, result.log()
    assert upload.with_["sarif_file"] == "reports/timeoutlint.sarif"


def test_upload_without_a_file_name_writes_timeoutlint_sarif(run_action: RunAction, workspace: Path) -> None:
    write(workspace, "good.py", CLEAN)
    result = run_action(upload_sarif="true")
    assert not result.failed, result.log()
    sarif = json.loads((workspace / "timeoutlint.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["results"] == []
    assert result.step(uses=UPLOAD_ACTION).with_["sarif_file"] == "timeoutlint.sarif"


def test_sarif_without_upload(run_action: RunAction, workspace: Path) -> None:
    write(workspace, "bad.py", BAD)
    result = run_action(sarif_file="timeoutlint.sarif")
    assert result.failed, result.log()
    assert json.loads((workspace / "timeoutlint.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]
    assert not result.step(uses=UPLOAD_ACTION).ran


def test_fail_on_findings_false_reports_and_passes(run_action: RunAction, workspace: Path) -> None:
    write(workspace, "bad.py", BAD)
    result = run_action(fail_on_findings="false", sarif_file="out.sarif")
    assert not result.failed, result.log()
    assert ANNOTATION.format(path="bad.py") in result.stdout
    assert result.outputs == {"exit-code": "1", "sarif-file": "out.sarif"}
    assert (workspace / "out.sarif").is_file()


def test_a_usage_error_fails_even_when_findings_may_pass(run_action: RunAction, workspace: Path) -> None:
    write(workspace, "bad.py", BAD)
    result = run_action(args="--select NOPE", fail_on_findings="false", sarif_file="out.sarif")
    assert result.failed, result.log()
    check = result.step("check")
    assert check.returncode == 2
    assert "unknown rule code 'NOPE'" in check.stderr
    assert result.outputs["exit-code"] == "2"
    assert not (workspace / "out.sarif").exists()


def test_paths_and_args_are_split_like_a_shell_line(run_action: RunAction, workspace: Path) -> None:
    write(workspace, "src dir/bad.py", BAD)
    write(workspace, "elsewhere/bad.py", BAD)
    write(workspace, "src dir/slow.py", "import time\ndef f(t):\n    start = time.time()\n    return time.time() - start > t\n")
    write(workspace, "conf dir/timeoutlint.toml", "ignore = ['TL402']\n")
    result = run_action(paths='"src dir"', args="--config 'conf dir/timeoutlint.toml' --select TL3,TL4")
    assert result.step("check").returncode == 1, result.log()
    assert ANNOTATION.format(path="src dir/bad.py") in result.stdout
    assert "elsewhere" not in result.stdout
    assert "TL402" not in result.stdout  # the config with a space in its path was read


def test_inputs_are_never_run_as_shell_code(run_action: RunAction, workspace: Path) -> None:
    write(workspace, "bad.py", BAD)
    # Each of these runs `touch` if the input reaches a shell as code (pasted into the
    # script, or eval'd); as words they are only paths that do not exist.
    result = run_action(paths='bad.py "$(touch pwned1)" `touch pwned2`', args='--quiet "$(touch pwned3)" `touch pwned4`')
    assert [name for name in files_in(workspace) if "pwned" in name] == [], result.log()
    assert result.failed
    assert ANNOTATION.format(path="bad.py") in result.stdout, result.log()
    assert "::error file=$(touch pwned1)::" in result.stdout


def test_an_unbalanced_quote_is_a_clear_error(run_action: RunAction, workspace: Path) -> None:
    write(workspace, "bad.py", BAD)
    result = run_action(args="--select 'TL3")
    assert result.failed
    check = result.step("check")
    assert check.returncode == 2
    assert "the args input: No closing quotation" in check.stderr
