# Stage "avalanche": resonance avalanches from the SFS stage's stored states (Fig. 2 left).
# One job per (L, shard of states) runs every alpha, h_x and both ensembles (one draw of J per
# realization); the aggregation sums per-state integer records, so results do not depend on
# the sharding. Fig. 2's right panel (remnant polarization) comes from the dynamics stage when it
# registers CLAIM_TABLES["fig2_polarization"]; until then fig2 is the left panel alone.

AV = config["avalanche"]

if not any(abs(float(h) - float(AV["h_x_main"])) < 1e-12 for h in AV["h_x"]):
    raise ValueError(
        f"avalanche.h_x_main = {AV['h_x_main']} must be one of avalanche.h_x = {AV['h_x']}"
    )

for _a in AV["alphas"]:
    demand_sfs_states(AV["L"], _a, AV["n_states"])


def avalanche_range(shard):
    """Stored-state indices [lo, hi) of avalanche shard ``shard``."""
    lo = int(shard) * int(AV["states_per_shard"])
    return lo, min(lo + int(AV["states_per_shard"]), int(AV["n_states"]))


def avalanche_shard_files():
    n = math.ceil(int(AV["n_states"]) / int(AV["states_per_shard"]))
    return [f"{RES}/avalanche/L{int(AV['L'])}/shard{s:04d}.parquet" for s in range(n)]


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
    script:
        "../../scripts/avalanche_aggregate.py"


CLAIM_TABLES["fig2_avalanche"] = f"{RES}/data/fig2_avalanche.parquet"
register_figure("fig2", "fig2")


def fig2_inputs(wildcards):
    """Left panel always; the right panel's table once a stage registers fig2_polarization
    (evaluated when the DAG is built, after every stage file was parsed)."""
    d = {"avalanche": f"{RES}/data/fig2_avalanche.parquet"}
    if "fig2_polarization" in CLAIM_TABLES:
        d["polarization"] = CLAIM_TABLES["fig2_polarization"]
    return d


rule plot_fig2:
    localrule: True
    input:
        unpack(fig2_inputs),
    output:
        pdf=f"{RES}/figures/fig2.pdf",
        png=f"{RES}/figures/fig2.png",
    params:
        h_x_main=AV["h_x_main"],
    log:
        f"{RES}/logs/figures/fig2.log",
    conda:
        ENV
    script:
        "../../scripts/plot_fig2.py"


rule fig2:
    localrule: True
    input:
        FIGURES["fig2"],
