"""Snakemake adapter: ED of one shard of realizations at (L, alpha, h_x) -> partial sums Parquet."""

from kasglass.runtime import configure_threads

sm = snakemake  # noqa: F821
configure_threads(sm.threads)

from kasglass.ed.sweep import run_shard  # noqa: E402
from kasglass.io import setup_logging, write_table  # noqa: E402

log = setup_logging(sm.log[0])
p = sm.params
L = int(sm.wildcards.L)
log.info(
    "L=%d alpha=%s h_x=%s (%s): realizations [%d, %d)", L, p.alpha, p.h_x, p.method, p.lo, p.hi
)
out = run_shard(
    p.seed,
    L,
    p.alpha,
    p.h_x,
    range(p.lo, p.hi),
    n_eps_bins=p.n_eps_bins,
    eps_targets=list(p.eps_targets),
    n_eigs=p.n_eigs,
    max_fraction=p.max_fraction,
    method=p.method,
    distance=p.distance,
    pair_sum=p.pair_sum,
)
write_table(out, sm.output[0])
log.info("done: %d rows", len(out))
