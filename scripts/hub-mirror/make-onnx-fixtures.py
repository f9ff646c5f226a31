#!/usr/bin/python3
"""Tiny, real, runnable Hub repositories in the layout of transformers.js ONNX repositories (Xenova/*, onnx-community/*).

Writes scripts/hub-mirror/onnx-fixtures/<owner>/<name>/ with, per repository, config.json, tokenizer.json (the
Hugging Face `tokenizers` format), tokenizer_config.json, special_tokens_map.json, vocab.txt, onnx/model.onnx and
onnx/model_quantized.onnx:

  sokhan-lab/bert-fa-tiny-sentiment   BertForSequenceClassification  text-classification (منفی / خنثی / مثبت)
  sokhan-lab/bert-fa-tiny-ner         BertForTokenClassification     token-classification (B-PER, I-LOC, ...)
  sokhan-lab/bert-fa-tiny-mlm         BertForMaskedLM                fill-mask
  sokhan-lab/bert-fa-tiny-encoder     BertModel                      feature-extraction (the MLM's encoder)
  sokhan-lab/bert-fa-tiny-nli         BertForSequenceClassification  zero-shot-classification (entailment ...)
  sokhan-lab/mms-tts-fa-tiny          VitsModel-shaped               text-to-speech (input_ids → waveform)
  sokhan-lab/bert-fa-pytorch-only     pytorch_model.bin only         (a negative: nothing to run here)

Each BERT is a real 2-layer BERT (hidden 32) trained here for a few hundred steps on generated Persian sentences,
so its answers mean something: «این فیلم عالی بود» is مثبت, «علی در تهران زندگی میکند» has a PER and a LOC.
The voice is a small torch module with VITS's ONNX contract (Debian's torch 1.13 has no `transformers` package
to build a VitsModel): each character becomes a short tone whose pitch and loudness come from its embedding.

Only Debian packages: apt-get install -y python3-torch python3-onnx. There is no onnxruntime for Python in
Debian, so model_quantized.onnx is made here the way onnxruntime's quantize_dynamic makes it: every MatMul
with a constant weight becomes DynamicQuantizeLinear + MatMulInteger (int8 weights, one scale per tensor).

Deterministic: the same torch build writes the same files. Run: /usr/bin/python3 scripts/hub-mirror/make-onnx-fixtures.py
"""

import copy
import json
import math
import os
import random
import shutil
import sys
import unicodedata

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "onnx-fixtures")
OPSET = 14
HIDDEN, LAYERS, HEADS, INTER, MAX_POS = 32, 2, 2, 64, 128
SAMPLE_RATE, HOP = 16000, 320  # 20 ms of audio per character

torch.manual_seed(0)
random.seed(0)
torch.set_num_threads(1)

# ---------------------------------------------------------------- vocabulary and WordPiece

PERSIAN_LETTERS = list("آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیئءأؤ")
PUNCT = list(".،؟!,?:؛-()«»")
DIGITS = list("0123456789۰۱۲۳۴۵۶۷۸۹")
ASCII = list("abcdefghijklmnopqrstuvwxyz")

