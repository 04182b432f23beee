#!/usr/bin/env python3
"""Differential test of dsmath's answer grader against Hugging Face's Math-Verify.

Builds (completion, gold) pairs the way real models write final answers: the gold answers of
MATH500 and GSM8K test, each rewritten into equivalent spellings (\\dfrac vs a/b vs an exact
decimal, units, degrees, percent, "x = 5", thousands separators, reordered solution lists,
\\left( \\right), \\sqrt2, ...) or perturbed into a wrong answer (off by one, sign, interval
bracket, swapped tuple, missing element, a number that rounds close), wrapped in the answer
formats of DeepSeekMath-Instruct/RL, Qwen-Math, Llama and Minerva few-shot ("\\boxed{}",
"The final answer is $X$. I hope it is correct.", "The answer is X.", several boxes where the
last counts). Every pair carries the verdict its construction intends (`intended`); where a
construction is not a clear-cut case, a hand verdict in VERDICTS overrides it.

    # 1. all pairs (seeded), one JSONL per benchmark, for `dsmath eval grade`
    python3 tests/eval/data/make_grader_cases.py generate --out /tmp/grader_pairs
    dsmath eval grade --input /tmp/grader_pairs/math.jsonl --output /tmp/grader_pairs/math.ours.jsonl --benchmark math
    dsmath eval grade --input /tmp/grader_pairs/gsm8k.jsonl --output /tmp/grader_pairs/gsm8k.ours.jsonl --benchmark gsm8k
    # 2. Math-Verify on the same pairs, and the three-way comparison (ours, Math-Verify, verdict)
    python3 tests/eval/data/make_grader_cases.py compare --out /tmp/grader_pairs
    # 3. the golden file asserted by tests/eval/test_grader_cases.cpp
    python3 tests/eval/data/make_grader_cases.py golden --out /tmp/grader_pairs > tests/eval/data/grader_cases.jsonl

Math-Verify (pip install 'math-verify[antlr4_13_2]') is needed only by `compare`; the C++
test reads the golden file and needs no Python.
"""
import argparse
import json
import random
import re
import sys
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SHARED = ROOT.parent / "shared" / "data"
SEED = 20261125

# ---------------------------------------------------------------------------------------
# Completion templates: how models end their solutions. {a} is the final answer.

PREFIXES = [
    "Let's work through this step by step.\n\nFrom the setup we get a short computation, and simplifying gives the result.\n\n",
    "We compute carefully. Substituting the values and simplifying, we obtain the value below.\n\n",
    "To solve this, first note the key relation. Then, after some algebra, everything simplifies.\n\n",
]

MATH_WRAPPERS = {
    # DeepSeekMath-Instruct/RL: chain of thought, then a boxed answer in inline math
    "boxed_inline": "{p}Therefore, the answer is $\\boxed{{{a}}}$.",
    # Qwen2.5-Math: a display-math box under a bold heading
    "boxed_display": "{p}So the final result is:\n\\[\n\\boxed{{{a}}}\n\\]",
    "qwen_final": "{p}**Final Answer**\n\\[ \\boxed{{{a}}} \\]",
    # Llama-3 instruct
    "llama_final": "{p}## Step 3: Conclude\nThe computation is complete.\n\nThe final answer is: $\\boxed{{{a}}}$",
    # Minerva few-shot (DeepSeekMath base models, 4-shot MATH)
    "minerva": "{p}Final Answer: The final answer is ${a}$. I hope it is correct.",
    "answer_is": "{p}The answer is ${a}$.",
}

GSM_WRAPPERS = {
    "gsm_answer_is": "{p}The answer is {a}.",
    "gsm_boxed": "{p}So the total is $\\boxed{{{a}}}$.",
    "gsm_qwen": "{p}Thus, the answer is \\(\\boxed{{{a}}}\\).",
    "gsm_llama": "{p}The final answer is: $\\boxed{{{a}}}$",
    "gsm_hash": "{p}#### {a}",
}


# ---------------------------------------------------------------------------------------
# Reading gold answers

FRAC_RE = re.compile(r"^(-?)\\[dt]?frac\s*\{(\d+)\}\{(\d+)\}$")
FRAC_SHORT_RE = re.compile(r"^(-?)\\[dt]?frac\s*(\d)(\d)$")
INT_RE = re.compile(r"^-?\d+$")
DEC_RE = re.compile(r"^-?\d*\.\d+$")
SQRT_RE = re.compile(r"^(\d*)\s*\\sqrt\{(\d+)\}$")
PI_RE = re.compile(r"^(\d+)\s*\\pi$")
FRAC_PI_RE = re.compile(r"^\\frac\{(\d*)\s*\\pi\}\{(\d+)\}$")
DEG_RE = re.compile(r"^(\d+)\^\\circ$")
TUPLE_RE = re.compile(r"^\((.*)\)$")
CHOICE_RE = re.compile(r"^\\text\{\(([A-E])\)\}$")
TEXT_RE = re.compile(r"^\\text\{([A-Za-z ]+)\}$")
SEPARATED_RE = re.compile(r"^(\\\$)?\d{1,3}(,(\\!)? ?\d{3})+$")
COMPLEX_RE = re.compile(r"^(-?\d+)\s*([+-])\s*(\d*)i$")


def top_level_split(s, sep=","):
    parts, depth, cur = [], 0, ""
    i = 0
    while i < len(s):
        c = s[i]
        if s.startswith("\\{", i) or s.startswith("\\}", i):
            depth += 1 if s[i + 1] == "{" else -1
            cur += s[i:i + 2]
            i += 2
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        if c == sep and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    parts.append(cur)
    return parts


def exact_decimal(fr):
    """The terminating decimal of a Fraction, or None."""
    d = fr.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d != 1:
        return None
    s = f"{float(fr):.12f}".rstrip("0").rstrip(".")
    return s if Fraction(s) == fr else None


def frac_latex(fr, style="frac"):
    sign = "-" if fr < 0 else ""
    n, d = abs(fr.numerator), fr.denominator
    if d == 1:
        return f"{sign}{n}"
    if style == "slash":
        return f"{sign}{n}/{d}"
    if style == "dfrac":
        return f"{sign}\\dfrac{{{n}}}{{{d}}}"
    return f"{sign}\\frac{{{n}}}{{{d}}}"


