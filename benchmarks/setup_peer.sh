#!/usr/bin/env bash
# Create .venv-peer: imitation 1.0.1 + seals 0.2.1 + valuelearn (editable) in one environment, so
# that benchmarks/bench_mce_peer.py times both libraries in the same process.
#
# Usage (from anywhere):  bash benchmarks/setup_peer.sh
# Environment: PYTHON (default python3), VENV (default <repo>/.venv-peer).
# Idempotent: each step is skipped when what it installs is already there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-$ROOT/.venv-peer}"
PY="$VENV/bin/python"
TORCH_VERSION="2.13.0"

cd "$ROOT"

if [[ ! -x "$PY" ]]; then
    echo "[setup_peer] creating $VENV"
    "$PYTHON" -m venv "$VENV"
fi

installed() {  # installed DIST VERSION -> true when DIST==VERSION (any local tag, e.g. +cpu)
    "$PY" - "$1" "$2" <<'PYEOF'
import sys
from importlib import metadata
try:
    version = metadata.version(sys.argv[1])
except metadata.PackageNotFoundError:
    sys.exit(1)
sys.exit(0 if version.split("+")[0] == sys.argv[2] else 1)
PYEOF
}

# 1. torch first, alone, so that nothing later can choose another (CUDA) build.
if installed torch "$TORCH_VERSION"; then
    echo "[setup_peer] torch $TORCH_VERSION already installed"
else
    "$PY" -m pip install "torch==$TORCH_VERSION"
fi

# 2. the peers, with torch held at the same version by the repository's constraints file.
if installed imitation 1.0.1 && installed seals 0.2.1; then
    echo "[setup_peer] imitation 1.0.1 and seals 0.2.1 already installed"
else
    "$PY" -m pip install -c constraints.txt -r benchmarks/requirements-peer.txt
fi

# 3. valuelearn itself, editable, so the working tree is what gets benchmarked.
if "$PY" -c 'import valuelearn, sys; sys.exit(0 if valuelearn.__file__.startswith(sys.argv[1]) else 1)' \
        "$ROOT/src/" 2>/dev/null; then
    echo "[setup_peer] valuelearn already importable from $ROOT/src"
else
    "$PY" -m pip install -c constraints.txt -e .
fi

# The peers must not have replaced torch.
if ! installed torch "$TORCH_VERSION"; then
    echo "[setup_peer] ERROR: torch is no longer $TORCH_VERSION" >&2
    exit 1
fi
"$PY" -c 'import torch, imitation, seals, valuelearn; print("[setup_peer] ok: torch", torch.__version__, "imitation", imitation.__version__, "valuelearn", valuelearn.__version__)'
