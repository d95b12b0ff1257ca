"""Snakemake adapter: per-state avalanche records of every shard -> fig2_avalanche.parquet."""

from kasglass.avalanche import aggregate
from kasglass.io import provenance, read_tables, setup_logging, write_table

sm = snakemake  # noqa: F821
log = setup_logging(sm.log[0])
p = sm.params
runs = read_tables(list(sm.input))
table = aggregate(runs)
write_table(
    table,
    sm.output[0],
    provenance(
        p.preset,
        p.seed,
        n_steps=int(p.n_steps),
        sfs_order=p.order,
        distance=p.distance,
        pair_sum=p.pair_sum,
    ),
)
log.info("fig2_avalanche: %d rows from %d per-state records", len(table), len(runs))
