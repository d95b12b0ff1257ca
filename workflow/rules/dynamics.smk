# Stage "dynamics": quantum dynamics by exact diagonalization.
#  - Fig. 2 right: remnant polarization P(n, L) of the most resonant spins of the SFS stage's stored
#    states (one job per (alpha, h_x, L, shard of states); every L_R of a state in the same job);
#    the aggregation sorts per-realization rows, so results do not depend on the sharding.
#  - Fig. S4 (beyond the paper): quench of full chains L = 10-14 from random and SFS product states
#    (one job per (alpha, L, shard of realizations); every h_x in the same job, one
#    diagonalization per (realization, h_x) serving every initial state and time).

DYN = config["dynamics"]
POL = DYN["polarization"]
QU = DYN["quench"]


def _dyn_checks():
    errs = []
    for sec, c in (("polarization", POL), ("quench", QU)):
        if len(c["n_realizations"]) != len(c["L"]):
            errs.append(
                f"dynamics.{sec}.n_realizations needs one entry per size in dynamics.{sec}.L "
                f"({len(c['L'])}); got {len(c['n_realizations'])}"
            )
        if list(c["L"]) != sorted(c["L"]):
            errs.append(f"dynamics.{sec}.L must be increasing; got {c['L']}")
    if min(POL["L_R"]) < POL["n_spins"]:
        errs.append(
            f"every dynamics.polarization.L_R must be >= n_spins = {POL['n_spins']}; got {POL['L_R']}"
        )
    if max(POL["L_R"]) > min(POL["L"]):
        errs.append(
            f"dynamics.polarization.L_R (max {max(POL['L_R'])}) cannot exceed the smallest L "
            f"({min(POL['L'])})"
        )
    if not any(abs(float(h) - float(QU["h_x_distribution"])) < 1e-12 for h in QU["h_x"]):
        errs.append(
            f"dynamics.quench.h_x_distribution = {QU['h_x_distribution']} must be one of "
            f"dynamics.quench.h_x = {QU['h_x']}"
        )
    if not QU["t_min"] < QU["t_max"]:
        errs.append(f"dynamics.quench.t_min must be below t_max; got {QU['t_min']}, {QU['t_max']}")
    if errs:
        raise ValueError("invalid configuration:\n  " + "\n  ".join(errs))


_dyn_checks()

DYN_ALPHA = fmt_alpha(DYN["alpha"])
POL_HX = f"{float(POL['h_x']):.3f}"
POL_N = dict(zip(map(int, POL["L"]), map(int, POL["n_realizations"])))
QU_N = dict(zip(map(int, QU["L"]), map(int, QU["n_realizations"])))

for _L, _n in POL_N.items():
    demand_sfs_states(_L, DYN["alpha"], _n)


wildcard_constraints:
    hx=r"\d+\.\d{3,4}",


def pol_range(L, shard):
    """Stored-state indices [lo, hi) of polarization shard ``shard`` at size L."""
    lo = int(shard) * int(POL["realizations_per_job"])
    return lo, min(lo + int(POL["realizations_per_job"]), POL_N[int(L)])


def pol_shard_files():
    out = []
    for L, n in POL_N.items():
        for s in range(math.ceil(n / int(POL["realizations_per_job"]))):
            out.append(
                f"{RES}/dynamics/polarization/alpha{DYN_ALPHA}_hx{POL_HX}/L{L}/shard{s:04d}.parquet"
            )
    return out


def qu_range(L, shard):
    lo = int(shard) * int(QU["realizations_per_job"])
    return lo, min(lo + int(QU["realizations_per_job"]), QU_N[int(L)])


def qu_shard_files(kind):
    out = []
    for L, n in QU_N.items():
        for s in range(math.ceil(n / int(QU["realizations_per_job"]))):
            out.append(f"{RES}/dynamics/quench/alpha{DYN_ALPHA}/L{L}/shard{s:04d}.{kind}.parquet")
    return out


def _eigh_seconds(dim):
    """Rough single-core cost of a dense eigh with eigenvectors (measured ~15 s at dim 4096)."""
    return 2.2e-10 * float(dim) ** 3


def _pol_seconds(l):
    """Rough single-core cost of one (state, L_R) point: dense ED, or the Chebyshev route."""
    cf = POL["chebyshev_from_L_R"]
    if cf is not None and l >= cf:
        return 3e-4 * 2**l * l * POL["chebyshev_t_avg"] / 1e4
    return _eigh_seconds(2**l)


def _pol_dense_max():
    cf = POL["chebyshev_from_L_R"]
    dense = [l for l in POL["L_R"] if cf is None or l < cf]
    return max(dense + [1])