# ---------------------------------------------------------------------------------------
# Rewrites of a MATH gold answer: list of (answer text, intended verdict, kind)

def int_variants(g, rng):
    n = int(g)
    out = [
        (g, True, "same"),
        (f"{n}.", True, "trailing period inside math"),
        (f"{n}.0", True, "integer as decimal n.0"),
        (f"x = {n}", True, "variable = value"),
        (f"{n}\\text{{ units}}", True, "unit via \\text"),
        (f"{n}\\mbox{{ cm}}", True, "unit via \\mbox"),
        (f"{n+1}", False, "off by one (+1)"),
        (f"{n-1}", False, "off by one (-1)"),
    ]
    if n != 0:
        out.append((f"{n}0", False, "extra digit (x10)"))
    if n != 0:
        out.append((f"{-n}", False, "wrong sign"))
    if abs(n) >= 1000:
        out.append((f"{n:,}", True, "thousands separator ,"))
        out.append((f"{n:,}".replace(",", "{,}"), True, "thousands separator {,}"))
        out.append((f"{n:,}".replace(",", "\\,"), True, "thousands separator \\,"))
        out.append((f"{n:,}".replace(",", ",\\!"), True, "thousands separator ,\\!"))
    if 0 < n <= 100:
        out.append((f"{n}\\%", True, "percent sign on a plain number"))
    if n > 0:
        out.append((f"{n}^\\circ", True, "degree sign on a plain number"))
        out.append((f"\\frac{{{2*n}}}{{2}}", True, "unsimplified fraction"))
        out.append((f"{n}.5", False, "n.5"))
        out.append((f"{n}.001", False, "close but different number"))
    return out


def frac_variants(sign, num, den, rng):
    fr = Fraction(int(num), int(den)) * (-1 if sign else 1)
    s = sign
    out = [
        (f"{s}\\dfrac{{{num}}}{{{den}}}", True, "\\dfrac"),
        (f"{s}\\tfrac{{{num}}}{{{den}}}", True, "\\tfrac"),
        (f"{s}{num}/{den}", True, "a/b"),
        (f"{s}\\frac {num} {den}" if len(num) == 1 and len(den) == 1 else f"{s}\\frac{{{num}}}{{{den}}}", True,
         "\\frac a b shorthand"),
        (f"\\frac{{{'-' if s else ''}{num}}}{{{den}}}", True, "sign in numerator"),
        (f"{s}\\left(\\frac{{{num}}}{{{den}}}\\right)", True, "\\left( \\right) around the value"),
        (f"{s}\\frac{{{den}}}{{{num}}}", fr == 1 or fr == -1, "reciprocal"),
        (f"{s}\\frac{{{int(num)+1}}}{{{den}}}", False, "numerator off by one"),
        (f"{'' if s else '-'}\\frac{{{num}}}{{{den}}}", False, "wrong sign"),
    ]
    if len(num) == 1 and len(den) == 1:
        out.append((f"{s}\\frac{num}{den}", True, "\\frac12 shorthand"))
        out.append((f"{s}\\dfrac{num}{den}", True, "\\dfrac12 shorthand"))
    dec = exact_decimal(fr)
    if dec is not None:
        out.append((dec, True, "exact decimal"))
        if dec.startswith("0."):
            out.append((dec[1:], True, "exact decimal without leading zero"))
    else:
        approx = f"{float(fr):.3f}"
        out.append((approx, False, "decimal rounded to 3 places (not exact)"))
    out.append((f"{s}\\frac{{{int(num)*3}}}{{{int(den)*3}}}", True, "unreduced fraction"))
    return out


def decimal_variants(g, rng):
    fr = Fraction(g)
    out = [
        (("0" + g) if g.startswith(".") else g, True, "leading zero"),
        (frac_latex(fr), True, "exact fraction of the decimal"),
        (g + "0", True, "trailing zero"),
    ]
    digits = g.lstrip("-").lstrip("0").lstrip(".")
    last = int(g[-1])
    out.append((g[:-1] + str((last + 1) % 10), False, "last digit changed"))
    if len(digits) >= 3:
        out.append((g[:-1], False, "truncated (rounds close)"))
    return out


def sqrt_variants(coef, rad, rng):
    c = coef
    out = [
        (f"{c}\\sqrt {rad}" if len(rad) == 1 else f"{c}\\sqrt{{{rad}}}", True, "\\sqrt without braces"),
        (f"{c}\\sqrt{{{rad}}}", True, "same"),
        (f"{c + ' ' if c else ''}\\cdot \\sqrt{{{rad}}}" if c else f"{rad}^{{1/2}}", True,
         "explicit product or power form"),
        (f"{c}\\sqrt{{{int(rad)+1}}}", False, "radicand off by one"),
        (f"{c}{rad}" if c else rad, False, "missing root"),
        (f"{float((int(c) if c else 1) * int(rad) ** 0.5):.4f}", False, "decimal approximation"),
    ]
    if len(rad) == 1:
        out.append((f"{c}\\sqrt{rad}", True, "\\sqrt2 shorthand"))
    return out


def pi_variants(coef, rng):
    out = [
        (f"{coef}\\pi", True, "no space before \\pi"),
        (f"\\pi \\cdot {coef}", True, "factor order"),
        (f"{coef} \\cdot \\pi", True, "explicit \\cdot"),
        (f"{coef}\\pi \\text{{ square units}}", True, "units after \\pi"),
        (f"{int(coef)+1}\\pi", False, "coefficient off by one"),
        (f"{coef}", False, "missing pi"),
        (f"{int(coef) * 3.14159:.2f}", False, "decimal approximation of a multiple of pi"),
    ]
    return out


def deg_variants(n, rng):
    return [
        (f"{n}", True, "degrees without the sign"),
        (f"{n}^{{\\circ}}", True, "^{\\circ}"),
        (f"{n}^\\circ", True, "same"),
        (f"{n}\\text{{ degrees}}", True, "\\text{ degrees}"),
        (f"{n}°", True, "unicode degree sign"),
        (f"{int(n)+1}^\\circ", False, "off by one degree"),
        (f"{180 - int(n)}^\\circ", int(n) == 90, "supplement"),
    ]


