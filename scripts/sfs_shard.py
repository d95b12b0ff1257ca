"""Snakemake adapter: SFS relaxation of one shard -> hist / summary / states Parquet files."""

from kasglass.runtime import configure_threads

sm = snakemake  # noqa: F821
configure_threads(sm.threads)

from kasglass.fields import run_shard  # noqa: E402
from kasglass.io import read_columns, setup_logging, write_table  # noqa: E402

log = setup_logging(sm.log[0])
L = int(sm.wildcards.L)
p = sm.params
log.info("L=%d shard %s: realizations [%d, %d), plan %s", L, sm.wildcards.shard, p.lo, p.hi, p.plan)
out = run_shard(
    p.seed,
    L,
    p.lo,
    p.hi,
    list(p.plan),
    order=p.order,
    distance=p.distance,
    pair_sum=p.pair_sum,
    phi_min=p.hist["phi_min"],
    phi_max=p.hist["phi_max"],
    bins_per_decade=p.hist["bins_per_decade"],
    n_blocks=p.n_blocks,
    h_x_res=tuple(p.h_x_res),
    seeds=read_columns(sm.input.seeds, ["realization", "seed_couplings", "seed_initial"]),
)
for key in ("hist", "summary", "states"):
    write_table(out[key], sm.output[key])
log.info("done: %d summary rows, %d stored states", len(out["summary"]), len(out["states"]))