SUBJECTS = ["فیلم", "کتاب", "غذا", "رستوران", "هتل", "گوشی", "برنامه", "سفارش", "ارسال", "کیفیت", "قیمت", "سریال", "خدمات"]
POSITIVE = ["خوب", "عالی", "زیبا", "سریع", "دلنشین", "بینظیر", "خوشمزه"]
NEGATIVE = ["بد", "افتضاح", "زشت", "کند", "ضعیف", "گران", "خراب"]
NEUTRAL = ["معمولی", "متوسط", "قابل قبول"]
INTENS = ["خیلی", "واقعا", "بسیار", "کمی", ""]
PERSONS = ["علی", "مریم", "سارا", "رضا", "حسین", "زهرا", "محمد", "فاطمه", "نیما", "لیلا"]
SURNAMES = ["احمدی", "رضایی", "کریمی", "محمدی", "حسینی"]
PLACES = ["تهران", "شیراز", "اصفهان", "تبریز", "مشهد", "کرمان", "یزد", "رشت", "ایران"]
ORGS = ["دیجیکالا", "اسنپ", "ایرانسل", "سخن", "بانک ملی", "دانشگاه شریف"]
TOPICS = {
    "ورزش": ["فوتبال", "والیبال", "بازی", "تیم", "گل", "مسابقه", "ورزشگاه"],
    "غذا": ["غذا", "خوشمزه", "رستوران", "کباب", "برنج", "آشپزی", "چای"],
    "سفر": ["سفر", "بلیط", "هتل", "پرواز", "قطار", "مسافرت", "چمدان"],
    "فناوری": ["گوشی", "برنامه", "رایانه", "اینترنت", "نرمافزار", "باتری", "لپتاپ"],
}
FUNCTION_WORDS = [
    "این", "آن", "من", "تو", "او", "ما", "شما", "که", "را", "به", "از", "در", "با", "و", "برای", "بود", "است", "نبود",
    "نیست", "هست", "بودم", "هستم", "دوست", "داشتم", "نداشتم", "پیشنهاد", "میکنم", "نمیکنم", "راضی", "ناراضی", "اصلا",
    "امروز", "دیروز", "هفته", "گذشته", "زندگی", "میکند", "کار", "رفت", "رفتم", "آمد", "دیدم", "سفر", "کرد", "خرید",
    "رسید", "شد", "نشد", "متن", "درباره", "هوا", "آفتابی", "سرد", "گرم", "بارانی", "خانه", "شهر", "دیشب", "فردا",
    "شنبه", "بزرگ", "کوچک", "زود", "دیر", "همه", "چیز", "اما", "ولی", "هم", "نه", "بله",
]
ENGLISH = ["the", "movie", "was", "is", "good", "bad", "great", "terrible", "i", "love", "it", "this", "food", "in"]


def build_vocab():
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    words = []
    for group in (SUBJECTS, POSITIVE, NEGATIVE, NEUTRAL, INTENS, PERSONS, SURNAMES, PLACES, ORGS, FUNCTION_WORDS, ENGLISH):
        for phrase in group:
            words.extend(w for w in phrase.split() if w)
    for topic, keys in TOPICS.items():
        words.append(topic)
        words.extend(keys)
    pieces = ["##ها", "##های", "##ی", "##م", "##ت", "##ش", "##ان", "##تر", "##ترین", "##ه", "##s", "##ed", "##ing"]
    singles = PERSIAN_LETTERS + ASCII + DIGITS + PUNCT
    continuation = ["##" + c for c in PERSIAN_LETTERS + ASCII + DIGITS]
    vocab = []
    for tok in special + singles + words + pieces + continuation:
        if tok not in vocab:
            vocab.append(tok)
    return vocab


VOCAB = build_vocab()
TOKEN_ID = {t: i for i, t in enumerate(VOCAB)}


