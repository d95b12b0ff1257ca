# Functions and parse-time setup of resonances.smk (kept apart so that the stage file
# holds only rules; see `snakemake --lint`).

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


CLAIM_TABLES["two_spin_resonances"] = f"{RES}/data/two_spin_resonances.parquet"
CLAIM_TABLES["two_spin_exponents"] = f"{RES}/data/two_spin_exponents.parquet"
register_figure("figS2", "figS2")


