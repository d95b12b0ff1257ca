# Stage "avalanche": resonance avalanches from the SFS stage's stored states (Fig. 2 left).
# One job per (L, shard of states) runs every alpha, h_x and both ensembles (one draw of J per
# realization); the aggregation sums per-state integer records, so results do not depend on
# the sharding. Fig. 2's right panel (remnant polarization) comes from the dynamics stage when it
# registers CLAIM_TABLES["fig2_polarization"]; until then fig2 is the left panel alone.


include: "avalanche_common.smk"


rule avalanche:
    input:
        states=lambda w: sfs_state_files(w.L, avalanche_range(w.shard)[1]),
    output:
        f"{RES}/avalanche/L{{L}}/shard{{shard}}.parquet",
    params:
        seed=SEED,
        lo=lambda w: avalanche_range(w.shard)[0],
        hi=lambda w: avalanche_range(w.shard)[1],
        alphas=AV["alphas"],
        h_x=AV["h_x"],
        n_steps=AV["n_steps"],
        record_per_decade=AV["record_per_decade"],
        distance=MODEL["distance"],
        pair_sum=MODEL["pair_sum"],
    resources:
        mem_mb=lambda w: 300 + int(3 * 8 * int(w.L) ** 2 / 1e6),
        runtime=lambda w: 5
        + int(
            AV["states_per_shard"]
            * len(AV["alphas"])
            * len(AV["h_x"])
            * 2
            * AV["n_steps"]
            * int(w.L)
            * 5e-9
            / 60
        ),
    log:
        f"{RES}/logs/avalanche/L{{L}}_shard{{shard}}.log",
    benchmark:
        f"{RES}/benchmarks/avalanche/L{{L}}_shard{{shard}}.tsv"
    conda:
        ENV
    conda:
        ENV
    script:
        "../../scripts/avalanche_shard.py"


rule avalanche_aggregate:
    localrule: True
    input:
        avalanche_shard_files(),
    output:
        f"{RES}/data/fig2_avalanche.parquet",
    params:
        preset=PRESET,
        seed=SEED,
        n_steps=AV["n_steps"],
        order=config["sfs"]["order"],
        distance=MODEL["distance"],
        pair_sum=MODEL["pair_sum"],
    log:
        f"{RES}/logs/avalanche/aggregate.log",
    conda:
        ENV
    conda:
        ENV
    script:
        "../../scripts/avalanche_aggregate.py"


rule plot_fig2:
    localrule: True
    input:
        unpack(fig2_inputs),
    output:
        pdf=f"{RES}/figures/fig2.pdf",
        png=report(
            f"{RES}/figures/fig2.png",
            caption="../report/fig2.rst",
            category="Figures",
            subcategory="Main text",
            labels={"figure": "Fig. 2"},
        ),
    params:
        h_x_main=AV["h_x_main"],
    log:
        f"{RES}/logs/figures/fig2.log",
    conda:
        ENV
    conda:
        ENV
    script:
        "../../scripts/plot_fig2.py"


rule fig2:
    localrule: True
    input:
        FIGURES["fig2"],
