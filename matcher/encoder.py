"""The sentence encoder: lost reports are queries, found reports are passages, always.

Encoding one text at a time from many coroutines would serialise on two CPU cores anyway, so
`encode_async` gathers the texts that arrive while a batch is running into the next batch and
runs it on one worker thread, never on the event loop.

Backends (setting ENCODER_BACKEND), the same vectors either way:
- "onnx" (default): the model as one ONNX graph (transformer + mean pooling + normalisation),
  exported once per model version into `<model>/onnx-hoyamu/` by a short-lived process, run by
  ONNX Runtime with the model's own tokenizer. 1.6x faster than PyTorch for one query on an
  idle 2-core machine and far steadier on a busy one, same eval top-1 (docs/BENCHMARKS.md);
  the serving process never loads torch.
  Falls back to "torch" (with a warning) when onnxruntime/onnx are missing or the export fails.
- "torch": sentence-transformers on PyTorch.
The caller passes both (the application reads ENCODER_BACKEND / ENCODE_THREADS); `threads` sets
the backend's threads (0 = its default: 1 for ONNX Runtime, which leaves the
second core to the event loop; torch's own default for PyTorch).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
PROMPT_FOR_KIND = {"lost": "query", "found": "passage"}
MAX_BATCH = 64
BACKENDS = ("onnx", "torch")
ONNX_FOLDER = "onnx-hoyamu"  # not sentence-transformers' "onnx/" (that one has no pooling)


class ModelLoadError(RuntimeError):
    """The configured model cannot be loaded; never silently replaced by another."""


def model_version_of(path: Path) -> str:
    meta = path / "hoyamu_model.json"
    if meta.exists():
        return json.loads(meta.read_text())["version"]
    return path.name


def _mean_pooled_model(path: Path) -> bool:
    """A local sentence-transformers folder of Transformer -> mean Pooling -> Normalize."""
    try:
        modules = json.loads((path / "modules.json").read_text())
        types = [m["type"].rsplit(".", 1)[-1] for m in modules]
        pooling = json.loads((path / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError, KeyError):
        return False
    mean = pooling.get("pooling_mode") == "mean" or pooling.get("pooling_mode_mean_tokens")
    return types == ["Transformer", "Pooling", "Normalize"] and bool(mean) and \
        pooling.get("include_prompt", True) and (path / "tokenizer.json").exists()


def export_onnx(path: Path, target: Path) -> None:
    """Write the model as one ONNX graph: token ids -> normalised mean-pooled embedding."""
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(path)).eval()

    class Pooled(torch.nn.Module):
        def __init__(self, transformer) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask):
            hidden = self.transformer(input_ids=input_ids,
                                      attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, dim=-1)

    ids = torch.tensor([[0, 41, 1294, 12, 2]], dtype=torch.long)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with torch.inference_mode():
        torch.onnx.export(Pooled(model), (ids, torch.ones_like(ids)), str(tmp),
                          input_names=["input_ids", "attention_mask"],
                          output_names=["embedding"], opset_version=17, dynamo=False,
                          dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                                        "attention_mask": {0: "batch", 1: "tokens"},
                                        "embedding": {0: "batch"}})
    os.replace(tmp, target)


def onnx_file(path: Path) -> Path:
    """The model's ONNX graph, exported on first use in a separate process (so the serving
    process never holds torch and the exporter's memory), one exporter at a time."""
    import fcntl

    target = path / ONNX_FOLDER / "model.onnx"
    weights = path / "model.safetensors"
    source = json.dumps({"size": weights.stat().st_size, "mtime_ns": weights.stat().st_mtime_ns}
                        if weights.exists() else {})
    stamp = target.with_name("source.json")

    def fresh() -> bool:  # exported from these very weights
        return target.exists() and stamp.exists() and stamp.read_text() == source

    if fresh():
        return target
    target.parent.mkdir(exist_ok=True)
    with open(target.parent / ".export.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not fresh():
            log.info("exporting %s to ONNX (once per model version)...", path.name)
            proc = subprocess.run([sys.executable, "-m", "matcher.encoder", "export", str(path),
                                   str(target)], capture_output=True, text=True,
                                  env={**os.environ, "TOKENIZERS_PARALLELISM": "false"})
            if proc.returncode != 0 or not target.exists():
                raise RuntimeError(f"ONNX export failed: {proc.stderr[-2000:]}")
            stamp.write_text(source)
    return target


class _Tokenizer:
    """tokenizer.json with sentence-transformers' truncation; callable like a Hugging Face
    tokenizer for one text (`tokenizer(text)["input_ids"]`, `unk_token_id`)."""

    def __init__(self, tokenizer, max_seq_length: int) -> None:
        self._tokenizer = tokenizer
        tokenizer.enable_truncation(max_seq_length)
        pad_id = tokenizer.token_to_id("<pad>")
        tokenizer.enable_padding(pad_id=1 if pad_id is None else pad_id, pad_token="<pad>")
        self.unk_token_id = tokenizer.token_to_id("<unk>")

    def __call__(self, text: str) -> dict[str, list[int]]:
        encoding = self._tokenizer.encode(text)
        return {"input_ids": encoding.ids, "attention_mask": encoding.attention_mask}

    def batch(self, texts: list[str]):
        return self._tokenizer.encode_batch(texts)


class OnnxSentenceModel:
    """The sentence model run by ONNX Runtime: tokenize (the model's tokenizer.json, the same
    truncation as sentence-transformers), one graph call per batch, vectors come out pooled
    and normalised."""

    def __init__(self, path: Path, max_seq_length: int, threads: int,
                 graph: Path | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        config = json.loads((path / "config_sentence_transformers.json").read_text())
        self.prompts: dict[str, str] = config.get("prompts", {})
        missing = {prompt for prompt in PROMPT_FOR_KIND.values() if prompt not in self.prompts}
        if missing:
            raise ValueError(f"the model has no {', '.join(sorted(missing))} prompt")
        self.max_seq_length = max_seq_length
        self.tokenizer = _Tokenizer(Tokenizer.from_file(str(path / "tokenizer.json")),
                                    max_seq_length)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(graph or onnx_file(path)), options,
                                            providers=["CPUExecutionProvider"])
        dim = self.session.get_outputs()[0].shape[-1]
        self.dim = dim if isinstance(dim, int) else int(self.encode(["x"]).shape[1])

    def encode(self, texts: list[str], prompt: str = "", batch_size: int = 32) -> np.ndarray:
        texts = [prompt + text for text in texts]
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # little padding
        out: np.ndarray | None = None
        for start in range(0, len(texts), batch_size):
            chosen = order[start:start + batch_size]
            encodings = self.tokenizer.batch([texts[i] for i in chosen])
            ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
            mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
            vectors = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            if out is None:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            out[chosen] = vectors
        return out if out is not None else np.zeros((0, 0), dtype=np.float32)


class Encoder:
    """A loaded sentence-transformers model, one per process and version."""

    def __init__(self, model_path: str | Path, version: str | None = None,
                 max_seq_length: int = 128, backend: str = "onnx", threads: int = 0) -> None:
        self.path = Path(model_path)
        self.version = version or model_version_of(self.path)
        backend, threads = backend.lower(), int(threads)
        if backend not in BACKENDS:
            raise ModelLoadError(f"ENCODER_BACKEND={backend!r}: use one of {', '.join(BACKENDS)}")
        self.backend, self.threads = "torch", threads
        if backend == "onnx" and _mean_pooled_model(self.path):
            try:
                self.model = OnnxSentenceModel(self.path, max_seq_length, threads or 1)
                self.backend, self.threads = "onnx", threads or 1
            except Exception as exc:  # noqa: BLE001 - serve with PyTorch rather than not at all
                log.warning("ONNX Runtime unavailable for %s (%s); using PyTorch", self.version,
                            str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        if self.backend == "torch":
            from sentence_transformers import SentenceTransformer

            if threads > 0:
                import torch

                torch.set_num_threads(threads)
            try:
                self.model = SentenceTransformer(str(model_path), device="cpu")
            except Exception as exc:
                raise ModelLoadError(f"cannot load the model at {model_path}: {exc}") from exc
            self.model.max_seq_length = max_seq_length
            self.model.eval()
            self.dim = int(self.model.get_embedding_dimension())
        else:
            self.dim = self.model.dim
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"encode-{self.version}")
        self._pending: dict[str, list[tuple[str, asyncio.Future]]] = {"lost": [], "found": []}
        self._draining = False

    def encode(self, kind: str, texts: list[str]) -> np.ndarray:
        """Normalised float32 vectors (n, dim); blocking."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.backend == "onnx":
            return self.model.encode(texts, self.model.prompts[PROMPT_FOR_KIND[kind]])
        vectors = self.model.encode(texts, prompt_name=PROMPT_FOR_KIND[kind], batch_size=32,
                                    convert_to_numpy=True, normalize_embeddings=True,
                                    show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)

    async def encode_async(self, kind: str, text: str) -> np.ndarray:
        """One vector, batched with whatever else is waiting; the event loop never blocks."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        self._pending[kind].append((text, future))
        if not self._draining:
            self._draining = True
            loop.create_task(self._drain())
        return await future

    async def encode_many_async(self, kind: str, texts: list[str]) -> np.ndarray:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.encode, kind, texts)

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while any(self._pending.values()):
                for kind, queue in self._pending.items():
                    if not queue:
                        continue
                    batch, self._pending[kind] = queue[:MAX_BATCH], queue[MAX_BATCH:]
                    try:
                        vectors = await loop.run_in_executor(
                            self._executor, self.encode, kind, [t for t, _ in batch])
                    except Exception as exc:  # noqa: BLE001 - handed to every waiter
                        for _, future in batch:
                            if not future.done():
                                future.set_exception(exc)
                        continue
                    for (_, future), vector in zip(batch, vectors, strict=True):
                        if not future.done():
                            future.set_result(vector)
        finally:
            self._draining = False

    def describe(self) -> str:
        return f"{self.backend}, {self.threads or 'default'} thread(s)"

    def close(self) -> None:
        self._executor.shutdown(wait=False)


if __name__ == "__main__":  # python -m matcher.encoder export MODEL_FOLDER TARGET.onnx
    if len(sys.argv) == 4 and sys.argv[1] == "export":
        export_onnx(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        sys.exit("usage: python -m matcher.encoder export MODEL_FOLDER TARGET.onnx")
