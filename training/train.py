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
from training.augment import item_of, voice_split
from training.calibrate import encode, fit_calibration
from training.pairs import Pair, dedupe, load_pairs
from training.scorer_fit import fit_scorer, st_encoder

log = logging.getLogger(__name__)


RECIPES = ("gist", "frozen", "wise-ft", "lora", "gist-wise-ft")


@dataclass
class TrainConfig:
    """One fine-tuning run. `recipe` picks how the base model's strengths are kept:

    gist          GISTEmbedLoss with the base model as guide (in-batch negatives the base finds
                  as close as the positive, e.g. re-tellings of the same item, are not pushed
                  away), token embeddings and lower layers frozen (the default)
    frozen        MultipleNegativesRankingLoss, token embeddings and lower layers frozen
    wise-ft       frozen, then the weights interpolated toward the base: base + alpha (tuned - base)
    lora          LoRA adapters on every attention and feed-forward projection, merged at save
    gist-wise-ft  gist, then interpolated like wise-ft
    """

    recipe: str = "gist"  # chosen on the voice-held-out split (docs/EVALUATION.md)
    alpha: float = 0.5  # *wise-ft: share of the fine-tuned weights (0 = base, 1 = fine-tuned)
    lora_rank: int = 16
    epochs: int = 2  # ~1,030 training pairs: 2 epochs ~ 140 steps, ~5 min on 2 idle cores
    batch_size: int = 16
    learning_rate: float = 2e-5
    warmup_ratio: float = 0.1
    max_seq_length: int = 96
    freeze_embeddings: bool = True
    freeze_layers: int = 6  # lower transformer layers kept as they are (less overfitting, faster)
    held_out: float = 0.2
    augment_per_pair: int = 2  # re-told versions of every training pair (training/augment.py)
    seed: int = 42
    max_steps: int = -1  # > 0 cuts the run short (tests, smoke runs)

    def __post_init__(self) -> None:
        if self.recipe not in RECIPES:
            raise ValueError(f"recipe must be one of {', '.join(RECIPES)}")
        if not 0.0 <= self.alpha <= 1.0:
            raise ValueError("alpha must be between 0 and 1")


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
    base: dict = field(default_factory=dict)  # the base model on the same held-out split
    canaries: dict = field(default_factory=dict)


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
    """Every epoch: the gate's own figures (`held_out_scores`) on the held-out split."""
    from sentence_transformers.sentence_transformer.evaluation import SentenceEvaluator

    class HeldOut(SentenceEvaluator):
        def __init__(self) -> None:
            super().__init__()
            self.primary_metric = "cosine_accuracy@1"

        def __call__(self, model, output_path=None, epoch=-1, steps=-1) -> dict:
            scores = held_out_scores(model, pairs)
            metrics = self.prefix_name_to_metrics(
                {"cosine_accuracy@1": scores["top1"], "cosine_accuracy@3": scores["top3"],
                 "cosine_mrr@10": scores["mrr10"]}, "held-out")
            self.store_metrics_in_model_card_data(model, metrics, epoch, steps)
            return metrics

    return HeldOut()


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


def held_out_scores(model, pairs: list[Pair]) -> dict:
    """Cosine retrieval of each held-out anchor among all held-out found reports (positives and
    hard negatives): top-1, top-3 and MRR@10 overall and per anchor writing style. Any found
    report of the anchor's item (a re-telling of the same report) counts as right."""
    import numpy as np

    docs = sorted({p.positive for p in pairs} | {p.negative for p in pairs if p.negative})
    index = {text: i for i, text in enumerate(docs)}
    items = [item_of(p) for p in pairs]
    right = np.zeros((len(pairs), len(docs)), dtype=bool)
    positives_of: dict[str, list[int]] = defaultdict(list)
    for pair, item in zip(pairs, items, strict=True):
        positives_of[item].append(index[pair.positive])
    for i, item in enumerate(items):
        right[i, positives_of[item]] = True
    sims = encode(model, [p.anchor for p in pairs], PROMPTS["query"]) @ encode(
        model, docs, PROMPTS["passage"]).T
    best_right = np.where(right, sims, -np.inf).max(axis=1)
    ranks = 1 + ((sims > best_right[:, None]) & ~right).sum(axis=1)
    styles: dict[str, list[int]] = defaultdict(list)
    for pair, rank in zip(pairs, ranks, strict=True):
        styles[language_style(pair.anchor)].append(int(rank))

    def summary(values) -> dict:
        values = np.asarray(values)
        return {"n": int(values.size), "top1": round(float((values <= 1).mean()), 4),
                "top3": round(float((values <= 3).mean()), 4),
                "mrr10": round(float(np.where(values <= 10, 1 / values, 0).mean()), 4)}

    result = summary(ranks)
    result["by_style"] = {style: summary(v) for style, v in sorted(styles.items())}
    worst = min(result["by_style"].items(), key=lambda item: item[1]["top1"])
    result["worst_style"] = {"style": worst[0], "top1": worst[1]["top1"]}
    return result


