# Two commands do all the set-up: `make run` and `make test`. Both create the virtual
# environment and install what is missing, once (the stamp file tracks pyproject.toml).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install run test lint bench eval train clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first, pinned: the CPU wheel on this disk (a plain `torch` pulls a CUDA build)
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(VENV)/bin/hoyamu run

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .

eval: install
	$(VENV)/bin/hoyamu evaluate --corpus data/eval/corpus.jsonl --queries data/eval/queries.jsonl \
		--nomatch data/eval/nomatch.jsonl --compare bm25,base --categories detected \
		--json docs/eval.json --plot docs/eval_scores.png

train: install
	$(VENV)/bin/hoyamu train

# Benchmarks (not tests: they measure, never assert): prints a table and writes
# docs/BENCHMARKS.md. About 20 minutes on 2 cores; `$(PY) -m bench --quick` for a short run.
bench: install
	$(PY) -m bench

# The storage, service and bot tests against a throwaway PostgreSQL on 127.0.0.1 (installed from
# the Debian packages when missing), and the 60-second load test (50 students); see
# docs/RELIABILITY.md. Neither is part of `make test`.
.PHONY: test-postgres load
test-postgres: install
	bash scripts/with_postgres.sh

load: install
	bash scripts/load_test.sh

clean:
	rm -rf $(VENV)
