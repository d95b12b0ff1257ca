# Stage "resonances": genuine two-spin-flip resonances (paper Eq. 6) in the SFS stage's stored
# SFS and random states, vs L (Fig. S2). One job per (L, shard of realizations) covers every
# alpha (one draw of J, shared) and both ensembles; the O(L^2) pair scan streams the flat pair
# vector (no L x L matrix).

RS = config["resonances"]

if len(RS["n_realizations"]) != len(RS["L"]):
    raise ValueError(
        "resonances.n_realizations must have one entry per resonances.L "
        f"({len(RS['L'])} sizes); got {len(RS['n_realizations'])}"
    )
for _L, _n in zip(RS["L"], RS["n_realizations"]):
    for _a in RS["alphas"]:
        demand_sfs_states(_L, _a, _n)


def resonances_n(L):
    return int(RS["n_realizations"][list(RS["L"]).index(int(L))])


def resonances_shard_size(L):
    """Realizations per job: realizations_per_shard_at_L1000 scaled as (1000/L)^2."""
    s = RS["realizations_per_shard_at_L1000"] * (1000.0 / int(L)) ** 2
    return max(1, int(round(s)))


def resonances_range(L, shard):
    lo = int(shard) * resonances_shard_size(L)
    return lo, min(lo + resonances_shard_size(L), resonances_n(L))


def resonances_shard_files():
    out = []
    for L in RS["L"]:
        n = math.ceil(resonances_n(L) / resonances_shard_size(L))
        out += [f"{RES}/resonances/L{int(L)}/shard{s:04d}.parquet" for s in range(n)]
    return out


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
    script:
        "../../scripts/resonances_aggregate.py"


CLAIM_TABLES["two_spin_resonances"] = f"{RES}/data/two_spin_resonances.parquet"
CLAIM_TABLES["two_spin_exponents"] = f"{RES}/data/two_spin_exponents.parquet"
register_figure("figS2", "figS2")


rule plot_figS2:
    localrule: True
    input:
        table=rules.resonances_aggregate.output.table,
        exponents=rules.resonances_aggregate.output.exponents,
    output:
        pdf=f"{RES}/figures/figS2.pdf",
        png=f"{RES}/figures/figS2.png",
    log:
        f"{RES}/logs/figures/figS2.log",
    conda:
        ENV
    script:
        "../../scripts/plot_figS2.py"


rule figS2:
    localrule: True
    input:
        FIGURES["figS2"],
