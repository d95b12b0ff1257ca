# Stage "ed": exact diagonalization in the two parity sectors P = prod X_i.
#  - One job per (L, alpha, h_x, shard of realizations) writes per-realization partial sums per
#    eps bin and per target window (scripts/ed_shard.py); realization r uses
#    derive_seed(seed, "ed", L, r). L < shift_invert_min_L: dense dsyevd of both sectors (every
#    eps bin and every target window); L >= shift_invert_min_L: shift-invert windows only.
#  - Fig. 3 and Fig. S3 share the jobs at the (L, h_x) points they have in common; each reads the
#    first n realizations of the shards, sorted by realization (shard-invariant aggregation).


include: "ed_common.smk"


rule ed_shard:
    output:
        f"{RES}/ed/L{{L}}/alpha{{alpha}}/hx{{hx}}/shard{{shard}}.parquet",
    params:
        seed=SEED,
        lo=lambda w: ed_shard_bounds(w.L, w.hx, w.shard)[0],
        hi=lambda w: ed_shard_bounds(w.L, w.hx, w.shard)[1],
        alpha=lambda w: float(w.alpha),
        h_x=lambda w: float(w.hx),
        method=lambda w: ed_method(w.L),
        n_eps_bins=ED["n_eps_bins"],
        eps_targets=FSS["eps_targets"],
        n_eigs=FSS["n_eigs"],
        max_fraction=FSS["max_fraction"],
        distance=MODEL["distance"],
        pair_sum=MODEL["pair_sum"],
    resources:
        mem_mb=lambda w: _ed_mem_mb(w.L),
        runtime=lambda w: 5 + int(2 * ed_shard_n(w.L, w.hx, w.shard) * _ed_seconds(w.L) / 60),
    log:
        f"{RES}/logs/ed/L{{L}}_alpha{{alpha}}_hx{{hx}}_shard{{shard}}.log",
    benchmark:
        f"{RES}/benchmarks/ed/L{{L}}_alpha{{alpha}}_hx{{hx}}_shard{{shard}}.tsv"
    conda:
        ENV
    script:
        "../../scripts/ed_shard.py"


rule ed_fig3_table:
    localrule: True
    input:
        ed_files(FIG3["L"], FIG3["h_x"], FIG3["n_realizations"]),
    output:
        table=f"{RES}/data/fig3_phase_diagram.parquet",
        realizations=f"{RES}/data/fig3_realizations.parquet",
    params:
        preset=PRESET,
        seed=SEED,
        table="fig3",
        n_realizations={int(FIG3["L"]): int(FIG3["n_realizations"])},
        h_x=FIG3["h_x"],
        n_eps_bins=ED["n_eps_bins"],
        distance=MODEL["distance"],
        pair_sum=MODEL["pair_sum"],
    log:
        f"{RES}/logs/ed/fig3_table.log",
    conda:
        ENV
    script:
        "../../scripts/ed_aggregate.py"


rule ed_figS3_table:
    localrule: True
    input:
        [
            f
            for L, n in zip(FSS["L"], FSS["n_realizations"])
            for f in ed_files(L, FSS["h_x"], n)
        ],
    output:
        f"{RES}/data/figS3_fss.parquet",
    params:
        preset=PRESET,
        seed=SEED,
        table="figS3",
        n_realizations=dict(zip(map(int, FSS["L"]), map(int, FSS["n_realizations"]))),
        h_x=FSS["h_x"],
        n_eps_bins=ED["n_eps_bins"],
        n_eigs=FSS["n_eigs"],
        max_fraction=FSS["max_fraction"],
        shift_invert_min_L=ED["shift_invert_min_L"],
        distance=MODEL["distance"],
        pair_sum=MODEL["pair_sum"],
    log:
        f"{RES}/logs/ed/figS3_table.log",
    conda:
        ENV
    script:
        "../../scripts/ed_aggregate.py"


rule plot_fig3:
    localrule: True
    input:
        f"{RES}/data/fig3_phase_diagram.parquet",
    output:
        pdf=f"{RES}/figures/fig3.pdf",
        png=report(
            f"{RES}/figures/fig3.png",
            caption="../report/fig3.rst",
            category="Figures",
            subcategory="Main text",
            labels={"figure": "Fig. 3"},
        ),
    log:
        f"{RES}/logs/figures/fig3.log",
    conda:
        ENV
    script:
        "../../scripts/plot_fig3.py"


rule plot_figS3:
    localrule: True
    input:
        f"{RES}/data/figS3_fss.parquet",
    output:
        pdf=f"{RES}/figures/figS3.pdf",
        png=report(
            f"{RES}/figures/figS3.png",
            caption="../report/figS3.rst",
            category="Figures",
            subcategory="Supplementary",
            labels={"figure": "Fig. S3"},
        ),
    log:
        f"{RES}/logs/figures/figS3.log",
    conda:
        ENV
    script:
        "../../scripts/plot_figS3.py"


rule fig3:
    localrule: True
    input:
        FIGURES["fig3"],


rule figS3:
    localrule: True
    input:
        FIGURES["figS3"],