# --- canaries: promises the model must keep whatever the data -------------------------------------

CANARIES = Path(__file__).with_name("canaries.json")


def check_canaries(model, path: Path = CANARIES, quantile: float = 0.75) -> dict:
    """The promises a model must keep whatever the data, judged without any calibration (so a
    model cannot pass by moving its own curve):

    - the seed guide's worked examples: the true item ranks first among the example's
      candidates;
    - every canary's true pair (worked examples and a frozen slice of true pairs from every
      writing style) keeps a cosine above `quantile` of its cosines with the slice's found
      reports of other items: a collapsed pair (the gym wallet at 0.28) scores like an
      unrelated report.

    Returns the failures with their cosine; `passed` only if there are none."""
    import numpy as np

    data = json.loads(Path(path).read_text(encoding="utf-8"))
    slice_pairs = data["true_pairs"]
    pool = encode(model, [p["positive"] for p in slice_pairs], PROMPTS["passage"])
    cases = [(c["query"], [c["positive"], *c["distractors"]], None) for c in data["worked_examples"]]
    cases += [(p["anchor"], [p["positive"]], i) for i, p in enumerate(slice_pairs)]
    failures = []
    for query, candidates, own in cases:
        vector = encode(model, [query], PROMPTS["query"])[0]
        cosines = encode(model, candidates, PROMPTS["passage"]) @ vector
        unrelated = np.delete(pool @ vector, own) if own is not None else pool @ vector
        floor = float(np.quantile(unrelated, quantile))
        if cosines.argmax() != 0 or cosines[0] <= floor:
            failures.append({"query": query, "positive": candidates[0],
                             "cosine": round(float(cosines[0]), 3), "floor": round(floor, 3),
                             "first": candidates[int(cosines.argmax())]})
    return {"checked": len(cases), "failed": len(failures), "failures": failures,
            "passed": not failures}


# --- the gate -------------------------------------------------------------------------------------

def gate(after: dict, current: dict, base: dict, canaries: dict, force: bool = False
         ) -> tuple[bool, str]:
    """Promote only if, on the held-out split, overall top-1 and the worst writing style's top-1
    are not below the current model's nor the base model's, no style loses more than one query
    against either (one query is noise on a style with a dozen), and every canary holds."""
    problems = []
    for name, other in (("current", current), ("base", base)):
        if after["top1"] < other["top1"]:
            problems.append(f"held-out top-1 {after['top1']:.3f} is below the {name} model's "
                            f"{other['top1']:.3f}")
        if after["worst_style"]["top1"] < other["worst_style"]["top1"]:
            problems.append(
                f"worst style {after['worst_style']['style']} {after['worst_style']['top1']:.3f} "
                f"is below the {name} model's worst ({other['worst_style']['style']} "
                f"{other['worst_style']['top1']:.3f})")
        for style, figures in after["by_style"].items():
            theirs = other["by_style"].get(style)
            n = figures.get("n", 0)
            if theirs and n and round((theirs["top1"] - figures["top1"]) * n) > 1:
                problems.append(f"{style} {figures['top1']:.3f} lost more than one of {n} "
                                f"queries against the {name} model's {theirs['top1']:.3f}")
    if not canaries["passed"]:
        first = canaries["failures"][0]
        problems.append(f"{canaries['failed']} canary(ies) broken, e.g. {first['query']!r}: "
                        f"cosine {first['cosine']} (floor {first['floor']})")
    if not problems:
        return True, ("held-out top-1, the worst style and every style not below the current and "
                      "base models; canaries hold")
    if force:
        return True, "forced (" + "; ".join(problems) + ")"
    return False, "; ".join(problems)