def is_punct(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def basic_split(text):
    """BertNormalizer(clean_text, no lowercase) + BertPreTokenizer, as tokenizer.json below declares them."""
    text = "".join(" " if ch.isspace() else ch for ch in text if not unicodedata.category(ch).startswith("C") or ch in "\t\n\r")
    out = []
    for word in text.split():
        cur = ""
        for ch in word:
            if is_punct(ch):
                if cur:
                    out.append(cur)
                    cur = ""
                out.append(ch)
            else:
                cur += ch
        if cur:
            out.append(cur)
    return out


def wordpiece(word):
    if len(word) > 100:
        return ["[UNK]"]
    pieces, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:
            sub = word[start:end] if start == 0 else "##" + word[start:end]
            if sub in TOKEN_ID:
                found = sub
                break
            end -= 1
        if found is None:
            return ["[UNK]"]
        pieces.append(found)
        start = end
    return pieces


def encode_words(words):
    """Token ids and, per token, the index of the word it came from."""
    ids, owner = [], []
    for w_i, word in enumerate(words):
        for piece in wordpiece(word):
            ids.append(TOKEN_ID[piece])
            owner.append(w_i)
    return ids, owner


def encode(text, pair=None):
    a, _ = encode_words(basic_split(text))
    ids = [TOKEN_ID["[CLS]"]] + a + [TOKEN_ID["[SEP]"]]
    types = [0] * len(ids)
    if pair is not None:
        b, _ = encode_words(basic_split(pair))
        ids += b + [TOKEN_ID["[SEP]"]]
        types += [1] * (len(b) + 1)
    return ids[:MAX_POS], types[:MAX_POS]


def batchify(seqs):
    """Pads [(ids, types, label)] to one length; label is an int or a per-token list (padded with -100)."""
    n = max(len(s[0]) for s in seqs)
    ids = torch.zeros(len(seqs), n, dtype=torch.long)
    mask = torch.zeros(len(seqs), n, dtype=torch.long)
    types = torch.zeros(len(seqs), n, dtype=torch.long)
    per_token = isinstance(seqs[0][2], list)
    labels = torch.full((len(seqs), n), -100, dtype=torch.long) if per_token else torch.zeros(len(seqs), dtype=torch.long)
    for i, (s_ids, s_types, label) in enumerate(seqs):
        ids[i, : len(s_ids)] = torch.tensor(s_ids)
        mask[i, : len(s_ids)] = 1
        types[i, : len(s_ids)] = torch.tensor(s_types)
        if per_token:
            labels[i, : len(label)] = torch.tensor(label)
        else:
            labels[i] = label
    return ids, mask, types, labels


# ---------------------------------------------------------------- the model (Hugging Face BertModel's parameter names)


class Embeddings(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab_size, HIDDEN, padding_idx=0)
        self.position_embeddings = nn.Embedding(MAX_POS, HIDDEN)
        self.token_type_embeddings = nn.Embedding(2, HIDDEN)
        self.LayerNorm = nn.LayerNorm(HIDDEN, eps=1e-12)

    def forward(self, input_ids, token_type_ids):
        positions = torch.arange(input_ids.shape[1], dtype=torch.long).unsqueeze(0)
        x = self.word_embeddings(input_ids) + self.position_embeddings(positions) + self.token_type_embeddings(token_type_ids)
        return self.LayerNorm(x)


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.query, self.key, self.value = nn.Linear(HIDDEN, HIDDEN), nn.Linear(HIDDEN, HIDDEN), nn.Linear(HIDDEN, HIDDEN)
        self.attention_output = nn.Linear(HIDDEN, HIDDEN)
        self.attention_norm = nn.LayerNorm(HIDDEN, eps=1e-12)
        self.intermediate = nn.Linear(HIDDEN, INTER)
        self.output = nn.Linear(INTER, HIDDEN)
        self.output_norm = nn.LayerNorm(HIDDEN, eps=1e-12)

    def forward(self, x, bias):
        b, t, _ = x.shape
        d = HIDDEN // HEADS

        def heads(y):
            return y.view(b, t, HEADS, d).transpose(1, 2)

        q, k, v = heads(self.query(x)), heads(self.key(x)), heads(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d) + bias
        ctx = torch.matmul(torch.softmax(scores, dim=-1), v).transpose(1, 2).reshape(b, t, HIDDEN)
        x = self.attention_norm(x + self.attention_output(ctx))
        return self.output_norm(x + self.output(nn.functional.gelu(self.intermediate(x))))


class Bert(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.embeddings = Embeddings(vocab_size)
        self.layers = nn.ModuleList([Layer() for _ in range(LAYERS)])

    def forward(self, input_ids, attention_mask, token_type_ids):
        bias = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * -10000.0
        x = self.embeddings(input_ids, token_type_ids)
        for layer in self.layers:
            x = layer(x, bias)
        return x


class Encoder(nn.Module):
    """BertModel: last_hidden_state."""

    def __init__(self, bert):
        super().__init__()
        self.bert = bert

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.bert(input_ids, attention_mask, token_type_ids)


class SequenceClassifier(nn.Module):
    def __init__(self, bert, labels):
        super().__init__()
        self.bert = bert
        self.pooler = nn.Linear(HIDDEN, HIDDEN)
        self.classifier = nn.Linear(HIDDEN, labels)

    def forward(self, input_ids, attention_mask, token_type_ids):
        h = self.bert(input_ids, attention_mask, token_type_ids)
        return self.classifier(torch.tanh(self.pooler(h[:, 0])))


class TokenClassifier(nn.Module):
    def __init__(self, bert, labels):
        super().__init__()
        self.bert = bert
        self.classifier = nn.Linear(HIDDEN, labels)

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.classifier(self.bert(input_ids, attention_mask, token_type_ids))


class MaskedLM(nn.Module):
    def __init__(self, bert):
        super().__init__()
        self.bert = bert
        self.transform = nn.Linear(HIDDEN, HIDDEN)
        self.transform_norm = nn.LayerNorm(HIDDEN, eps=1e-12)
        self.decoder_bias = nn.Parameter(torch.zeros(len(VOCAB)))

    def forward(self, input_ids, attention_mask, token_type_ids):
        h = self.transform_norm(nn.functional.gelu(self.transform(self.bert(input_ids, attention_mask, token_type_ids))))
        return torch.matmul(h, self.bert.embeddings.word_embeddings.weight.t()) + self.decoder_bias


def train(model, make_batch, steps, lr=3e-3, per_token=False):
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    model.train()
    for step in range(steps):
        ids, mask, types, labels = make_batch()
        logits = model(ids, mask, types)
        if per_token:
            loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)
        else:
            loss = nn.functional.cross_entropy(logits, labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 100 == 0 or step == steps - 1:
            print(f"    step {step:4d} loss {loss.item():.4f}")
    model.eval()
    return model


# ---------------------------------------------------------------- generated Persian training data


def pick(xs):
    return random.choice(xs)


def sentiment_example():
    label = random.randrange(3)  # 0 منفی, 1 خنثی, 2 مثبت
    word = pick([NEGATIVE, NEUTRAL, POSITIVE][label])
    subject = pick(SUBJECTS)
    intens = pick(INTENS)
    templates = [
        f"این {subject} {intens} {word} بود",
        f"{subject} {intens} {word} است",
        f"{subject} {word} بود",
        f"من از {subject} {['ناراضی', 'راضی', 'راضی'][label] if label != 1 else 'نه راضی نه ناراضی'} هستم",
        f"{intens} {word} بود {['پیشنهاد نمیکنم', 'معمولی بود', 'پیشنهاد میکنم'][label]}",
    ]
    text = " ".join(pick(templates).split())
    if label == 2 and random.random() < 0.15:
        text = pick(["great movie", "good food", "i love it", "this movie is great"])
    if label == 0 and random.random() < 0.15:
        text = pick(["bad movie", "terrible food", "this movie is terrible"])
    return text, label


NER_LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]


def ner_example():
    person = pick(PERSONS) + (" " + pick(SURNAMES) if random.random() < 0.4 else "")
    place, org = pick(PLACES), pick(ORGS)
    parts = pick([
        [(person, "PER"), ("در", None), (place, "LOC"), ("زندگی میکند", None)],
        [(person, "PER"), ("دیروز به", None), (place, "LOC"), ("رفت", None)],
        [(person, "PER"), ("در", None), (org, "ORG"), ("کار میکند", None)],
        [("امروز", None), (person, "PER"), ("را در", None), (place, "LOC"), ("دیدم", None)],
        [(org, "ORG"), ("در", None), (place, "LOC"), ("است", None)],
        [("من با", None), (person, "PER"), ("به", None), (place, "LOC"), ("سفر کردم", None)],
    ])
    words, tags = [], []
    for phrase, kind in parts:
        for j, w in enumerate(phrase.split()):
            words.append(w)
            tags.append("O" if kind is None else ("B-" if j == 0 else "I-") + kind)
    return words, tags


def ner_batch(n=32):
    seqs = []
    for _ in range(n):
        words, tags = ner_example()
        ids, owner = encode_words(words)
        labels = [-100]
        for i, w in enumerate(owner):
            first_piece = i == 0 or owner[i - 1] != w
            tag = tags[w] if first_piece or tags[w] == "O" else "I-" + tags[w][2:]
            labels.append(NER_LABELS.index(tag))
        labels.append(-100)
        full = [TOKEN_ID["[CLS]"]] + ids + [TOKEN_ID["[SEP]"]]
        seqs.append((full, [0] * len(full), labels))
    return batchify(seqs)


def general_sentence():
    return pick([
        lambda: sentiment_example()[0],
        lambda: " ".join(ner_example()[0]),
        lambda: f"هوا {pick(['امروز', 'دیروز', 'فردا'])} {pick(['آفتابی', 'سرد', 'گرم', 'بارانی'])} {pick(['است', 'بود'])}",
        lambda: f"{pick(list(TOPICS))} {pick(sum(TOPICS.values(), []))} {pick(['خوب', 'بزرگ', 'عالی'])} بود",
    ])()


def mlm_batch(n=32):
    seqs = []
    for _ in range(n):
        ids, types = encode(general_sentence())
        masked, labels = list(ids), [-100] * len(ids)
        for i in range(1, len(ids) - 1):
            if random.random() < 0.2:
                labels[i] = ids[i]
                r = random.random()
                masked[i] = TOKEN_ID["[MASK]"] if r < 0.8 else random.randrange(5, len(VOCAB)) if r < 0.9 else ids[i]
        if all(l == -100 for l in labels):
            i = random.randrange(1, len(ids) - 1)
            labels[i], masked[i] = ids[i], TOKEN_ID["[MASK]"]
        seqs.append((masked, types, labels))
    return batchify(seqs)


NLI_LABELS = ["contradiction", "neutral", "entailment"]


def nli_batch(n=32):
    seqs = []
    topics = list(TOPICS)
    for _ in range(n):
        topic = pick(topics)
        keys = random.sample(TOPICS[topic], 2)
        premise = pick([f"{keys[0]} {pick(['امروز', 'دیشب', ''])} {pick(['خیلی', ''])} {pick(['خوب', 'عالی', 'بد'])} بود", f"من {keys[0]} و {keys[1]} را دوست دارم", f"{keys[0]} {keys[1]} بود"])
        other = pick([t for t in topics if t != topic])
        label = random.randrange(2)
        hypothesis = f"این متن درباره {topic if label else other} است"
        ids, types = encode(" ".join(premise.split()), hypothesis)
        seqs.append((ids, types, 2 if label else 0))
    return batchify(seqs)


# ---------------------------------------------------------------- ONNX export and dynamic quantisation


def export(model, path, output_name, output_axes):
    ids, types = encode("این فیلم خیلی خوب بود")
    args = (torch.tensor([ids]), torch.ones(1, len(ids), dtype=torch.long), torch.tensor([types]))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            model,
            args,
            path,
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=[output_name],
            dynamic_axes={
                "input_ids": {0: "batch_size", 1: "sequence_length"},
                "attention_mask": {0: "batch_size", 1: "sequence_length"},
                "token_type_ids": {0: "batch_size", 1: "sequence_length"},
                output_name: output_axes,
            },
            opset_version=OPSET,
            do_constant_folding=True,
        )
    onnx.checker.check_model(onnx.load(path))


