"""Snakemake adapter: avalanche runs of one shard of stored states -> per-state records."""

from kasglass.runtime import configure_threads

sm = snakemake  # noqa: F821
configure_threads(sm.threads)

from kasglass.avalanche import ENSEMBLE_CODES, run_shard  # noqa: E402
from kasglass.io import setup_logging, write_table  # noqa: E402
from kasglass.sfs import load_state_shard  # noqa: E402

log = setup_logging(sm.log[0])
L = int(sm.wildcards.L)
p = sm.params
lo, hi = int(p.lo), int(p.hi)
log.info(
    "L=%d shard %s: states [%d, %d), alphas %s, h_x %s, %d steps",
    L,
    sm.wildcards.shard,
    lo,
    hi,
    p.alphas,
    p.h_x,
    p.n_steps,
)
states = load_state_shard(
    list(sm.input.states), [float(a) for a in p.alphas], ENSEMBLE_CODES, lo, hi
)
df = run_shard(
    int(p.seed),
    L,
    states,
    [float(a) for a in p.alphas],
    [float(h) for h in p.h_x],
    int(p.n_steps),
    int(p.record_per_decade),
    distance=p.distance,
    pair_sum=p.pair_sum,
)
write_table(df, sm.output[0])
log.info("done: %d rows", len(df))
