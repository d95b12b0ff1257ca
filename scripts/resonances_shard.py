"""Snakemake adapter: two-spin resonance counts of one shard of stored states (Parquet)."""

from kasglass.runtime import configure_threads

sm = snakemake  # noqa: F821
configure_threads(sm.threads)

from kasglass.io import setup_logging, write_table  # noqa: E402
from kasglass.resonances import ENSEMBLES, shard_counts  # noqa: E402
from kasglass.sfs import load_state_shard  # noqa: E402

log = setup_logging(sm.log[0])
L = int(sm.wildcards.L)
p = sm.params
lo, hi = int(p.lo), int(p.hi)
log.info(
    "L=%d shard %s: realizations [%d, %d), alphas %s, h_x %s, c = %g",
    L,
    sm.wildcards.shard,
    lo,
    hi,
    p.alphas,
    p.h_x,
    p.prefactor,
)
states = load_state_shard(list(sm.input.states), [float(a) for a in p.alphas], ENSEMBLES, lo, hi)
df = shard_counts(
    int(p.seed),
    L,
    states,
    [float(a) for a in p.alphas],
    [float(h) for h in p.h_x],
    float(p.prefactor),
    distance=p.distance,
    pair_sum=p.pair_sum,
)
write_table(df, sm.output[0])
log.info("done: %d rows", len(df))