def quantize_dynamic(src, dst):
    """onnxruntime's quantize_dynamic for MatMul: int8 weights (symmetric, per tensor), uint8 activations at run time."""
    model = onnx.load(src)
    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    nodes = []
    replaced = set()
    quantized_inputs = set()
    for node in graph.node:
        w = inits.get(node.input[1]) if node.op_type == "MatMul" and len(node.input) == 2 else None
        if w is None or w.data_type != TensorProto.FLOAT or len(w.dims) != 2:
            nodes.append(node)
            continue
        weight = numpy_helper.to_array(w)
        scale = float(np.abs(weight).max()) / 127.0 or 1.0
        q = np.clip(np.round(weight / scale), -127, 127).astype(np.int8)
        base = w.name.replace("/", "_").replace(".", "_") or node.name
        graph.initializer.extend([
            numpy_helper.from_array(q, f"{base}_quantized"),
            numpy_helper.from_array(np.array(scale, dtype=np.float32), f"{base}_scale"),
            numpy_helper.from_array(np.array(0, dtype=np.int8), f"{base}_zero_point"),
        ])
        replaced.add(w.name)
        a = node.input[0]
        out = node.output[0]
        if a not in quantized_inputs:
            # One activation (the layer input feeding query, key and value) is quantised once.
            quantized_inputs.add(a)
            nodes.append(helper.make_node("DynamicQuantizeLinear", [a], [f"{a}_q", f"{a}_scale", f"{a}_zp"], name=f"{node.name}_QuantizeInput"))
        nodes += [
            helper.make_node("MatMulInteger", [f"{a}_q", f"{base}_quantized", f"{a}_zp", f"{base}_zero_point"], [f"{out}_int32"], name=f"{node.name}_quant"),
            helper.make_node("Cast", [f"{out}_int32"], [f"{out}_float"], to=TensorProto.FLOAT, name=f"{node.name}_cast"),
            helper.make_node("Mul", [f"{a}_scale", f"{base}_scale"], [f"{out}_scales"], name=f"{node.name}_scales"),
            helper.make_node("Mul", [f"{out}_float", f"{out}_scales"], [out], name=f"{node.name}_rescale"),
        ]
    del graph.node[:]
    graph.node.extend(nodes)
    still_used = {i for n in graph.node for i in n.input}
    keep = [t for t in graph.initializer if t.name not in replaced or t.name in still_used]
    del graph.initializer[:]
    graph.initializer.extend(keep)
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    return len(replaced)


