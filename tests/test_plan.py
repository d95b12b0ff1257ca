"""The stage contract without Snakemake: plans built from validated configurations.

Every stage's shards cover its realizations exactly once, parameters reach jobs by value (never
parsed back from a path), labels are unique and readable, resource requests follow the measured
costs and grow with retries, and every configuration check raises one ConfigError naming a key.
"""

from __future__ import annotations

import json
import math
import re

import pytest

from kasglass.config import ConfigError, load_config
from kasglass.stages import build_plan, costs, steps

PRESETS = ["presets/tiny.yaml", None, "presets/paper.yaml", "presets/extended.yaml"]


def _cfg(preset=None, **overrides):
    return load_config(*([preset] if preset else []), overrides=overrides or None)


@pytest.fixture(scope="module", params=PRESETS, ids=["tiny", "quick", "paper", "extended"])
def plan(request):
    return build_plan(_cfg(request.param))


def _ranges(jobs):
    return sorted((j.params["lo"], j.params["hi"]) for j in jobs)


def _covers(ranges, n):
    """[lo, hi) ranges tile 0..n-1 exactly once."""
    pos = 0
    for lo, hi in ranges:
        if lo != pos or hi <= lo:
            return False
        pos = hi
    return pos == n


def test_every_rule_has_jobs_and_outputs_match_the_patterns(plan):
    for rule, (_, step) in steps().items():
        jobs = plan.jobs.get(rule, {})
        assert jobs, f"rule {rule} has no job"
        for label, job in jobs.items():
            assert bool(label) == step.sharded, (rule, label)
            pats = plan.output_patterns(rule)
            assert job.outputs == {k: p.format(label=label) for k, p in pats.items()}
            assert job.mem_mb > 0 and job.runtime > 0
            json.dumps(job.params)  # parameters are plain values


def test_labels_are_readable_path_components(plan):
    for rule, jobs in plan.jobs.items():
        for label in jobs:
            if not plan.step(rule).sharded:
                continue
            assert all(part for part in label.split("/")), label
            assert " " not in label and "{" not in label, label


def test_shards_tile_the_realizations(plan):
    cfg = plan.cfg
    # SFS: per L, the shards tile 0..n_max-1
    by_L = {}
    for job in plan.jobs["sfs"].values():
        by_L.setdefault(job.params["L"], []).append(job)
    for L, jobs in by_L.items():
        n_max = max(max(d["n_hist"], d["n_states"]) for j in jobs for d in j.params["demands"])
        assert _covers(_ranges(jobs), n_max), L
    # avalanche: the stored states 0..n_states-1
    assert _covers(_ranges(plan.jobs["avalanche"].values()), cfg["avalanche"]["n_states"])
    # two-spin, polarization, quench: per L
    for rule, sec in (
        ("resonances", cfg["resonances"]),
        ("polarization", cfg["dynamics"]["polarization"]),
        ("quench", cfg["dynamics"]["quench"]),
    ):
        for L, n in zip(sec["L"], sec["n_realizations"], strict=True):
            jobs = [j for j in plan.jobs[rule].values() if j.params["L"] == L]
            assert _covers(_ranges(jobs), n), (rule, L)
    # ED: per (L, h_x), at least the realizations Fig. 3 and Fig. S3 need
    ed = cfg["ed"]
    need = {(ed["fig3"]["L"], h): ed["fig3"]["n_realizations"] for h in ed["fig3"]["h_x"]}
    for L, n in zip(ed["fss"]["L"], ed["fss"]["n_realizations"], strict=True):
        for h in ed["fss"]["h_x"]:
            need[(L, h)] = max(need.get((L, h), 0), n)
    for (L, h), n in need.items():
        jobs = [j for j in plan.jobs["ed"].values() if j.params["L"] == L and j.params["h_x"] == h]
        assert _covers(_ranges(jobs), n), (L, h)


def test_consumers_read_the_sfs_shards_that_hold_their_states(plan):
    sfs = {j.outputs["states"]: j for j in plan.jobs["sfs"].values()}
    for rule in ("avalanche", "resonances", "polarization"):
        for job in plan.jobs[rule].values():
            lo, hi = job.params["lo"], job.params["hi"]
            files = job.inputs["states"]
            assert files, (rule, job.label)
            got = sorted(_ranges([sfs[f] for f in files]))
            assert got[0][0] <= lo and got[-1][1] >= hi, (rule, job.label, got)
            alphas = (
                [m["alpha"] for m in job.params["models"]]
                if "models" in job.params
                else [job.params["model"]["alpha"]]
            )
            for f in files:
                stored = {d["model"]["alpha"]: d["n_states"] for d in sfs[f].params["demands"]}
                for a in alphas:
                    assert stored.get(a, 0) >= min(hi, sfs[f].params["hi"]), (rule, a, f)


