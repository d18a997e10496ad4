#!/usr/bin/env bash
# Time timeoutlint against Ruff, Bandit and Fixit on the pinned corpus (../shared/corpus), with a profile.
# usage: benchmarks/run.sh [CORPUS_DIR]   (default: .corpus in the repo; downloaded if missing)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
corpus=${1:-$repo/.corpus}
if [ ! -f "$corpus/files.txt" ]; then
  bash "$repo/../shared/corpus/get_corpus.sh" "$corpus"
fi
venv="$here/.venv-bench"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -e "$repo" -r "$here/requirements.txt"
fi
"$venv/bin/python" "$here/bench.py" --corpus "$corpus" "${@:2}"