rule dynamics_polarization:
    input:
        states=lambda w: sfs_state_files(w.L, pol_range(w.L, w.shard)[1]),
    output:
        f"{RES}/dynamics/polarization/alpha{{alpha}}_hx{{hx}}/L{{L}}/shard{{shard}}.parquet",
    params:
        seed=SEED,
        lo=lambda w: pol_range(w.L, w.shard)[0],
        hi=lambda w: pol_range(w.L, w.shard)[1],
        alpha=lambda w: float(w.alpha),
        h_x=lambda w: float(w.hx),
        L_R=POL["L_R"],
        n_spins=POL["n_spins"],
        degenerate_tol=POL["degenerate_tol"],
        chebyshev_from=POL["chebyshev_from_L_R"],
        t_avg=POL["chebyshev_t_avg"],
        distance=MODEL["distance"],
        pair_sum=MODEL["pair_sum"],
    resources:
        mem_mb=lambda w: 400
        + int(16 * int(w.L) ** 2 / 1e6)
        + int(5 * 8 * 4 ** _pol_dense_max() / 1e6)
        + int(100 * 2 ** max(POL["L_R"]) / 1e6),
        runtime=lambda w: 5
        + int(
            2
            * POL["realizations_per_job"]
            * sum(_pol_seconds(l) for l in POL["L_R"])
            / 60
        ),
    log:
        f"{RES}/logs/dynamics/polarization_alpha{{alpha}}_hx{{hx}}_L{{L}}_shard{{shard}}.log",
    benchmark:
        f"{RES}/benchmarks/dynamics/polarization_alpha{{alpha}}_hx{{hx}}_L{{L}}_shard{{shard}}.tsv"
    script:
        "../../scripts/dynamics_polarization.py"


rule dynamics_polarization_aggregate:
    localrule: True
    input:
        pol_shard_files(),
    output:
        table=f"{RES}/data/fig2_polarization.parquet",
        cost=f"{RES}/dynamics/polarization_cost.parquet",
    params:
        preset=PRESET,
        seed=SEED,
        extrapolation=POL["extrapolation"],
        alternatives=POL["alt_extrapolations"],
        chebyshev_from=POL["chebyshev_from_L_R"],
        t_avg=POL["chebyshev_t_avg"],
        degenerate_tol=POL["degenerate_tol"],
        order=config["sfs"]["order"],
        distance=MODEL["distance"],
        pair_sum=MODEL["pair_sum"],
    log:
        f"{RES}/logs/dynamics/polarization_aggregate.log",
    script:
        "../../scripts/dynamics_polarization_aggregate.py"


rule dynamics_quench:
    output:
        series=f"{RES}/dynamics/quench/alpha{{alpha}}/L{{L}}/shard{{shard}}.series.parquet",
        spins=f"{RES}/dynamics/quench/alpha{{alpha}}/L{{L}}/shard{{shard}}.spins.parquet",
    params:
        seed=SEED,
        lo=lambda w: qu_range(w.L, w.shard)[0],
        hi=lambda w: qu_range(w.L, w.shard)[1],
        alpha=lambda w: float(w.alpha),
        h_x=QU["h_x"],
        n_initial=QU["n_initial"],
        t_min=QU["t_min"],
        t_max=QU["t_max"],
        n_times=QU["n_times"],
        degenerate_tol=QU["degenerate_tol"],
        order=config["sfs"]["order"],
        distance=MODEL["distance"],
        pair_sum=MODEL["pair_sum"],
    resources:
        mem_mb=lambda w: 500 + int(5 * 8 * 4 ** int(w.L) / 1e6),
        runtime=lambda w: 5
        + int(
            3
            * QU["realizations_per_job"]
            * len(QU["h_x"])
            * (
                2 * _eigh_seconds(2 ** (int(w.L) - 1))
                + 4e-10 * 4 ** int(w.L) * (QU["n_times"] + 1) * 2 * QU["n_initial"]
            )
            / 60
        ),
    log:
        f"{RES}/logs/dynamics/quench_alpha{{alpha}}_L{{L}}_shard{{shard}}.log",
    benchmark:
        f"{RES}/benchmarks/dynamics/quench_alpha{{alpha}}_L{{L}}_shard{{shard}}.tsv"
    script:
        "../../scripts/dynamics_quench.py"


rule dynamics_quench_aggregate:
    localrule: True
    input:
        series=qu_shard_files("series"),
        spins=qu_shard_files("spins"),
    output:
        quench=f"{RES}/data/figS4_quench.parquet",
        memory=f"{RES}/data/figS4_memory.parquet",
    params:
        preset=PRESET,
        seed=SEED,
        q_bins=QU["q_bins"],
        n_initial=QU["n_initial"],
        degenerate_tol=QU["degenerate_tol"],
        order=config["sfs"]["order"],
        distance=MODEL["distance"],
        pair_sum=MODEL["pair_sum"],
    log:
        f"{RES}/logs/dynamics/quench_aggregate.log",
    script:
        "../../scripts/dynamics_quench_aggregate.py"


CLAIM_TABLES["fig2_polarization"] = f"{RES}/data/fig2_polarization.parquet"
register_figure("figS4", "figS4")


rule plot_figS4:
    localrule: True
    input:
        quench=f"{RES}/data/figS4_quench.parquet",
        memory=f"{RES}/data/figS4_memory.parquet",
    output:
        pdf=f"{RES}/figures/figS4.pdf",
        png=f"{RES}/figures/figS4.png",
    params:
        h_x_distribution=QU["h_x_distribution"],
    log:
        f"{RES}/logs/figures/figS4.log",
    script:
        "../../scripts/plot_figS4.py"


rule figS4:
    localrule: True
    input:
        FIGURES["figS4"],
