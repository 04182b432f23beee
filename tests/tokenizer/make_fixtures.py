#!/usr/bin/env python3
"""Builds the committed tokenizer fixtures and their golden encodings with the Hugging Face
`tokenizers` package (the reference implementation), so that tests of the options the two real
vocabularies do not use (Split behaviors, Digits, add_prefix_space, lstrip/rstrip/single_word
added tokens, pair-format merges, ignore_merges, Roberta/Template post-processors) run without
shared data and without python.

  python3 tests/tokenizer/make_fixtures.py   # writes tests/tokenizer/fixtures/
"""
import json
import os
import random

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")

WORDS = ["the", "sum", "of", "two", "numbers", "is", "Let", "x", "be", "a", "real", "number", "such", "that", "we",
         "have", "solve", "for", "integer", "equation", "Führer", "naïve", "café", "数学", "함수", "функция", "λ", "πr²"]
SYMBOLS = ["$", "$$", "==", "=", "+", "\\frac{1}{2}", "(", ")", ",", ".", "?", "'s", "'ll", "\n", "\n\n", "  ", "\t"]


def corpus(n, seed):
    rng = random.Random(seed)
    lines = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(3, 25)):
            r = rng.random()
            if r < 0.6:
                parts.append(rng.choice(WORDS))
            elif r < 0.8:
                parts.append(str(rng.randint(0, 10 ** rng.randint(1, 6))))
            else:
                parts.append(rng.choice(SYMBOLS))
        lines.append(" ".join(parts))
    return lines


TEXTS = [
    "", " ", "  ", "a", "Let x be 12345 and y == 2.5$$", "$$x^2$$ costs $5.00", "  leading and trailing  ",
    "Führer naïve café", "数学 함수 функция", "a<|eot|>b", "<|eot|><|eot|>", "call <tool>  now", "x  <tool>", "<tool>",
    "a[MASK]b", "a [MASK] b", "[MASK]", "x[MASK]", "zz top", "buzzz", "ünï and ünïcode", "<s> inside </s>",
    "x*y xxx xyx", "1+1==2, 22+22==44", "it's we'll they've", "tab\tand\nnewline\r\n", "😀 emoji 🦙.cpp",
    "e\u0301 combining", "\u00a0nbsp\u3000ideographic", "x" * 40, "1234567890" * 3,
]


def byte_level_trained(pre):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=600, min_frequency=2, show_progress=False,
                                  special_tokens=["<s>", "</s>", "<|eot|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(corpus(3000, 1), trainer=trainer)
    return tok


def options_a():
    tok = byte_level_trained(pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"\$+"), behavior="merged_with_next"),
        pre_tokenizers.Digits(individual_digits=False),
        pre_tokenizers.Split("==", behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=True, use_regex=True),
    ]))
    tok.add_special_tokens([AddedToken("<tool>", lstrip=True, rstrip=True, normalized=False, special=True)])
    tok.add_tokens([AddedToken("[MASK]", single_word=True, normalized=False),
                    AddedToken("zz", normalized=True), AddedToken("ünï", normalized=True)])
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> $B:1 </s>:1",
        special_tokens=[("<s>", tok.token_to_id("<s>")), ("</s>", tok.token_to_id("</s>"))])
    return tok


def options_b(a_path):
    """Legacy "a b" merges, ignore_merges, other Split behaviors, Roberta post-processor."""
    tok = Tokenizer.from_file(a_path)
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"[aeiou]"), behavior="contiguous", invert=True),
        pre_tokenizers.Split(Regex(r"\s"), behavior="removed"),
        pre_tokenizers.Split(Regex(r"x*"), behavior="merged_with_previous"),
        pre_tokenizers.Split(",", behavior="merged_with_next", invert=True),
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tok.post_processor = processors.RobertaProcessing(("</s>", tok.token_to_id("</s>")),
                                                      ("<s>", tok.token_to_id("<s>")))
    data = json.loads(tok.to_str())
    data["model"]["merges"] = [" ".join(m) if isinstance(m, list) else m for m in data["model"]["merges"]]
    data["model"]["ignore_merges"] = True
    return data


def main():
    os.makedirs(OUT, exist_ok=True)
    a_path = os.path.join(OUT, "options-a.json")
    options_a().save(a_path)
    b_path = os.path.join(OUT, "options-b.json")
    with open(b_path, "w", encoding="utf-8") as f:
        json.dump(options_b(a_path), f, ensure_ascii=True, indent=1)
    with open(os.path.join(OUT, "options-golden.jsonl"), "w", encoding="utf-8") as f:
        for name, path in [("options-a", a_path), ("options-b", b_path)]:
            tok = Tokenizer.from_file(path)
            for text in TEXTS:
                for special in (False, True):
                    ids = tok.encode(text, add_special_tokens=special).ids
                    f.write(json.dumps({"fixture": name, "text": text, "special": special, "ids": ids,
                                        "decoded": tok.decode(ids, skip_special_tokens=False),
                                        "decoded_skip": tok.decode(ids, skip_special_tokens=True)},
                                       ensure_ascii=True) + "\n")


if __name__ == "__main__":
    main()
