# Functions and parse-time setup of avalanche.smk (kept apart so that the stage file
# holds only rules; see `snakemake --lint`).

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


CLAIM_TABLES["fig2_avalanche"] = f"{RES}/data/fig2_avalanche.parquet"
register_figure("fig2", "fig2")


def fig2_inputs(wildcards):
    """Left panel always; the right panel's table once a stage registers fig2_polarization
    (evaluated when the DAG is built, after every stage file was parsed)."""
    d = {"avalanche": f"{RES}/data/fig2_avalanche.parquet"}
    if "fig2_polarization" in CLAIM_TABLES:
        d["polarization"] = CLAIM_TABLES["fig2_polarization"]
    return d