def tuple_variants(g, items, rng):
    inner = ", ".join(x.strip() for x in items)
    out = [
        (f"\\left( {inner} \\right)", True, "\\left( \\right) and spaces"),
        (f"({','.join(x.strip() for x in items)})", True, "no spaces"),
        (f"[{inner}]", False, "square brackets (an interval or list, not this tuple)")
        if len(items) == 2 and "infty" in g else (f"({inner})", True, "same"),
    ]
    if len(items) >= 2 and items[0].strip() != items[1].strip():
        swapped = [items[1], items[0]] + items[2:]
        out.append((f"({', '.join(x.strip() for x in swapped)})", False, "swapped tuple order"))
    out.append((f"({', '.join(x.strip() for x in items[:-1])})", False, "missing element"))
    return out


def interval_variants(g, rng):
    out = [
        (g.replace("(", "\\left(").replace(")", "\\right)").replace("[", "\\left[").replace("]", "\\right]"), True,
         "\\left \\right brackets"),
        (f"x \\in {g}", True, "x \\in prefix"),
        (g.replace(" ", ""), True, "no spaces"),
    ]
    # flip the first bracket that is not next to an infinity
    m = re.search(r"[\(\[](?!-\\infty)", g)
    if m:
        i = m.start()
        flipped = g[:i] + ("[" if g[i] == "(" else "(") + g[i + 1:]
        out.append((flipped, False, "wrong interval bracket"))
    m = re.search(r"(?<!\\infty)[\)\]]", g)
    if m:
        i = m.start()
        flipped = g[:i] + ("]" if g[i] == ")" else ")") + g[i + 1:]
        out.append((flipped, False, "wrong closing bracket"))
    if "\\cup" in g:
        parts = [p.strip() for p in g.split("\\cup")]
        out.append((" \\cup ".join(reversed(parts)), True, "union in the other order"))
        out.append((parts[0], False, "one part of the union only"))
    return out


def list_variants(items, rng):
    items = [x.strip() for x in items]
    out = [
        (", ".join(reversed(items)), True, "reordered unordered list"),
        (",".join(items), True, "list without spaces"),
        (" \\text{ and } ".join(items) if len(items) == 2 else ", ".join(items), True, "\\text{ and } separator"),
        (", ".join(items[:-1]), False, "missing element"),
        (", ".join(items + ["0"] if "0" not in items else items + ["1"]), False, "extra element"),
    ]
    return out


def text_variants(word, rng):
    others = {"Evelyn": "Alice", "east": "west", "even": "odd", "odd": "even", "ellipse": "parabola",
              "Navin": "Luka", "neither": "even"}
    out = [
        (word, True, "text without \\text"),
        (f"\\textbf{{{word}}}", True, "\\textbf"),
        (f"\\text{{ {word} }}", True, "spaces inside \\text"),
        (f"\\text{{{others.get(word, word + 's')}}}", False, "different word"),
    ]
    if word[0].islower():
        out.append((word.capitalize(), True, "capitalized"))
    return out


def choice_variants(letter, rng):
    other = "ABCDE"[("ABCDE".index(letter) + 1) % 5]
    return [
        (f"({letter})", True, "(A) without \\text"),
        (letter, True, "bare letter"),
        (f"\\text{{{letter}}}", True, "\\text{A}"),
        (f"\\textbf{{({letter})}}", True, "\\textbf{(A)}"),
        (f"\\text{{({other})}}", False, "other choice"),
        (other, False, "other bare letter"),
    ]


def complex_variants(re_part, sign, im, rng):
    im_s = im if im else ""
    return [
        (f"{sign if sign == '-' else ''}{im_s}i + {re_part}", True, "imaginary part first"),
        (f"{re_part}{sign}{im_s}i", True, "no spaces"),
        (f"{re_part} {'+' if sign == '-' else '-'} {im_s}i", False, "conjugate"),
        (f"{re_part}", False, "real part only"),
    ]


def pm_variants(g, rng):
    a, b = [x.strip() for x in g.split("\\pm")]
    return [
        (f"{a} + {b}, {a} - {b}", True, "\\pm written out as two solutions"),
        (f"{a} - {b}, {a} + {b}", True, "\\pm written out, other order"),
        (f"{a} + {b}", False, "only one of the \\pm solutions"),
        (f"{a}\\pm{b}", True, "no spaces"),
    ]


def generic_variants(g, rng):
    out = [
        (g, True, "same"),
        (f"\\left({g}\\right)" if not re.search(r"\\(begin|text|mbox|in|\$)|=", g) else g, True, "parenthesized"),
        (g.replace(" ", ""), True, "no spaces"),
    ]
    if g.startswith("\\begin{pmatrix}") and "&" not in g:
        cells = [c.strip() for c in g[len("\\begin{pmatrix}"):-len("\\end{pmatrix}")].split("\\\\")]
        out.append((g.replace("pmatrix", "bmatrix"), True, "bmatrix instead of pmatrix"))
        out.append((f"({', '.join(cells)})", True, "column vector as a tuple"))
        out.append((f"({', '.join(reversed(cells))})", cells == cells[::-1], "vector reversed"))
        c0 = cells[0]
        neg = c0[1:] if c0.startswith("-") else "-" + c0
        out.append((g.replace(c0, neg, 1), False, "first entry sign flipped"))
    if "=" in g and g.count("=") == 1:
        lhs, rhs = [x.strip() for x in g.split("=")]
        if lhs in ("x", "y", "k", "a", "n", "t"):
            out.append((rhs, True, "value without 'var ='"))
    # a generic perturbation: the first integer literal changed
    m = re.search(r"(?<![\\a-zA-Z_^{])\d+", g)
    if m:
        n = int(m.group())
        out.append((g[:m.start()] + str(n + 1) + g[m.end():], False, "a number in the expression off by one"))
    return out


