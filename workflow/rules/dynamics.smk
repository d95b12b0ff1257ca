# Stage "dynamics": quantum dynamics by exact diagonalization.
#  - Fig. 2 right: remnant polarization P(n, L) of the most resonant spins of the SFS stage's stored
#    states (one job per (alpha, h_x, L, shard of states); every L_R of a state in the same job);
#    the aggregation sorts per-realization rows, so results do not depend on the sharding.
#  - Fig. S4 (beyond the paper): quench of full chains L = 10-14 from random and SFS product states
#    (one job per (alpha, L, shard of realizations); every h_x in the same job, one
#    diagonalization per (realization, h_x) serving every initial state and time).

include: "dynamics_common.smk"


wildcard_constraints:
    hx=r"\d+\.\d{3,4}",


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
    conda:
        ENV
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
    conda:
        ENV
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
    conda:
        ENV
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
    conda:
        ENV
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
        png=report(
            f"{RES}/figures/figS4.png",
            caption="../report/figS4.rst",
            category="Figures",
            subcategory="Supplementary",
            labels={"figure": "Fig. S4"},
        ),
    params:
        h_x_distribution=QU["h_x_distribution"],
    log:
        f"{RES}/logs/figures/figS4.log",
    conda:
        ENV
    script:
        "../../scripts/plot_figS4.py"


rule figS4:
    localrule: True
    input:
        FIGURES["figS4"],
