"""Helpers shared by the stage plans: models from the configuration, readable labels, shard
ranges, and the columns every stage uses."""

from __future__ import annotations

import math

from ..model import Model
from ..tables import Col


def model(cfg: dict, alpha: float) -> Model:
    """The configuration's model conventions (``model.distance``, ``model.pair_sum``) at alpha."""
    return Model(float(alpha), cfg["model"]["distance"], cfg["model"]["pair_sum"])


def models_dict(cfg: dict, alpha: float) -> dict:
    """:func:`model` as a plain dict (job parameters travel as JSON-able values)."""
    return model(cfg, alpha).as_dict()


def fmt(x: float) -> str:
    """Readable label of a parameter value in a path (6 significant digits: ``0.7``,
    ``0.0125``, ``0.666667``). Labels are never parsed: the values reach jobs from the plan."""
    return f"{float(x):.6g}"


def check_labels(values, key: str) -> None:
    """Two values of one list must not share a label (they would share a path)."""
    from ..config import ConfigError

    seen = {}
    for v in values:
        lab = fmt(v)
        if lab in seen and float(seen[lab]) != float(v):
            raise ConfigError(
                f"invalid configuration:\n  config key '{key}': values {seen[lab]} and {v} "
                "agree to 6 significant digits; use values that differ visibly"
            )
        seen[lab] = v


#: more shards than this at one parameter point is a configuration error (the plan would not fit)
MAX_SHARDS = 100_000


def ranges(n: int, per: int) -> list[tuple[int, int]]:
    """Shards [lo, hi) of realizations 0..n-1 with ``per`` realizations each (the last one may
    be shorter)."""
    if math.ceil(int(n) / int(per)) > MAX_SHARDS:
        from ..config import ConfigError

        raise ConfigError(
            f"invalid configuration:\n  config key 'shards.job_minutes': {n} realizations in "
            f"jobs of {per} make more than {MAX_SHARDS} jobs at one parameter point; raise "
            "shards.job_minutes (or shards.stage_minutes)"
        )
    return [(lo, min(lo + per, n)) for lo in range(0, int(n), int(per))]


def n_shards(n: int, per: int) -> int:
    return math.ceil(int(n) / int(per))


def shard_label(prefix: str, k: int) -> str:
    return f"{prefix}/shard{k:04d}" if prefix else f"shard{k:04d}"


# column declarations shared by several tables
ALPHA = Col("alpha", "float64", "", "interaction exponent alpha of K_ij = J_ij / d_ij^alpha")
L_COL = Col("L", "int64", "", "number of spins of the chain")
ENSEMBLE = Col(
    "ensemble",
    "str",
    "",
    "initial product states: random (infinite temperature) or sfs (their "
    "single-spin-flip-stable relaxation)",
)
H_X = Col("h_x", "float64", "std(J)", "transverse field")
REALIZATION = Col("realization", "int64", "", "disorder realization index r")
N_REAL = Col("n_realizations", "int64", "", "disorder realizations averaged")
MODEL_PARAMS = (("distance", "model.distance", "str"), ("pair_sum", "model.pair_sum", "str"))
SFS_PARAMS = (("sfs_order", "sfs.order", "str"),) + MODEL_PARAMS
#: the |phi| histogram columns of the SFS and 2FS shards (after L, alpha, ensemble)
HIST_COLS = (
    Col("block", "int64", "", "realization block r mod fields.n_blocks"),
    Col("bin", "int64", "", "index of the |phi| bin (0: [0, phi_min); last: overflow)"),
    Col("phi_lo", "float64", "std(J)", "lower edge of the |phi| bin"),
    Col("phi_hi", "float64", "std(J)", "upper edge of the |phi| bin (inf: overflow)"),
    Col("count", "int64", "", "spins with |phi_i| in the bin"),
)
#: a stored spin configuration
STATE_COL = Col(
    "state", "bytes", "", "spins as bits (1 = up), little bit order (kasglass.sfs.unpack_spins)"
)