def math_variants(gold, rng):
    g = gold.strip()
    if INT_RE.match(g):
        return int_variants(g, rng)
    if SEPARATED_RE.match(g):  # "10,\\!080", "\\$32,\\!348": one number with thousands separators
        plain = re.sub(r"[^0-9]", "", g)
        return [v for v in int_variants(plain, rng) if v[2] not in ("percent sign on a plain number",
                                                                    "degree sign on a plain number")]
    m = FRAC_RE.match(g) or FRAC_SHORT_RE.match(g)
    if m:
        return frac_variants(m.group(1), m.group(2), m.group(3), rng)
    if DEC_RE.match(g):
        return decimal_variants(g, rng)
    m = SQRT_RE.match(g)
    if m:
        return sqrt_variants(m.group(1), m.group(2), rng)
    m = PI_RE.match(g)
    if m:
        return pi_variants(m.group(1), rng)
    m = DEG_RE.match(g)
    if m:
        return deg_variants(m.group(1), rng)
    m = CHOICE_RE.match(g)
    if m:
        return choice_variants(m.group(1), rng)
    m = TEXT_RE.match(g)
    if m:
        return text_variants(m.group(1), rng)
    m = COMPLEX_RE.match(g)
    if m:
        return complex_variants(m.group(1), m.group(2), m.group(3), rng)
    if "\\pm" in g and "," not in g and "\\{" not in g:
        return pm_variants(g, rng)
    if "\\infty" in g or "\\cup" in g or re.match(r"^[\(\[].*[\)\]]$", g) and ("[" in g or "]" in g):
        if re.match(r"^[\(\[]", g):
            return interval_variants(g, rng)
    m = TUPLE_RE.match(g)
    if m and len(top_level_split(m.group(1))) >= 2:
        return tuple_variants(g, top_level_split(m.group(1)), rng)
    parts = top_level_split(g)
    if len(parts) >= 2 and not g.startswith("\\"):
        return list_variants(parts, rng)
    return generic_variants(g, rng)


# ---------------------------------------------------------------------------------------
# Hand-written cases for conventions the gold set shows rarely: each (answer, gold, verdict, kind)

