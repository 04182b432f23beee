#!/usr/bin/env python3
"""Golden pairs for the grader's numeric/symbolic rule, labelled by SymPy (an independent CAS).

Random expressions are rendered with sympy.latex(); each is paired either with a SymPy rewrite
of itself (expand, factor, together, cancel, trigsimp, ...), which must grade equal, or with a
small perturbation (a changed coefficient, exponent, sign, or variable), which must not. The
label is SymPy's: equal when simplify(a - b) == 0; unequal when the difference is clearly
nonzero at a random point; pairs where the two disagree are dropped.

    python3 tests/eval/golden/make_symbolic_pairs.py > tests/eval/golden/symbolic_pairs.jsonl

Deterministic (fixed seed); needs only sympy (pip install sympy).
"""
import json
import random
import sys

import sympy as sp

x, y, t = sp.symbols("x y t")
VARS = [x, y, t]
rng = random.Random(20261124)


def leaf():
    r = rng.random()
    if r < 0.45:
        return rng.choice(VARS[:2] if rng.random() < 0.8 else VARS)
    if r < 0.75:
        return sp.Integer(rng.randint(1, 9))
    if r < 0.85:
        return sp.Rational(rng.randint(1, 9), rng.randint(2, 9))
    if r < 0.93:
        return sp.sqrt(rng.choice([2, 3, 5, 7]))
    return sp.pi


def expr(depth):
    if depth == 0 or rng.random() < 0.2:
        return leaf()
    op = rng.random()
    a = expr(depth - 1)
    if op < 0.25:
        return a + expr(depth - 1)
    if op < 0.4:
        return a - expr(depth - 1)
    if op < 0.6:
        return a * expr(depth - 1)
    if op < 0.72:
        b = expr(depth - 1)
        return a / b if b != 0 else a
    if op < 0.82:
        return a ** rng.randint(2, 3)
    if op < 0.88:
        return sp.sqrt(a)
    if op < 0.93:
        return rng.choice([sp.sin, sp.cos])(a)
    if op < 0.97:
        return sp.exp(a)
    return sp.log(a)


REWRITES = [sp.expand, sp.factor, sp.together, sp.cancel, sp.simplify, sp.trigsimp, sp.expand_trig,
            lambda e: sp.expand(e, power_base=False), sp.radsimp]


def perturb(e):
    atoms = [a for a in e.atoms(sp.Integer) if a not in (0, 1, -1)]
    r = rng.random()
    if r < 0.35 and atoms:
        a = rng.choice(atoms)
        return e.subs(a, a + 1)
    if r < 0.55 and e.has(x):
        return e.subs(x, y if rng.random() < 0.5 else -x)
    if r < 0.75:
        return e + rng.choice([1, -1, sp.Rational(1, 2), x])
    return e * rng.choice([2, -1, x, sp.Rational(3, 2)])


def differs_numerically(a, b):
    for _ in range(3):
        point = {v: sp.Float(rng.uniform(0.4, 2.6)) * rng.choice([1, -1]) for v in VARS}
        try:
            da = complex(sp.N(a.subs(point), 30))
            db = complex(sp.N(b.subs(point), 30))
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        if abs(da - db) > 1e-6 * max(1.0, abs(da), abs(db)):
            return True
    return False


def main():
    out, seen = [], set()
    wanted = {True: 200, False: 200}  # as many equal pairs as unequal ones
    while wanted[True] or wanted[False]:
        e = expr(rng.randint(1, 3))
        if e.is_number and not e.is_finite:
            continue
        if wanted[True] and (not wanted[False] or rng.random() < 0.8):
            f = rng.choice(REWRITES)(e)
            kind = "rewrite"
        else:
            f = perturb(e)
            kind = "perturbation"
        a, b = sp.latex(e), sp.latex(f)
        if a == b or (a, b) in seen or len(a) > 160 or len(b) > 160 or "zoo" in a + b or "nan" in a + b:
            continue
        try:
            symbolic_zero = sp.simplify(e - f) == 0
        except Exception:  # noqa: BLE001 - SymPy raises many types on odd inputs
            continue
        numeric_differs = differs_numerically(e, f)
        if symbolic_zero == numeric_differs:  # SymPy's two verdicts disagree: ambiguous, drop
            continue
        if not wanted[bool(symbolic_zero)]:
            continue
        wanted[bool(symbolic_zero)] -= 1
        seen.add((a, b))
        out.append({"a": a, "b": b, "equal": bool(symbolic_zero), "kind": kind})
    for row in out:
        sys.stdout.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
