"""Snakemake adapter: stored SFS states of one shard -> P(n, L_R) per realization (Fig. 2 right)."""

from kasglass.runtime import configure_threads

sm = snakemake  # noqa: F821
configure_threads(sm.threads)

from kasglass.dynamics import polarization_shard  # noqa: E402
from kasglass.io import setup_logging, write_table  # noqa: E402
from kasglass.sfs import load_states  # noqa: E402

log = setup_logging(sm.log[0])
p = sm.params
L = int(sm.wildcards.L)
log.info("L=%d alpha=%g h_x=%g: states [%d, %d), L_R=%s", L, p.alpha, p.h_x, p.lo, p.hi, p.L_R)
reals, Z = load_states(list(sm.input.states), p.alpha, "sfs", p.hi)
sel = reals >= p.lo
df = polarization_shard(
    p.seed,
    L,
    reals[sel],
    Z[sel],
    p.alpha,
    p.h_x,
    list(p.L_R),
    int(p.n_spins),
    distance=p.distance,
    pair_sum=p.pair_sum,
    tol=float(p.degenerate_tol),
    chebyshev_from=p.chebyshev_from,
    t_avg=float(p.t_avg),
)
write_table(df, sm.output[0])
log.info("done: %d rows", len(df))