# --- recipes --------------------------------------------------------------------------------------

def interpolate(model, base_state: dict, alpha: float) -> None:
    """WiSE-FT in place: every weight w of `model` becomes base + alpha * (w - base), for the
    weights in `base_state` (those that training could change)."""
    import torch

    with torch.no_grad():
        for name, tensor in model[0].auto_model.state_dict().items():
            if name in base_state:
                tensor.copy_(base_state[name] + alpha * (tensor - base_state[name]))


def _prepare(model, config: TrainConfig) -> None:
    """Freeze (frozen, wise-ft, gist) or wrap in LoRA adapters (lora)."""
    bert = model[0].auto_model
    if config.recipe == "lora":
        from peft import LoraConfig, get_peft_model

        lora = LoraConfig(r=config.lora_rank, lora_alpha=2 * config.lora_rank, lora_dropout=0.1,
                          target_modules=["query", "key", "value", "dense"])
        model[0].model = get_peft_model(bert, lora)  # the Transformer module's model
        return
    if config.freeze_embeddings:
        bert.embeddings.word_embeddings.weight.requires_grad_(False)
    for layer in bert.encoder.layer[: config.freeze_layers]:
        layer.requires_grad_(False)


def _finish(model, config: TrainConfig, base_state: dict) -> None:
    """Merge LoRA adapters into plain weights; interpolate toward the base for wise-ft."""
    if config.recipe == "lora":
        model[0].model = model[0].auto_model.merge_and_unload()
    if config.recipe.endswith("wise-ft"):
        interpolate(model, base_state, config.alpha)


def _loss(model, config: TrainConfig, base_path: Path):
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import (
        GISTEmbedLoss,
        MultipleNegativesRankingLoss,
    )

    if config.recipe.startswith("gist"):
        guide = SentenceTransformer(str(base_path), device="cpu")
        guide.max_seq_length = config.max_seq_length
        return GISTEmbedLoss(model, guide, contrast_anchors=False, contrast_positives=False)
    return MultipleNegativesRankingLoss(model)