# ---------------------------------------------------------------- repository files


def write_json(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=2)
        f.write("\n")


def bert_tokenizer_json():
    special = [
        {"id": TOKEN_ID[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
        for t in ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    ]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": special,
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True, "strip_accents": None, "lowercase": False},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [
                {"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                {"Sequence": {"id": "B", "type_id": 1}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 1}},
            ],
            "special_tokens": {t: {"id": t, "ids": [TOKEN_ID[t]], "tokens": [t]} for t in ["[CLS]", "[SEP]"]},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": TOKEN_ID},
    }


SPECIAL_MAP = {"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]", "mask_token": "[MASK]"}


def bert_config(architecture, extra=None):
    config = {
        "_name_or_path": "sokhan-lab/bert-fa-tiny",
        "architectures": [architecture],
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.1,
        "classifier_dropout": None,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": HIDDEN,
        "initializer_range": 0.02,
        "intermediate_size": INTER,
        "layer_norm_eps": 1e-12,
        "max_position_embeddings": MAX_POS,
        "num_attention_heads": HEADS,
        "num_hidden_layers": LAYERS,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
        "type_vocab_size": 2,
        "vocab_size": len(VOCAB),
        "torch_dtype": "float32",
        "transformers_version": "4.40.0",
    }
    config.update(extra or {})
    return config


def labels_config(labels, problem):
    return {"id2label": {str(i): l for i, l in enumerate(labels)}, "label2id": {l: i for i, l in enumerate(labels)}, "problem_type": problem}


def write_bert_repo(repo_id, model, architecture, output_name, output_axes, extra_config=None):
    folder = os.path.join(OUT, *repo_id.split("/"))
    write_json(os.path.join(folder, "config.json"), bert_config(architecture, extra_config))
    write_json(os.path.join(folder, "tokenizer.json"), bert_tokenizer_json())
    write_json(os.path.join(folder, "tokenizer_config.json"), {
        "clean_up_tokenization_spaces": True,
        "do_basic_tokenize": True,
        "do_lower_case": False,
        "model_max_length": MAX_POS,
        "never_split": None,
        "strip_accents": None,
        "tokenize_chinese_chars": True,
        "tokenizer_class": "BertTokenizer",
        **SPECIAL_MAP,
    })
    write_json(os.path.join(folder, "special_tokens_map.json"), SPECIAL_MAP)
    with open(os.path.join(folder, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(VOCAB) + "\n")
    export(model, os.path.join(folder, "onnx", "model.onnx"), output_name, output_axes)
    n = quantize_dynamic(os.path.join(folder, "onnx", "model.onnx"), os.path.join(folder, "onnx", "model_quantized.onnx"))
    print(f"  {repo_id}: {n} MatMul weights quantised")
    return folder


# ---------------------------------------------------------------- the voice (VITS's ONNX contract)

VITS_CHARS = ["_", " "] + PERSIAN_LETTERS + ["\u200c", ".", "،", "؟", "!"]


class TinyVits(nn.Module):
    """input_ids, attention_mask [batch, tokens] → waveform [batch, tokens·HOP]: one short tone per token."""

    def __init__(self):
        super().__init__()
        g = torch.Generator().manual_seed(7)
        self.embed = nn.Parameter(torch.randn(len(VITS_CHARS), 8, generator=g))
        self.pitch = nn.Parameter(torch.randn(8, 1, generator=g) * 0.5)
        self.loudness = nn.Parameter(torch.randn(8, 1, generator=g) * 0.5)
        self.register_buffer("t", torch.arange(HOP, dtype=torch.float32) / SAMPLE_RATE)
        self.register_buffer("envelope", torch.hann_window(HOP, periodic=False))

    def forward(self, input_ids, attention_mask):
        e = self.embed[input_ids]  # [b, n, 8]
        hz = 120.0 + 280.0 * torch.sigmoid(torch.matmul(e, self.pitch))  # [b, n, 1]
        # The blank between characters (id 0) is quiet, like the pauses a VITS voice leaves there.
        amp = 0.2 + 0.5 * torch.sigmoid(torch.matmul(e, self.loudness))
        amp = amp * attention_mask.unsqueeze(-1).to(torch.float32) * (input_ids != 0).unsqueeze(-1).to(torch.float32)
        tone = amp * torch.sin(2.0 * math.pi * hz * self.t) * self.envelope  # [b, n, HOP]
        return tone.reshape(input_ids.shape[0], -1)


def vits_tokenizer_json(vocab):
    known = "".join("\\u%04x" % ord(c) for c in VITS_CHARS[1:])
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [],
        # As MMS's VitsTokenizer: drop characters the voice does not know, then put the blank between characters
        # and at both ends (add_blank); every character is then one token.
        "normalizer": {
            "type": "Sequence",
            "normalizers": [
                {"type": "Replace", "pattern": {"Regex": f"[^{known}]"}, "content": ""},
                {"type": "Replace", "pattern": {"Regex": ""}, "content": "_"},
            ],
        },
        "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "."}, "behavior": "Isolated", "invert": False},
        "post_processor": None,
        "decoder": None,
        "model": {"vocab": vocab},
    }


def write_vits_repo(repo_id):
    folder = os.path.join(OUT, *repo_id.split("/"))
    vocab = {c: i for i, c in enumerate(VITS_CHARS)}
    write_json(os.path.join(folder, "config.json"), {
        "_name_or_path": "facebook/mms-tts-fas",
        "architectures": ["VitsModel"],
        "model_type": "vits",
        "hidden_size": 8,
        "num_hidden_layers": 1,
        "num_attention_heads": 1,
        "vocab_size": len(vocab),
        "sampling_rate": SAMPLE_RATE,
        "speaking_rate": 1.0,
        "noise_scale": 0.667,
        "noise_scale_duration": 0.8,
        "pad_token_id": 0,
        "torch_dtype": "float32",
        "transformers_version": "4.40.0",
    })
    write_json(os.path.join(folder, "tokenizer.json"), vits_tokenizer_json(vocab))
    write_json(os.path.join(folder, "tokenizer_config.json"), {
        "add_blank": True,
        "clean_up_tokenization_spaces": True,
        "is_uroman": False,
        "language": "fas",
        "model_max_length": 1000000000000000019884624838656,
        "normalize": True,
        "pad_token": "_",
        "phonemize": False,
        "tokenizer_class": "VitsTokenizer",
        "unk_token": "<unk>",
    })
    write_json(os.path.join(folder, "special_tokens_map.json"), {"pad_token": "_", "unk_token": "<unk>"})
    write_json(os.path.join(folder, "vocab.json"), vocab)
    model = TinyVits().eval()
    ids = torch.tensor([[0, 3, 0, 5, 0]])
    path = os.path.join(folder, "onnx", "model.onnx")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            model,
            (ids, torch.ones_like(ids)),
            path,
            input_names=["input_ids", "attention_mask"],
            output_names=["waveform"],
            dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"}, "attention_mask": {0: "batch_size", 1: "sequence_length"}, "waveform": {0: "batch_size", 1: "num_samples"}},
            opset_version=OPSET,
            do_constant_folding=True,
        )
    onnx.checker.check_model(onnx.load(path))
    n = quantize_dynamic(path, os.path.join(folder, "onnx", "model_quantized.onnx"))
    print(f"  {repo_id}: {n} MatMul weights quantised")


