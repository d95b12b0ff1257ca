"""Snakemake adapter: quench shards -> figS4_quench.parquet and figS4_memory.parquet."""

from kasglass.dynamics import aggregate_quench
from kasglass.io import provenance, read_tables, setup_logging, write_table

sm = snakemake  # noqa: F821
log = setup_logging(sm.log[0])
p = sm.params
series = read_tables(list(sm.input.series))
spins = read_tables(list(sm.input.spins))
quench, memory = aggregate_quench(series, spins, int(p.q_bins))
prov = provenance(
    p.preset,
    p.seed,
    sfs_order=p.order,
    distance=p.distance,
    pair_sum=p.pair_sum,
    n_initial=int(p.n_initial),
    degenerate_tol=float(p.degenerate_tol),
)
write_table(quench, sm.output.quench, prov)
write_table(memory, sm.output.memory, prov)
log.info("figS4: %d series rows, %d histogram rows", len(quench), len(memory))