def data_hash(pairs: list[Pair]) -> str:
    digest = hashlib.sha256()
    for pair in pairs:
        digest.update(json.dumps(pair.to_json(), ensure_ascii=False, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def fit(model, train_pairs: list[Pair], test_pairs: list[Pair], config: TrainConfig,
        base_path: Path, work_dir: Path, progress: ProgressHook | None = None,
        evaluate: bool = True) -> list[dict]:
    """Train `model` (the base model, loaded) in place by `config.recipe`; returns the history.
    Steps 3-6 of `train`, on their own so recipes can be compared on the held-out split."""
    from sentence_transformers.base.sampler import BatchSamplers
    from sentence_transformers.sentence_transformer.trainer import SentenceTransformerTrainer
    from sentence_transformers.sentence_transformer.training_args import (
        SentenceTransformerTrainingArguments,
    )

    _prepare(model, config)
    trainable = {name for name, p in model[0].auto_model.named_parameters() if p.requires_grad}
    base_state = ({name: t.detach().clone() for name, t in model[0].auto_model.state_dict().items()
                   if name in trainable} if config.recipe.endswith("wise-ft") else {})

    # 3. Loss: in-batch negatives plus the hard negative column where present
    loss = _loss(model, config, base_path)

    # 4. Arguments
    args = SentenceTransformerTrainingArguments(
        output_dir=str(Path(work_dir) / "checkpoints"), num_train_epochs=config.epochs,
        max_steps=config.max_steps, per_device_train_batch_size=config.batch_size,
        learning_rate=config.learning_rate, warmup_steps=config.warmup_ratio,
        batch_sampler=BatchSamplers.NO_DUPLICATES, eval_strategy="epoch" if evaluate else "no",
        logging_strategy="epoch", save_strategy="no", seed=config.seed, report_to="none",
        use_cpu=True, dataloader_num_workers=0,
        prompts={"anchor": PROMPTS["query"], "positive": PROMPTS["passage"],
                 "negative": PROMPTS["passage"]})
    if config.max_steps > 0:
        args.logging_strategy = "steps"
        args.logging_steps = config.max_steps
        if evaluate:
            args.eval_strategy, args.eval_steps = "steps", config.max_steps

    # 5. Evaluator: the gate's held-out figures, every epoch (before any interpolation)
    evaluator = held_out_evaluator(test_pairs) if evaluate else None

    # 6. Trainer
    history: list[dict] = []
    trainer = SentenceTransformerTrainer(
        model=model, args=args, train_dataset=_datasets(train_pairs), loss=loss,
        evaluator=evaluator, callbacks=[_callback(config, progress, history)])
    try:
        trainer.train()
    except Exception as exc:
        raise TrainingError(f"training failed: {exc}") from exc
    _finish(model, config, base_state)
    return history


def train(pairs_path: Path | list[Path], store: ModelStore, config: TrainConfig | None = None,
          progress: ProgressHook | None = None, force: bool = False,
          promote: bool = True) -> TrainResult:
    """Fine-tune the base model on the pairs; promote the result if it passes the gate.

    With promote=False a model that passes is only marked so (an A/B candidate)."""
    import torch
    from sentence_transformers import SentenceTransformer

    config = config or TrainConfig()
    started = time.perf_counter()
    torch.manual_seed(config.seed)

    # 1. Data: validated pairs; held-out items re-told in voices training never hears
    paths = [pairs_path] if isinstance(pairs_path, (str, Path)) else list(pairs_path)
    pairs = dedupe(p for path in paths if Path(path).exists() for p in load_pairs(path))
    train_pairs, test_pairs = voice_split(pairs, config.held_out, config.seed,
                                          config.augment_per_pair)
    if len(train_pairs) < 2 or not test_pairs:
        raise TrainingError(f"need more pairs to train (have {len(pairs)})")

    # 2. Model: always the base model, so every run is reproducible from the data alone
    model = SentenceTransformer(str(store.base_path()), device="cpu")
    model.max_seq_length = config.max_seq_length
    # the gate's references on the same held-out split: the base model (this one, before
    # training) and the serving model (loaded only when a fine-tuned model serves)
    base_scores = held_out_scores(model, test_pairs)
    if Path(store.current_path()).resolve() == Path(store.base_path()).resolve():
        before = base_scores
    else:
        current = SentenceTransformer(str(store.current_path()), device="cpu")
        current.max_seq_length = config.max_seq_length
        before = held_out_scores(current, test_pairs)
        del current

    store.dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=store.dir, prefix=".train-") as tmp:
        # 3.-6. Loss, arguments, evaluator, trainer (by recipe)
        history = fit(model, train_pairs, test_pairs, config, store.base_path(), Path(tmp),
                      progress)

        # 7. Save: model, calibration, metrics; then the gate decides on promotion
        version = "ft-" + dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        out = Path(tmp) / version
        model.save(str(out))
        (out / "hoyamu_model.json").write_text(json.dumps({"version": version}))
        after = held_out_scores(model, test_pairs)
        # impostors: the held-out found reports plus the training split's (other items)
        pool = [p.positive for p in train_pairs] + [p.negative for p in train_pairs if p.negative]
        calibration, calibration_report = fit_calibration(model, test_pairs, pool)
        calibration.save(out / "calibration.json")
        # the learned match scorer of this version, fitted on the same held-out pairs
        scorer = fit_scorer(st_encoder(model), test_pairs, version, pool, config.seed)
        scorer.save(out)
        canaries = check_canaries(model)
        seconds = time.perf_counter() - started
        passed, reason = gate(after, before, base_scores, canaries, force)
        promoted = passed and promote
        metrics = {
            "version": version, "base": model_version_of(store.base_path()),
            "compared_with": store.current_version(), "before": before, "base_scores": base_scores,
            "held_out": after, "canaries": canaries, "calibration": calibration_report,
            "scorer": scorer.report.get("grouped_cv"),
            "history": history,
            "data": {"paths": [str(p) for p in paths], "hash": data_hash(pairs),
                     "pairs": len(pairs), "train": len(train_pairs), "held_out": len(test_pairs),
                     "augmented": sum(p.source == "augmented" for p in train_pairs + test_pairs)},
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
    log.info("trained %s (%s) in %.0f s: top-1 %.3f -> %.3f, worst style %s; %s", version,
             config.recipe, seconds, before["top1"], after["top1"], after["worst_style"],
             "promoted" if promoted else "not promoted")
    return TrainResult(version, final, promoted, reason, passed, before, after, history, seconds,
                       base_scores, canaries)
