"""Snakemake adapter: per-realization P(n, L_R) of every shard -> fig2_polarization.parquet,
plus the measured cost per (L, L_R) point."""

from kasglass.dynamics import aggregate_polarization
from kasglass.io import provenance, read_tables, setup_logging, write_table

sm = snakemake  # noqa: F821
log = setup_logging(sm.log[0])
p = sm.params
rows = read_tables(list(sm.input))
table = aggregate_polarization(rows, p.extrapolation, tuple(p.alternatives))
prov = provenance(
    p.preset,
    p.seed,
    sfs_order=p.order,
    distance=p.distance,
    pair_sum=p.pair_sum,
    degenerate_tol=float(p.degenerate_tol),
    # L_R >= chebyshev_from: time average over [0, chebyshev_t_avg] instead of the diagonal ensemble
    chebyshev_from_L_R=-1 if p.chebyshev_from is None else int(p.chebyshev_from),
    chebyshev_t_avg=float(p.t_avg),
)
write_table(table, sm.output.table, prov)
cost = (
    rows.drop_duplicates(["L", "realization", "L_R"])
    .groupby(["L", "L_R"], sort=True)["seconds"]
    .agg(seconds_mean="mean", seconds_max="max", n_realizations="count")
    .reset_index()
)
write_table(cost, sm.output.cost, prov)
log.info("fig2_polarization: %d rows from %d per-realization rows", len(table), len(rows))
for _, r in cost.iterrows():
    log.info(
        "cost L=%d L_R=%d: %.3g s per state (max %.3g s)",
        r["L"],
        r["L_R"],
        r["seconds_mean"],
        r["seconds_max"],
    )