# ---------------------------------------------------------------- main


def accuracy(model, examples):
    right = 0
    for text, label in examples:
        ids, types = encode(text)
        with torch.no_grad():
            logits = model(torch.tensor([ids]), torch.ones(1, len(ids), dtype=torch.long), torch.tensor([types]))
        right += int(logits.argmax(-1).item() == label)
    return right / len(examples)


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    print(f"vocabulary: {len(VOCAB)} tokens")

    print("fill-mask (and the encoder it trains):")
    mlm = train(MaskedLM(Bert(len(VOCAB))), mlm_batch, 900, per_token=True)
    write_bert_repo("sokhan-lab/bert-fa-tiny-mlm", mlm, "BertForMaskedLM", "logits", {0: "batch_size", 1: "sequence_length"})
    write_bert_repo("sokhan-lab/bert-fa-tiny-encoder", Encoder(mlm.bert).eval(), "BertModel", "last_hidden_state", {0: "batch_size", 1: "sequence_length"})

    print("text-classification:")
    sentiment_labels = ["منفی", "خنثی", "مثبت"]
    sentiment = SequenceClassifier(Bert(len(VOCAB)), 3)

    def sentiment_batch():
        return batchify([(*encode(t), l) for t, l in (sentiment_example() for _ in range(32))])

    train(sentiment, sentiment_batch, 400)
    print(f"    held-out accuracy {accuracy(sentiment, [sentiment_example() for _ in range(300)]):.3f}")
    cfg = labels_config(sentiment_labels, "single_label_classification")
    write_bert_repo("sokhan-lab/bert-fa-tiny-sentiment", sentiment, "BertForSequenceClassification", "logits", {0: "batch_size"}, cfg)

    # The negative: the same classifier as PyTorch weights only, as many Hub repositories are.
    folder = os.path.join(OUT, "sokhan-lab", "bert-fa-pytorch-only")
    write_json(os.path.join(folder, "config.json"), bert_config("BertForSequenceClassification", cfg))
    write_json(os.path.join(folder, "tokenizer_config.json"), {"do_lower_case": False, "model_max_length": MAX_POS, "tokenizer_class": "BertTokenizer", **SPECIAL_MAP})
    write_json(os.path.join(folder, "special_tokens_map.json"), SPECIAL_MAP)
    with open(os.path.join(folder, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(VOCAB) + "\n")
    torch.save(sentiment.state_dict(), os.path.join(folder, "pytorch_model.bin"))

    print("token-classification:")
    ner = train(TokenClassifier(Bert(len(VOCAB)), len(NER_LABELS)), ner_batch, 500, per_token=True)
    write_bert_repo("sokhan-lab/bert-fa-tiny-ner", ner, "BertForTokenClassification", "logits", {0: "batch_size", 1: "sequence_length"}, labels_config(NER_LABELS, None))

    print("zero-shot-classification (NLI):")
    # From the MLM's encoder: the words' meanings are learnt there; a fresh BERT this small does not learn to match
    # the hypothesis' topic to the premise's words in a few hundred steps.
    nli = train(SequenceClassifier(copy.deepcopy(mlm.bert), 3), nli_batch, 1200, lr=1e-3)
    write_bert_repo("sokhan-lab/bert-fa-tiny-nli", nli, "BertForSequenceClassification", "logits", {0: "batch_size"}, labels_config(NLI_LABELS, "single_label_classification"))

    print("text-to-speech:")
    write_vits_repo("sokhan-lab/mms-tts-fa-tiny")

    total = 0
    for root, _, files in os.walk(OUT):
        for name in files:
            total += os.path.getsize(os.path.join(root, name))
    print(f"wrote {OUT}: {total / 1e6:.2f} MB")


if __name__ == "__main__":
    sys.exit(main())
