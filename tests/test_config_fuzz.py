"""Fuzzing the configuration validator (hypothesis): a mutated valid configuration is either
accepted and then plans a DAG, or rejected before any job with one ConfigError naming a key;
never another exception.

Mutations: a number moved to another value of its type (inside or outside its range), a value
replaced by one of another type or out of range (strings, booleans, None,
NaN, infinities, huge and negative numbers, lists, dicts), a key deleted, an unknown key added,
a list lengthened or shortened, a scalar nested one level deeper. The default run tries
FUZZ_EXAMPLES = 150 cases (about 10 s); ``KASGLASS_FUZZ_EXAMPLES=5000 pytest -m fuzz`` runs a
larger budget (2000 cases took 2 minutes and found nothing once L and the realization counts
had upper bounds in the schema).
"""

from __future__ import annotations

import copy
import math
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kasglass.config import ConfigError, load_config, validate_config
from kasglass.stages import build_plan

SCHEMA = Path(__file__).resolve().parents[1] / "workflow" / "schemas" / "config.schema.yaml"
BASE = load_config("presets/tiny.yaml")
FUZZ_EXAMPLES = int(os.environ.get("KASGLASS_FUZZ_EXAMPLES", "150"))
KEY = re.compile(r"config key '[^']*'")


def _paths(node, prefix=()):
    """Every path (tuple of keys / indices) into the nested configuration."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, prefix + (i,))
    return out


PATHS = _paths(BASE)

VALUES = st.one_of(
    st.sampled_from(
        [
            math.nan,
            math.inf,
            -math.inf,
            None,
            True,
            False,
            "",
            "abc",
            [],
            {},
            0,
            -1,
            10**12,
            -(10**12),
            1e300,
            -1e-300,
            0.5,
            1.0,
            3,
            [1, 2],
            {"x": 1},
        ]
    ),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
)


def _get(cfg, path):
    for p in path:
        cfg = cfg[p]
    return cfg


def _set(cfg, path, value):
    _get(cfg, path[:-1])[path[-1]] = value


@st.composite
def mutated(draw):
    cfg = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(cfg)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _get(cfg, path[:-1])
        kind = draw(
            st.sampled_from(
                ["replace", "perturb", "perturb", "delete", "unknown", "length", "nest"]
            )
        )
        old = _get(cfg, path)
        if kind == "perturb" and isinstance(old, (int, float)) and not isinstance(old, bool):
            # the same type, another value: inside or outside the allowed range
            f = draw(st.sampled_from([0, 0.5, 0.999, 1.001, 2, 10, -1]))
            new = old * f + draw(st.sampled_from([0, 1, -1]))
            _set(cfg, path, int(new) if isinstance(old, int) else float(new))
        elif kind == "replace":
            _set(cfg, path, draw(VALUES))
        elif kind == "delete":
            if isinstance(parent, dict):
                del parent[path[-1]]
            else:
                parent.pop(path[-1])
        elif kind == "unknown" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["alhpa", "extra", "L_R2", "nn"]))] = draw(VALUES)
        elif kind == "length" and isinstance(parent, list):
            if draw(st.booleans()) and parent:
                parent.pop()
            else:
                parent.append(copy.deepcopy(parent[-1]) if parent else 1)
        elif kind == "nest":
            _set(cfg, path, {"value": _get(cfg, path)})
    return cfg


def _check(cfg):
    try:
        validate_config(cfg, SCHEMA)
    except ConfigError as exc:
        msg = str(exc)
        assert msg.startswith("invalid configuration:") and KEY.search(msg), msg
        return "rejected"
    try:
        plan = build_plan(cfg)
    except ConfigError as exc:  # checks that need the plan (labels, job counts), still no job
        assert KEY.search(str(exc)), str(exc)
        return "rejected by the plan"
    assert plan.summary() and plan.targets()
    return "accepted"


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated())
def test_mutated_configs_are_accepted_or_rejected_with_a_key(cfg):
    _check(cfg)


@pytest.mark.fuzz
@pytest.mark.skipif(
    "KASGLASS_FUZZ_EXAMPLES" not in os.environ,
    reason="the large fuzz budget runs with KASGLASS_FUZZ_EXAMPLES set (e.g. 5000)",
)
@settings(
    max_examples=max(FUZZ_EXAMPLES, 2000),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated())
def test_mutated_configs_large_budget(cfg):
    _check(cfg)


@pytest.mark.parametrize("path", [p for p in PATHS if isinstance(_get(BASE, p), float)][:40])
def test_every_float_key_rejects_nan_and_infinity(path):
    for bad in (math.nan, math.inf, -math.inf):
        cfg = copy.deepcopy(BASE)
        _set(cfg, path, bad)
        with pytest.raises(ConfigError, match="is not a finite number"):
            validate_config(cfg, SCHEMA)