HAND_MATH = [
    ("\\text{Monday}", "\\text{Monday}", True, "weekday as \\text"),
    ("Monday", "\\text{Monday}", True, "weekday, plain"),
    ("\\text{monday}", "\\text{Monday}", True, "weekday, case"),
    ("\\text{Tuesday}", "\\text{Monday}", False, "other weekday"),
    ("\\$18.90", "\\$18.90", True, "dollar amount"),
    ("18.90", "\\$18.90", True, "dollar amount without the sign"),
    ("18.9", "\\$18.90", True, "dollar amount, trailing zero dropped"),
    ("\\$18.09", "\\$18.90", False, "digits swapped"),
    ("32,348", "\\$32,\\!348", True, "thousands with ,\\!"),
    ("\\$32348", "\\$32,\\!348", True, "thousands without separator"),
    ("32,347", "\\$32,\\!348", False, "off by one with separator"),
    ("x=5", "5", True, "x=5 vs 5"),
    ("5", "x=5", True, "5 vs x=5"),
    ("x = -5", "x=5", False, "sign"),
    ("y = 2x + 3", "y = 2x + 3", True, "line"),
    ("y=3+2x", "y = 2x + 3", True, "line, terms reordered"),
    ("2x + 3", "y = 2x + 3", True, "line rhs only"),
    ("y = 2x - 3", "y = 2x + 3", False, "line, wrong intercept"),
    ("y = 3x + 2", "y = 2x + 3", False, "line, slope and intercept swapped"),
    ("-2x", "y = -2x", True, "rhs only"),
    ("y = 2x", "y = -2x", False, "line, sign of slope"),
    ("10x - 14y + 22z + 8 = 0", "5x - 7y + 11z + 4 = 0", True, "plane, scaled equation"),
    ("5x - 7y + 11z - 4 = 0", "5x - 7y + 11z + 4 = 0", False, "plane, wrong constant"),
    ("[-2, 7]", "x \\in [-2,7]", True, "interval without x \\in"),
    ("-2 \\le x \\le 7", "x \\in [-2,7]", True, "inequality for a closed interval"),
    ("(-2, 7)", "x \\in [-2,7]", False, "open instead of closed"),
    ("-2 < x \\le 7", "x \\in [-2,7]", False, "inequality, one end open"),
    ("x > 2", "(2,\\infty)", True, "inequality for a ray"),
    ("x \\ge 2", "(2,\\infty)", False, "closed ray vs open"),
    ("(2, \\infty)", "(2,\\infty)", True, "space after comma"),
    ("(2, +\\infty)", "(2,\\infty)", True, "+\\infty"),
    ("(2,\\infty]", "(2,\\infty)", False, "infinity with a closed bracket"),
    ("(-\\infty,0]", "(-\\infty, 0]", True, "spacing"),
    ("(-\\infty,0)", "(-\\infty, 0]", False, "bracket"),
    ("x \\le 0", "(-\\infty, 0]", True, "inequality form"),
    ("(-\\infty, 2) \\cup (3, \\infty)", "(-\\infty, 2) \\cup (3, \\infty)", True, "union"),
    ("(3, \\infty) \\cup (-\\infty, 2)", "(-\\infty, 2) \\cup (3, \\infty)", True, "union reordered"),
    ("(-\\infty, 2] \\cup [3, \\infty)", "(-\\infty, 2) \\cup (3, \\infty)", False, "union, closed ends"),
    ("1, -2", "-2, 1", True, "solutions reordered"),
    ("\\{1, -2\\}", "-2, 1", True, "solutions as a set"),
    ("x = 1, x = -2", "-2, 1", True, "solutions each with x ="),
    ("x = 1 \\text{ or } x = -2", "-2, 1", True, "solutions with 'or'"),
    ("1", "-2, 1", False, "one solution missing"),
    ("(1, -2)", "-2, 1", False, "ordered pair is not the solution list"),
    ("(1, 2)", "(1, 2)", True, "ordered pair"),
    ("(2, 1)", "(1, 2)", False, "ordered pair swapped"),
    ("[1, 2]", "(1, 2)", False, "ordered pair vs closed interval"),
    ("\\frac12", "\\frac{1}{2}", True, "\\frac12"),
    ("0.5", "\\frac{1}{2}", True, "exact decimal"),
    ("1/2", "\\frac{1}{2}", True, "slash"),
    ("50\\%", "\\frac{1}{2}", True, "percent of a fraction"),
    ("\\frac{1}{3}", "0.\\overline{3}", True, "repeating decimal"),
    ("0.333", "\\frac{1}{3}", False, "rounded third"),
    ("0.33", "\\frac{1}{3}", False, "rounded third (2 places)"),
    ("0.3333333", "\\frac{1}{3}", True, "a third to 7 significant digits: the project's tolerance (relative "
     "1e-6) accepts a decimal that shows the 7 digits it resolves"),
    ("0.333333", "\\frac{1}{3}", False, "a third to 6 digits: inside 1e-6 only by rounding luck, not exact"),
    ("98.9949", "70\\sqrt{2}", False, "6-digit approximation of an irrational answer (5e-7 off)"),
    ("\\sqrt2", "\\sqrt{2}", True, "\\sqrt2"),
    ("\\sqrt{2}/2", "\\frac{\\sqrt{2}}{2}", True, "slash with root"),
    ("\\frac{1}{\\sqrt{2}}", "\\frac{\\sqrt{2}}{2}", True, "unrationalized"),
    ("1.414", "\\sqrt{2}", False, "decimal approximation of a root"),
    ("2\\sqrt{3}", "\\sqrt{12}", True, "simplified radical"),
    ("3\\sqrt{2}", "\\sqrt{12}", False, "wrong radical"),
    ("\\pi", "\\pi", True, "pi"),
    ("3.14", "\\pi", False, "pi approximated"),
    ("\\frac{\\pi}{2}", "\\frac{\\pi}{2}", True, "pi over 2"),
    ("\\pi/2", "\\frac{\\pi}{2}", True, "pi/2"),
    ("90^\\circ", "\\frac{\\pi}{2}", False, "degrees vs radians (MATH answers in the asked unit)"),
    ("-5", "-5", True, "negative"),
    ("- 5", "-5", True, "negative with space"),
    ("\\text{-}5", "-5", True, "hyphen in \\text as minus"),
    ("−5", "-5", True, "unicode minus"),
    ("5", "-5", False, "sign dropped"),
    ("\\text{(A)}", "\\text{(A)}", True, "choice"),
    ("A", "\\text{(A)}", True, "choice bare"),
    ("(A)", "\\text{(A)}", True, "choice parenthesized"),
    ("\\text{(B)}", "\\text{(A)}", False, "other choice"),
    ("\\text{A, C}", "\\text{A, C}", True, "choices"),
    ("\\text{C, A}", "\\text{A, C}", True, "choices reordered"),
    ("\\text{A}", "\\text{A, C}", False, "choice missing"),
    ("15\\text{ cm}^2", "15\\mbox{ cm}^2", True, "units squared"),
    ("15", "15\\mbox{ cm}^2", True, "units dropped"),
    ("16", "15\\mbox{ cm}^2", False, "units, off by one"),
    ("864 \\text{ square inches}", "864 \\mbox{ inches}^2", True, "units as words"),
    ("5.4", "5.4 \\text{ cents}", True, "cents dropped"),
    ("5.40\\text{ cents}", "5.4 \\text{ cents}", True, "trailing zero"),
    ("5.5 \\text{ cents}", "5.4 \\text{ cents}", False, "wrong value with units"),
    ("1,2,3", "1, 2, 3", True, "list spacing"),
    ("3, 2, 1", "1, 2, 3", True, "list reordered"),
    ("1, 2", "1, 2, 3", False, "list missing element"),
    ("1, 2, 3, 4", "1, 2, 3", False, "list extra element"),
    ("1, 1, 2", "1, 2", False, "list with a duplicate"),
    ("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", True, "vector"),
    ("\\begin{pmatrix} 2 \\\\ 1 \\end{pmatrix}", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", False, "vector swapped"),
    ("\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", True, "matrix"),
    ("\\begin{pmatrix} 1 & 3 \\\\ 2 & 4 \\end{pmatrix}", "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", False,
     "matrix transposed"),
    ("\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}", "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", True,
     "bmatrix vs pmatrix"),
    ("2^{10}", "1024", True, "power"),
    ("1024", "2^{10}", True, "power (gold)"),
    ("2^{11}", "1024", False, "power off by one"),
    ("\\binom{5}{2}", "10", True, "binomial"),
    ("5!", "120", True, "factorial"),
    ("3^{2005}", "3^{2005}", True, "huge power, same"),
    ("3^{2006}", "3^{2005}", False, "huge power, different"),
    ("1.5", "\\frac{3}{2}", True, "decimal of 3/2"),
    ("1\\frac{1}{2}", "\\frac{3}{2}", True, "mixed number"),
    ("1 \\frac{1}{2}", "\\frac{3}{2}", True, "mixed number with space"),
    ("\\frac{3}{2}\\text{ hours}", "\\frac{3}{2}", True, "fraction with unit"),
    ("\\frac{2}{3}", "\\frac{3}{2}", False, "reciprocal"),
    ("25\\%", "25", True, "percent on a percent-valued answer"),
    ("25", "25\\%", True, "percent dropped"),
    ("0.25", "25\\%", True, "percent as a fraction"),
    ("26\\%", "25\\%", False, "percent off by one"),
    ("2.5\\%", "25\\%", False, "percent off by 10x"),
    ("10^{-3}", "0.001", True, "scientific"),
    ("1 \\times 10^{-3}", "0.001", True, "scientific with times"),
    ("1 \\times 10^{-4}", "0.001", False, "scientific, wrong exponent"),
    ("x^2+2x+1", "(x+1)^2", True, "expanded polynomial"),
    ("x^2+2x-1", "(x+1)^2", False, "polynomial, wrong sign"),
    ("\\frac{x+1}{2}", "\\frac{1}{2}x+\\frac{1}{2}", True, "rational expression"),
    ("2, -2", "\\pm 2", True, "\\pm as a list"),
    ("\\pm2", "2, -2", True, "list as \\pm"),
    ("2", "\\pm 2", False, "only one sign"),
    ("-1 \\pm \\sqrt{2}", "-1 + \\sqrt{2}, -1 - \\sqrt{2}", True, "\\pm written out"),
    ("6 - 5i", "6-5i", True, "complex"),
    ("-5i+6", "6-5i", True, "complex reordered"),
    ("6+5i", "6-5i", False, "complex conjugate"),
    ("\\infty", "\\infty", True, "infinity"),
    ("-\\infty", "\\infty", False, "negative infinity"),
    ("\\emptyset", "\\emptyset", True, "empty set"),
    ("\\varnothing", "\\emptyset", True, "empty set alias"),
    ("\\{\\}", "\\emptyset", True, "empty braces"),
    ("0", "\\emptyset", False, "zero is not the empty set"),
    ("\\text{odd}", "\\text{odd}", True, "word"),
    ("\\text{even}", "\\text{odd}", False, "other word"),
    ("\\text{(C)}", "C", True, "choice with \\text"),
    ("\\sqrt[3]{2}", "2^{1/3}", True, "cube root"),
    ("\\sqrt{3}", "2^{1/3}", False, "square vs cube root"),
    ("\\$1,000", "1000", True, "dollars with separator"),
    ("1,000,000", "1000000", True, "million with separators"),
    ("1,001", "1000", False, "close to a thousand"),
    ("100.0", "100", True, "100.0"),
    ("99.99", "100", False, "rounds close to 100"),
    ("100.00001", "100", False, "within 1e-6 relative of 100 but different"),
    ("7.0000", "7", True, "trailing zeros"),
    ("\\frac{14}{2}", "7", True, "unsimplified"),
    ("\\dfrac{7}{1}", "7", True, "over one"),
    ("\\text{7}", "7", True, "number in \\text"),
    ("7 \\text{ and } 7", "7", False, "a list is not a number"),
    ("f(x) = x^2", "x^2", True, "function notation"),
    ("x^2", "f(x) = x^2", True, "function notation gold"),
    ("k = 3", "3", True, "k = 3"),
    ("a=3, b=4", "(3, 4)", False, "named components of an ordered pair"),
    ("b=4, a=3", "(3, 4)", False, "named components, other order"),
    ("(x, y) = (3, 4)", "(3, 4)", True, "tuple of variables equals tuple"),
    ("\\frac{5}{9}", "\\frac 59", True, "gold shorthand"),
    ("\\frac{9}{5}", "\\frac 59", False, "gold shorthand reciprocal"),
    ("\\frac{\\sqrt{3}}{2}", "\\frac{\\sqrt3}{2}", True, "sqrt shorthand in gold"),
    ("\\cot x", "\\cot x", True, "trig expression"),
    ("\\frac{\\cos x}{\\sin x}", "\\cot x", True, "cot as cos/sin"),
    ("\\tan x", "\\cot x", False, "tan vs cot"),
    ("\\frac{1}{\\tan x}", "\\cot x", True, "1/tan"),
    ("0.\\overline{3}", "\\frac{1}{3}", True, "repeating decimal (pred)"),
    ("0.\\overline{6}", "\\frac{1}{3}", False, "other repeating decimal"),
    ("2.\\overline{36}", "\\frac{26}{11}", True, "repeating block of two"),
    ("0.1\\overline{6}", "\\frac{1}{6}", True, "repeating after a fixed digit"),
    ("0.1\\overline{6}", "\\frac{1}{5}", False, "repeating decimal, wrong fraction"),
    ("0.125", "\\frac{1}{8}", True, "exact decimal of 1/8"),
    ("6.72 \\times 10^{-5}", ".0000672", True, "scientific notation of a decimal gold"),
    ("6.7 \\times 10^{-5}", ".0000672", False, "scientific notation, rounded"),
    ("137.5", "137 \\frac{1}{2}", True, "mixed number as decimal"),
    ("\\frac{275}{2}", "137 \\frac{1}{2}", True, "mixed number as improper fraction"),
    ("137\\tfrac12", "137 \\frac{1}{2}", True, "mixed number, \\tfrac12"),
    ("\\frac{137}{2}", "137 \\frac{1}{2}", False, "mixed number misread as a product"),
    ("\\begin{pmatrix} -\\frac{1}{3} \\\\ \\frac{2}{3} \\\\ \\frac{5}{3} \\end{pmatrix}",
     "\\begin{pmatrix} -1/3 \\\\ 2/3 \\\\ 5/3 \\end{pmatrix}", True, "vector entries as \\frac"),
    ("\\begin{pmatrix} \\frac{1}{3} \\\\ \\frac{2}{3} \\\\ \\frac{5}{3} \\end{pmatrix}",
     "\\begin{pmatrix} -1/3 \\\\ 2/3 \\\\ 5/3 \\end{pmatrix}", False, "vector entry sign"),
    ("\\left(-\\frac{1}{3}, \\frac{2}{3}, \\frac{5}{3}\\right)",
     "\\begin{pmatrix} -1/3 \\\\ 2/3 \\\\ 5/3 \\end{pmatrix}", True, "vector as a tuple with \\left("),
    ("2112_{3}", "2112_3", True, "base subscript braced"),
    ("2111_3", "2112_3", False, "base numeral, digit changed"),
    ("p-q", "p - q", True, "expression spacing"),
    ("-q+p", "p - q", True, "expression reordered"),
    ("q-p", "p - q", False, "expression negated"),
    ("\\text{East}", "\\text{east}", True, "direction capitalized"),
    ("\\text{west}", "\\text{east}", False, "other direction"),
    ("\\sqrt{2}\\pi", "\\pi\\sqrt{2}", True, "factor order with root and pi"),
    ("45^\\circ", "\\frac{\\pi}{4}", False, "degrees for a radian answer"),
    ("\\frac{\\pi}{4}", "45^\\circ", False, "radians for a degree answer"),
    ("\\infty", "∞", True, "unicode infinity"),
    ("\\dfrac{\\sqrt{21}}{5}", "\\frac{\\sqrt{21}}{5}", True, "\\dfrac with root"),
    ("\\frac{\\sqrt{21}}{5}", "\\frac{\\sqrt{21}}{5}", True, "same"),
    ("0.9165", "\\frac{\\sqrt{21}}{5}", False, "4-digit approximation of an irrational"),
    ("\\frac{\\sqrt{22}}{5}", "\\frac{\\sqrt{21}}{5}", False, "radicand off by one"),
    ("3\\sqrt{5}", "\\sqrt{45}", True, "simplified radical"),
    ("\\boxed{5}", "5", True, "box left inside the answer"),
    ("\\mathbf{5}", "5", True, "bold number"),
    ("\\frac{-1}{2}", "-\\frac{1}{2}", True, "sign in numerator"),
    ("\\frac{1}{-2}", "-\\frac{1}{2}", True, "sign in denominator"),
    ("-\\frac12", "-\\frac{1}{2}", True, "negative shorthand"),
    ("\\frac{1}{2}", "-\\frac{1}{2}", False, "sign dropped from fraction"),
    ("\\text{(C)}\\ 12", "\\text{(C)}", True, "choice followed by the option's content"),
    ("\\textbf{(C) }12", "\\text{(C)}", True, "bold choice followed by the option's content"),
    ("(C) \\frac{1}{2}", "\\text{(C)}", True, "choice followed by a fraction"),
    ("(D) 12", "\\text{(C)}", False, "other choice followed by content"),
    ("f^{-1}(x) = \\frac{x-3}{2}", "\\frac{x-3}{2}", True, "inverse function notation"),
    ("f^{-1}(x)=\\frac{x+3}{2}", "\\frac{x-3}{2}", False, "inverse function, wrong constant"),
    ("f'(x) = 6x", "6x", True, "derivative notation"),
    ("a = 2, b = 3", "2, 3", True, "named solutions of an unordered list"),
    ("(1, 2) \\text{ and } (3, 4)", "(1,2), (3,4)", True, "list of pairs with 'and'"),
    ("(3, 4), (1, 2)", "(1,2), (3,4)", True, "list of pairs reordered"),
    ("(2, 1), (3, 4)", "(1,2), (3,4)", False, "list of pairs, one swapped"),
    ("1 \\le x < 4", "[1,4)", True, "half-open interval as inequality"),
    ("[1, 4]", "[1,4)", False, "half-open interval closed"),
    ("\\{1, 4\\}", "[1,4]", False, "set of endpoints vs interval"),
    ("\\log_2 8", "3", True, "logarithm value"),
    ("2.718", "e", False, "e approximated"),
    ("-i", "i", False, "imaginary unit sign"),
    ("\\frac{\\pi}{6}, \\frac{5\\pi}{6}", "\\frac{5\\pi}{6},\\frac{\\pi}{6}", True, "angles reordered"),
    ("\\text{no}", "\\text{No}", True, "yes/no case"),
    ("\\text{No}", "\\text{Yes}", False, "yes/no"),
]

HAND_GSM = [
    ("18", "18", True, "plain"),
    ("\\$18", "18", True, "dollar sign"),
    ("$18.00", "18", True, "dollars and cents"),
    ("18 dollars", "18", True, "unit word"),
    ("18.5", "18", False, "not an integer"),
    ("1,234", "1234", True, "thousands separator"),
    ("1234.0", "1234", True, "decimal point zero"),
    ("1,243", "1234", False, "digits swapped"),
    ("12.34", "1234", False, "misplaced point"),
    ("-3", "3", False, "wrong sign"),
    ("20%", "20", True, "percent sign"),
    ("0.2", "20", False, "percent as a fraction (GSM8K answers are the number asked for)"),
    ("$1,234", "1234", True, "dollar sign and separator"),
    ("1,000,000", "1000000", True, "million with separators"),
    ("7.5 hours", "7", False, "7.5 is not 7"),
    ("18 eggs", "18", True, "unit noun"),
    ("$18.50", "18", False, "cents differ"),
    ("3 + 15 = 18", "18", True, "equation chain ends in the answer"),
    ("-5", "-5", True, "negative answer"),
    ("5", "-5", False, "negative answer, sign dropped"),
    ("5 hours", "5", True, "unit word"),
]

# Hand verdicts where the construction's intended verdict is not the right one, keyed by
# (answer, gold): (verdict, why).
VERDICTS = {
}


# ---------------------------------------------------------------------------------------

def load_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def generate(out_dir):
    rng = random.Random(SEED)
    out_dir.mkdir(parents=True, exist_ok=True)
    math_rows = load_jsonl(SHARED / "math" / "math500_test.jsonl")
    pairs_math, pairs_gsm = [], []

    def add(bucket, answer, gold, intended, kind, wrappers, source):
        wname = rng.choice(sorted(wrappers))
        prefix = rng.choice(PREFIXES)
        if answer.startswith("$") and wname not in ("gsm_answer_is", "gsm_hash"):
            answer = "\\" + answer  # inside math a dollar sign is written \$
        completion = wrappers[wname].format(p=prefix, a=answer)
        key = (answer, gold)
        why = kind
        if key in VERDICTS:
            intended, why = VERDICTS[key][0], kind + "; " + VERDICTS[key][1]
        bucket.append({"completion": completion, "answer": gold, "intended": intended, "kind": kind, "why": why,
                       "wrapper": wname, "source": source, "pred": answer})

    for row in math_rows:
        gold = row["answer"]
        variants = math_variants(gold, rng)
        # every gold: up to 3 equivalent rewrites and 2 perturbations, seeded
        eq = [v for v in variants if v[1]]
        ne = [v for v in variants if not v[1]]
        for v in rng.sample(eq, min(3, len(eq))) + rng.sample(ne, min(2, len(ne))):
            add(pairs_math, v[0], gold, v[1], v[2], MATH_WRAPPERS, row["unique_id"])
    for answer, gold, intended, kind in HAND_MATH:
        add(pairs_math, answer, gold, intended, kind, MATH_WRAPPERS, "hand")

    # answer-format cases: several boxes (the last counts), boxes inside the Minerva line
    multi = [
        ("First I thought it was $\\boxed{{{w}}}$, but that is wrong. Rechecking, the answer is $\\boxed{{{a}}}$.", True,
         "two boxes, the last is right"),
        ("We get $\\boxed{{{a}}}$. Hmm, double-checking the arithmetic, the answer is actually $\\boxed{{{w}}}$.", False,
         "two boxes, the last is wrong"),
        ("Final Answer: The final answer is $\\boxed{{{a}}}$. I hope it is correct.", True, "box inside Minerva line"),
        ("The answer is: $\\boxed{{{a}}}$", True, "Llama 'The answer is:' with box"),
        ("So $x = \\boxed{{{a}}}$.", True, "box after x ="),
        ("**Answer:** {a}", True, "markdown answer line"),
        ("The answer is ${a}$. I hope it is correct.", True, "answer is with hope"),
    ]
    gold_pool = [r["answer"] for r in math_rows if INT_RE.match(r["answer"]) or FRAC_RE.match(r["answer"])]
    for template, intended, kind in multi:
        for gold in rng.sample(gold_pool, 6):
            wrong = next(v[0] for v in math_variants(gold, rng) if not v[1])
            completion = rng.choice(PREFIXES) + template.format(a=gold, w=wrong)
            pairs_math.append({"completion": completion, "answer": gold, "intended": intended, "kind": kind,
                               "why": kind, "wrapper": "multi", "source": "format", "pred": gold})

    gsm_rows = load_jsonl(SHARED / "gsm8k" / "test.jsonl")
    for row in rng.sample(gsm_rows, 200):
        gold = row["answer"].split("####")[-1].strip().replace(",", "")
        n = int(gold)
        variants = [(gold, True, "plain"), (f"{n:,}", True, "thousands separator"),
                    ("$" + gold, True, "dollar sign (plain text $)"), (f"\\${gold}", True, "dollar sign"),
                    (f"{gold}.00", True, "cents"),
                    (f"{gold} dollars", True, "unit word"),
                    (f"{n + 1}", False, "off by one"), (f"{n - 1}", False, "off by one"),
                    (f"{n * 10}", False, "x10"), (f"{n}.5", False, "n.5")]
        if n >= 1000:
            variants.append((f"{n:,}", True, "thousands separator"))
        eq = [v for v in variants if v[1]]
        ne = [v for v in variants if not v[1]]
        for v in rng.sample(eq, 2) + rng.sample(ne, 1):
            add(pairs_gsm, v[0], gold, v[1], v[2], GSM_WRAPPERS, "gsm8k")
    for answer, gold, intended, kind in HAND_GSM:
        add(pairs_gsm, answer, gold, intended, kind, GSM_WRAPPERS, "hand")

    for name, pairs in (("math", pairs_math), ("gsm8k", pairs_gsm)):
        for i, p in enumerate(pairs):
            p["id"] = f"{name}-{i}"
        with open(out_dir / f"{name}.jsonl", "w") as f:
            for p in pairs:
                f.write(json.dumps(p, ensure_ascii=False) + "\n")
    print(f"math {len(pairs_math)}, gsm8k {len(pairs_gsm)} pairs in {out_dir}", file=sys.stderr)


def math_verify_verdicts(pairs, benchmark):
    from math_verify import parse, verify
    out = []
    for p in pairs:
        gold = p["answer"]
        g = parse("$" + gold + "$") if benchmark == "math" else parse(gold)
        pred = parse(p["completion"])
        out.append(bool(verify(g, pred)) if g and pred else False)
    return out


def compare(out_dir, write_cache=True):
    rows = []
    for benchmark in ("math", "gsm8k"):
        pairs = load_jsonl(out_dir / f"{benchmark}.jsonl")
        ours = load_jsonl(out_dir / f"{benchmark}.ours.jsonl")
        by_id = {o["id"]: o for o in ours}
        cache = out_dir / f"{benchmark}.mv.json"
        if cache.exists():
            mv = json.loads(cache.read_text())
        else:
            mv = math_verify_verdicts(pairs, benchmark)
            cache.write_text(json.dumps(mv))
        for p, m in zip(pairs, mv):
            o = by_id[p["id"]]
            rows.append({**p, "benchmark": benchmark, "ours": bool(o["correct"]), "extracted": o["extracted"],
                         "mv": m})
    n = len(rows)
    agree_mv = sum(r["ours"] == r["mv"] for r in rows)
    ours_ok = sum(r["ours"] == r["intended"] for r in rows)
    mv_ok = sum(r["mv"] == r["intended"] for r in rows)
    print(f"{n} pairs: ours vs math-verify agree {agree_mv} ({100 * agree_mv / n:.1f}%); "
          f"ours matches verdict {ours_ok} ({100 * ours_ok / n:.1f}%); math-verify matches verdict {mv_ok} "
          f"({100 * mv_ok / n:.1f}%)")
    for r in rows:
        if r["ours"] != r["mv"] or r["ours"] != r["intended"]:
            tag = "OURS-WRONG" if r["ours"] != r["intended"] else "MV-WRONG"
            print(f"{tag} [{r['benchmark']}] verdict={r['intended']} ours={r['ours']} mv={r['mv']} "
                  f"pred={r['pred']!r} gold={r['answer']!r} extracted={r['extracted']!r} ({r['kind']}; {r['wrapper']})")
    return rows


def golden(out_dir, limit=400):
    """The golden file: the hand-written cases, then the generated pairs where Math-Verify or
    our grader disagreed with the verdict, then a seeded sample of the rest;
    at most a few of each kind, so that one rewrite does not fill the file."""
    rows = compare_rows_quiet(out_dir)
    rng = random.Random(SEED + 1)
    per_kind = {}
    chosen = []

    def take(candidates, cap):
        for r in candidates:
            if len(chosen) >= limit:
                return
            k = (r["kind"], r["intended"])
            if per_kind.get(k, 0) >= cap:
                continue
            per_kind[k] = per_kind.get(k, 0) + 1
            chosen.append(r)

    take([r for r in rows if r["source"] == "hand"], 99)
    rest = [r for r in rows if r["source"] != "hand"]
    rng.shuffle(rest)
    take([r for r in rest if r["mv"] != r["intended"] or r["ours"] != r["intended"]], 3)
    take([r for r in rest if r["source"] == "format"], 3)
    take(rest, 2)
    seen = set()
    for r in chosen:
        key = (r["completion"], r["answer"])
        if key in seen:
            continue
        seen.add(key)
        why = r["why"]
        if r["mv"] != r["intended"]:
            why += f" (math-verify says {'correct' if r['mv'] else 'wrong'})"
        print(json.dumps({"completion": r["completion"], "gold": r["answer"], "benchmark": r["benchmark"],
                          "expected": r["intended"], "why": why}, ensure_ascii=False))


def compare_rows_quiet(out_dir):
    import contextlib
    import io
    with contextlib.redirect_stdout(io.StringIO()):
        return compare(out_dir)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["generate", "compare", "golden"])
    ap.add_argument("--out", type=Path, default=Path("/tmp/grader_pairs"))
    args = ap.parse_args()
    if args.command == "generate":
        generate(args.out)
    elif args.command == "compare":
        compare(args.out)
    else:
        golden(args.out)


if __name__ == "__main__":
    main()