def test_figure_tables_are_aggregation_outputs(plan):
    produced = {p for jobs in plan.jobs.values() for j in jobs.values() for p in j.outputs.values()}
    for fig in plan.figures.values():
        for path in fig.tables.values():
            assert path in produced, (fig.name, path)
    for path in plan.job("claims").inputs.values():
        assert path[0] in produced


def test_float_parameters_reach_jobs_exactly():
    """The values of the configuration, not values parsed back from a path label."""
    cfg = _cfg(
        "presets/tiny.yaml",
        dynamics={"alpha": 2 / 3, "polarization": {"h_x": 0.0125}},
        ed={"alpha": 2 / 3, "fig3": {"h_x": [0.00125, 0.3]}},
    )
    plan = build_plan(cfg)
    pol = list(plan.jobs["polarization"].values())
    assert {j.params["h_x"] for j in pol} == {0.0125}
    assert {j.params["model"]["alpha"] for j in pol} == {2 / 3}
    ed = [j for j in plan.jobs["ed"].values() if j.params["L"] == cfg["ed"]["fig3"]["L"]]
    assert {j.params["h_x"] for j in ed} >= {0.00125, 0.3}
    assert {j.params["model"]["alpha"] for j in ed} == {2 / 3}
    assert plan.job("ed_fig3").params["h_x"] == [0.00125, 0.3]
    # the SFS stage stores states at exactly that alpha
    alphas = {d["model"]["alpha"] for j in plan.jobs["sfs"].values() for d in j.params["demands"]}
    assert 2 / 3 in alphas
    # labels are readable (six significant digits) and distinct
    assert any("hx0.00125/" in lab for lab in plan.labels("ed"))
    assert any("alpha0.666667/" in lab for lab in plan.labels("polarization"))


def test_values_that_would_share_a_label_are_rejected():
    with pytest.raises(ConfigError, match="ed.fig3.h_x"):
        build_plan(_cfg("presets/tiny.yaml", ed={"fig3": {"h_x": [0.1, 0.10000001]}}))


def test_more_realizations_only_add_shards():
    small = build_plan(_cfg("presets/tiny.yaml", shards={"job_minutes": 1e-4}))
    big = build_plan(
        _cfg("presets/tiny.yaml", shards={"job_minutes": 1e-4}, ed={"fig3": {"n_realizations": 16}})
    )
    a, b = small.jobs["ed"], big.jobs["ed"]
    assert set(a) < set(b)
    full = [
        lab
        for lab, j in a.items()
        if j.params["hi"] - j.params["lo"]
        == max(k.params["hi"] - k.params["lo"] for k in a.values())
    ]
    for lab in full:
        assert a[lab].params == b[lab].params, lab


def test_shard_knob_changes_jobs_not_results_parameters():
    coarse = build_plan(_cfg("presets/tiny.yaml"))
    fine = build_plan(_cfg("presets/tiny.yaml", shards={"job_minutes": 1e-4}))
    assert len(fine.jobs["ed"]) > len(coarse.jobs["ed"])
    for rule in ("fields_tables", "ed_fig3", "avalanche_aggregate", "claims"):
        assert coarse.job(rule).params == fine.job(rule).params, rule


def test_resources_follow_costs_and_grow_with_retries():
    plan = build_plan(_cfg("presets/paper.yaml"))
    lab = plan.labels("ed")[0]
    r1, r2, r3 = (plan.resources("ed", lab, a) for a in (1, 2, 3))
    assert r2["mem_mb"] == 2 * r1["mem_mb"] and r3["runtime"] == 4 * r1["runtime"]
    huge = costs.scaled(200_000, 6000, 5)
    assert huge == {"mem_mb": costs.MEM_CAP_MB, "runtime": costs.RUNTIME_CAP_MIN}
    # an SFS shard at the largest L needs more memory than one at the smallest
    sfs = plan.jobs["sfs"].values()
    mem = {j.params["L"]: j.mem_mb for j in sfs}
    assert mem[max(mem)] > mem[min(mem)]
    # runtime requests cover the cost model with the margin
    for j in plan.jobs["ed"].values():
        est = (j.params["hi"] - j.params["lo"]) * costs.ed_seconds(
            j.params["L"], j.params["method"], len(j.params["eps_targets"])
        )
        assert j.runtime * 60 >= costs.RUNTIME_MARGIN * est


