# Stage "resonances": genuine two-spin-flip resonances (paper Eq. 6) in the SFS stage's stored
# SFS and random states, vs L (Fig. S2). One job per (L, shard of realizations) covers every
# alpha (one draw of J, shared) and both ensembles; the O(L^2) pair scan streams the flat pair
# vector (no L x L matrix).


include: "resonances_common.smk"


rule resonances:
    input:
        states=lambda w: sfs_state_files(w.L, resonances_range(w.L, w.shard)[1]),
    output:
        f"{RES}/resonances/L{{L}}/shard{{shard}}.parquet",
    params:
        seed=SEED,
        lo=lambda w: resonances_range(w.L, w.shard)[0],
        hi=lambda w: resonances_range(w.L, w.shard)[1],
        alphas=RS["alphas"],
        h_x=RS["h_x"],
        prefactor=RS["two_spin_prefactor"],
        distance=MODEL["distance"],
        pair_sum=MODEL["pair_sum"],
    resources:
        mem_mb=lambda w: 300 + int(2 * 8 * int(w.L) ** 2 / 2 / 1e6),
        runtime=lambda w: 5
        + int(
            resonances_shard_size(w.L) * len(RS["alphas"]) * int(w.L) ** 2 * 2e-8 / 60
        ),
    log:
        f"{RES}/logs/resonances/L{{L}}_shard{{shard}}.log",
    benchmark:
        f"{RES}/benchmarks/resonances/L{{L}}_shard{{shard}}.tsv"
    conda:
        ENV
    conda:
        ENV
    script:
        "../../scripts/resonances_shard.py"


rule resonances_aggregate:
    localrule: True
    input:
        resonances_shard_files(),
    output:
        table=f"{RES}/data/two_spin_resonances.parquet",
        exponents=f"{RES}/data/two_spin_exponents.parquet",
    params:
        preset=PRESET,
        seed=SEED,
        prefactor=RS["two_spin_prefactor"],
        order=config["sfs"]["order"],
        distance=MODEL["distance"],
        pair_sum=MODEL["pair_sum"],
    log:
        f"{RES}/logs/resonances/aggregate.log",
    conda:
        ENV
    conda:
        ENV
    script:
        "../../scripts/resonances_aggregate.py"


rule plot_figS2:
    localrule: True
    input:
        table=rules.resonances_aggregate.output.table,
        exponents=rules.resonances_aggregate.output.exponents,
    output:
        pdf=f"{RES}/figures/figS2.pdf",
        png=report(
            f"{RES}/figures/figS2.png",
            caption="../report/figS2.rst",
            category="Figures",
            subcategory="Supplementary",
            labels={"figure": "Fig. S2"},
        ),
    log:
        f"{RES}/logs/figures/figS2.log",
    conda:
        ENV
    conda:
        ENV
    script:
        "../../scripts/plot_figS2.py"


rule figS2:
    localrule: True
    input:
        FIGURES["figS2"],
