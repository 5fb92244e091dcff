"""Fine-tune the matcher with MultipleNegativesRankingLoss.

Reads top to bottom like the sentence-transformers training examples:
data -> model -> loss -> arguments -> evaluator -> trainer -> save (calibrate, gate, promote).
A failed run leaves the current model, its pointer and its index untouched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from matcher.convert import PROMPTS
from matcher.encoder import model_version_of
from matcher.lexicon import language_style
from matcher.store import ModelStore
from storage.files import write_atomic
from training.calibrate import fit_calibration
from training.pairs import Pair, load_pairs, split_pairs
from training.scorer_fit import fit_scorer, st_encoder

log = logging.getLogger(__name__)


@dataclass
class TrainConfig:
    epochs: int = 10
    batch_size: int = 16
    learning_rate: float = 2e-5
    warmup_ratio: float = 0.1
    max_seq_length: int = 96
    freeze_embeddings: bool = True
    freeze_layers: int = 6  # lower transformer layers kept as they are (less overfitting, faster)
    held_out: float = 0.2
    seed: int = 42
    max_steps: int = -1  # > 0 cuts the run short (tests, smoke runs)


@dataclass
class EpochReport:
    epoch: int
    epochs: int
    loss: float | None
    top1: float | None
    mrr: float | None

    def line(self) -> str:
        def fmt(value: float | None) -> str:
            return "-" if value is None else f"{value:.4f}"

        return (f"epoch {self.epoch}/{self.epochs}  loss {fmt(self.loss)}  "
                f"held-out top-1 {fmt(self.top1)}  MRR@10 {fmt(self.mrr)}")


ProgressHook = Callable[[EpochReport], None]


@dataclass
class TrainResult:
    version: str
    path: Path
    promoted: bool
    reason: str
    passed: bool
    before: dict
    after: dict
    history: list[dict] = field(default_factory=list)
    seconds: float = 0.0


class TrainingError(RuntimeError):
    """Training could not produce a model; nothing was changed."""


def _datasets(pairs: list[Pair]) -> dict:
    """One dataset per anchor writing style (en, si, singlish, mixed), triplets where a hard
    negative exists and plain pairs otherwise; a batch is drawn from one dataset only.

    Grouping by style matters: most positives share their anchor's style, so in mixed batches
    "same style" would separate positives from in-batch negatives and the model would learn
    style instead of meaning. Within one style, only meaning tells the true item apart."""
    from datasets import Dataset

    groups: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        kind = "triplets" if pair.negative else "pairs"
        groups[f"{language_style(pair.anchor)}-{kind}"].append(pair)
    sets = {}
    for name, members in sorted(groups.items()):
        columns = {"anchor": [p.anchor for p in members],
                   "positive": [p.positive for p in members]}
        if name.endswith("triplets"):
            columns["negative"] = [p.negative for p in members]
        sets[name] = Dataset.from_dict(columns)
    return sets


def held_out_evaluator(pairs: list[Pair]):
    """Retrieval of each held-out anchor among all held-out positives and hard negatives."""
    from sentence_transformers.sentence_transformer.evaluation import InformationRetrievalEvaluator

    corpus: dict[str, str] = {}
    ids: dict[str, str] = {}

    def doc_id(text: str) -> str:
        if text not in ids:
            ids[text] = f"d{len(ids)}"
            corpus[ids[text]] = text
        return ids[text]

    queries, relevant = {}, {}
    for i, pair in enumerate(pairs):
        queries[f"q{i}"] = pair.anchor
        relevant[f"q{i}"] = {doc_id(pair.positive)}
        if pair.negative:
            doc_id(pair.negative)
    return InformationRetrievalEvaluator(
        queries, corpus, relevant, name="held-out", accuracy_at_k=[1, 3], mrr_at_k=[10],
        ndcg_at_k=[10], precision_recall_at_k=[1], map_at_k=[10], write_csv=False,
        query_prompt=PROMPTS["query"], corpus_prompt=PROMPTS["passage"], batch_size=64)


def _metric(metrics: dict, suffix: str) -> float | None:
    for key, value in metrics.items():
        if key.endswith(suffix):
            return float(value)
    return None


def _callback(config: TrainConfig, progress: ProgressHook | None, history: list[dict]):
    from transformers import TrainerCallback

    class EpochProgress(TrainerCallback):
        """One line per epoch (loss, held-out top-1/MRR), also handed to `progress`."""

        loss: float | None = None

        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs and "loss" in logs:
                self.loss = float(logs["loss"])

        def on_evaluate(self, args, state, control, metrics=None, **kwargs):
            metrics = metrics or {}
            epoch = max(1, math.ceil((state.epoch or 0) - 1e-6))  # a cut-short run is in epoch 1
            report = EpochReport(epoch, config.epochs, self.loss,
                                 _metric(metrics, "cosine_accuracy@1"),
                                 _metric(metrics, "cosine_mrr@10"))
            history.append(asdict(report))
            log.info(report.line())
            if progress:
                progress(report)

    return EpochProgress()


def _held_out_scores(model, pairs: list[Pair]) -> dict:
    metrics = held_out_evaluator(pairs)(model)
    return {"top1": _metric(metrics, "cosine_accuracy@1"), "top3": _metric(metrics, "cosine_accuracy@3"),
            "mrr10": _metric(metrics, "cosine_mrr@10")}


def data_hash(pairs: list[Pair]) -> str:
    digest = hashlib.sha256()
    for pair in pairs:
        digest.update(json.dumps(pair.to_json(), ensure_ascii=False, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def train(pairs_path: Path, store: ModelStore, config: TrainConfig | None = None,
          progress: ProgressHook | None = None, force: bool = False,
          promote: bool = True) -> TrainResult:
    """Fine-tune the base model on the pairs; promote the result if it passes the gate.

    With promote=False a model that passes is only marked so (an A/B candidate)."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.base.sampler import BatchSamplers
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from sentence_transformers.sentence_transformer.trainer import SentenceTransformerTrainer
    from sentence_transformers.sentence_transformer.training_args import (
        SentenceTransformerTrainingArguments,
    )

    config = config or TrainConfig()
    started = time.perf_counter()
    torch.manual_seed(config.seed)

    # 1. Data: validated pairs, a reproducible 80/20 split
    pairs = load_pairs(pairs_path)
    train_pairs, test_pairs = split_pairs(pairs, config.held_out, config.seed)
    if len(train_pairs) < 2 or not test_pairs:
        raise TrainingError(f"need more pairs to train (have {len(pairs)})")

    # 2. Model: always the base model, so every run is reproducible from the data alone
    model = SentenceTransformer(str(store.base_path()), device="cpu")
    model.max_seq_length = config.max_seq_length
    bert = model[0].auto_model
    if config.freeze_embeddings:
        bert.embeddings.word_embeddings.weight.requires_grad_(False)
    for layer in bert.encoder.layer[: config.freeze_layers]:
        layer.requires_grad_(False)
    # the gate's "before": the serving model on the same held-out pairs (the base model itself,
    # not loaded a second time, until a fine-tuned model serves)
    if Path(store.current_path()).resolve() == Path(store.base_path()).resolve():
        before = _held_out_scores(model, test_pairs)
    else:
        current = SentenceTransformer(str(store.current_path()), device="cpu")
        current.max_seq_length = config.max_seq_length
        before = _held_out_scores(current, test_pairs)
        del current

    # 3. Loss: in-batch negatives plus the hard negative column where present
    loss = MultipleNegativesRankingLoss(model)

    store.dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=store.dir, prefix=".train-") as tmp:
        # 4. Arguments
        args = SentenceTransformerTrainingArguments(
            output_dir=str(Path(tmp) / "checkpoints"), num_train_epochs=config.epochs,
            max_steps=config.max_steps, per_device_train_batch_size=config.batch_size,
            learning_rate=config.learning_rate, warmup_steps=config.warmup_ratio,
            batch_sampler=BatchSamplers.NO_DUPLICATES, eval_strategy="epoch",
            logging_strategy="epoch", save_strategy="no", seed=config.seed, report_to="none",
            use_cpu=True, dataloader_num_workers=0,
            prompts={"anchor": PROMPTS["query"], "positive": PROMPTS["passage"],
                     "negative": PROMPTS["passage"]})
        if config.max_steps > 0:
            args.eval_strategy = args.logging_strategy = "steps"
            args.eval_steps = args.logging_steps = config.max_steps

        # 5. Evaluator: held-out retrieval, every epoch
        evaluator = held_out_evaluator(test_pairs)

        # 6. Trainer
        history: list[dict] = []
        trainer = SentenceTransformerTrainer(
            model=model, args=args, train_dataset=_datasets(train_pairs), loss=loss,
            evaluator=evaluator, callbacks=[_callback(config, progress, history)])
        try:
            trainer.train()
        except Exception as exc:
            raise TrainingError(f"training failed: {exc}") from exc

        # 7. Save: model, calibration, metrics; then the gate decides on promotion
        version = "ft-" + dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        out = Path(tmp) / version
        model.save(str(out))
        (out / "hoyamu_model.json").write_text(json.dumps({"version": version}))
        after = _held_out_scores(model, test_pairs)
        # impostors: the held-out found reports plus the training split's (other items)
        pool = [p.positive for p in train_pairs] + [p.negative for p in train_pairs if p.negative]
        calibration, calibration_report = fit_calibration(model, test_pairs, pool)
        calibration.save(out / "calibration.json")
        # the learned match scorer of this version, fitted on the same held-out pairs
        scorer = fit_scorer(st_encoder(model), test_pairs, version, pool, config.seed)
        scorer.save(out)
        seconds = time.perf_counter() - started
        passed = force or (after["top1"] or 0) >= (before["top1"] or 0)
        promoted = passed and promote
        reason = ("forced" if force and (after["top1"] or 0) < (before["top1"] or 0) else
                  "held-out top-1 not below the current model's" if passed else
                  f"held-out top-1 {after['top1']:.3f} is below the current "
                  f"{before['top1']:.3f}")
        metrics = {
            "version": version, "base": model_version_of(store.base_path()),
            "compared_with": store.current_version(), "before": before, "held_out": after,
            "calibration": calibration_report, "scorer": scorer.report.get("grouped_cv"),
            "history": history,
            "data": {"path": str(pairs_path), "hash": data_hash(pairs), "pairs": len(pairs),
                     "train": len(train_pairs), "held_out": len(test_pairs)},
            "settings": asdict(config), "seconds": round(seconds, 1), "promoted": promoted,
            "gate_passed": passed, "gate": reason,
        }
        write_atomic(out / "metrics.json", json.dumps(metrics, indent=2, ensure_ascii=False))
        final = store.dir / version
        shutil.move(str(out), final)
    # the one place a trained model is promoted (or named the A/B candidate); running processes
    # follow data/models (hoyamu/modelops.py:ModelOps.follow_store)
    if promoted:
        store.set_current(version)
    elif passed:
        store.set_candidate(version)
    log.info("trained %s in %.0f s: top-1 %.3f -> %.3f; %s", version, seconds,
             before["top1"] or 0, after["top1"] or 0, "promoted" if promoted else "not promoted")
    return TrainResult(version, final, promoted, reason, passed, before, after, history, seconds)