@pytest.mark.parametrize(
    "overrides, key",
    [
        ({"fields": {"alpha": math.nan}}, "fields.alpha"),
        ({"avalanche": {"h_x": [0.05, math.inf]}}, "avalanche.h_x[1]"),
        ({"avalanche": {"h_x_main": 0.07}}, "avalanche.h_x_main"),
        ({"resonances": {"n_realizations": [20]}}, "resonances.n_realizations"),
        ({"ed": {"fss": {"L": [9, 8, 6]}}}, "ed.fss.L"),
        ({"ed": {"fig3": {"L": 9}}}, "ed.fig3.L"),
        ({"dynamics": {"polarization": {"L_R": [5, 6]}}}, "dynamics.polarization.L_R"),
        ({"dynamics": {"quench": {"h_x_distribution": 0.3}}}, "dynamics.quench.h_x_distribution"),
        ({"dynamics": {"quench": {"t_min": 1e4}}}, "dynamics.quench.t_min"),
        ({"shards": {"job_minutes": 0}}, "shards.job_minutes"),
        ({"shards": {"stage_minutes": {"sfs": -1}}}, "shards.stage_minutes.sfs"),
    ],
)
def test_config_errors_name_the_key(overrides, key):
    with pytest.raises(ConfigError, match=re.escape(f"config key '{key}'")):
        _cfg("presets/tiny.yaml", **overrides)


def test_what_a_parameter_change_reruns():
    """The README's account: fields.alpha reruns the SFS shards at the Fig. 1 sizes and what
    reads them, never an ED, quench or avalanche job; an ED h_x reruns only ED."""
    base = build_plan(_cfg())
    d = base.diff(build_plan(_cfg(fields={"alpha": 0.8})))
    assert {"sfs", "fields_tables", "claims"} <= set(d)
    assert not {
        "ed",
        "ed_fig3",
        "ed_figS3",
        "quench",
        "quench_aggregate",
        "avalanche",
        "avalanche_aggregate",
        "disorder",
    } & set(d), d.keys()
    fields_L = set(base.cfg["fields"]["L"])
    assert {base.job("sfs", lab).params["L"] for lab in d["sfs"]} == fields_L
    d2 = base.diff(build_plan(_cfg(ed={"fig3": {"h_x": [0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0]}})))
    assert set(d2) == {"ed", "ed_fig3", "claims"}, d2.keys()
    assert set(d2["ed"].values()) == {"new job"}
    assert base.diff(build_plan(_cfg())) == {}
    # the shard knob changes the jobs, and the sums they feed, but nothing else
    d3 = base.diff(build_plan(_cfg(shards={"stage_minutes": {"ed": 0.1}})))
    assert set(d3) <= {"ed", "ed_fig3", "ed_figS3", "claims"}


@pytest.mark.parametrize("slice_preset", ["paper_slice", "paper_fss", "extended_slice"])
def test_published_slices_validate_and_stay_within_their_parent(slice_preset):
    """The presets behind the published docs/ runs validate, plan and name their run after
    themselves; a Fig. S3 slice keeps the paper grid, asks for no more realizations per L than
    the preset it slices, and takes shift-invert windows at its largest L."""
    from pathlib import Path

    import yaml

    path = Path(__file__).resolve().parents[1] / "presets" / f"{slice_preset}.yaml"
    raw = yaml.safe_load(path.read_text())
    plan = build_plan(_cfg(f"presets/{slice_preset}.yaml"))
    assert plan.jobs and raw["preset"] == slice_preset
    parent = "extended" if slice_preset.startswith("extended") else "paper"
    full = _cfg(f"presets/{parent}.yaml")
    if "fss" in raw.get("ed", {}):
        fss, big = raw["ed"]["fss"], full["ed"]["fss"]
        assert set(fss["L"]) <= set(big["L"]) and fss["h_x"] == big["h_x"]
        for L, n in zip(fss["L"], fss["n_realizations"], strict=True):
            assert n <= big["n_realizations"][big["L"].index(L)], L
        fss_jobs = [j for j in plan.jobs["ed"].values() if j.params.get("L") == max(fss["L"])]
        assert fss_jobs and {j.params["method"] for j in fss_jobs} == {"shift-invert"}
