"""Snakemake adapter: per-realization two-spin counts -> two_spin_resonances, _exponents."""

from kasglass.io import provenance, read_tables, setup_logging, write_table
from kasglass.resonances import aggregate, exponents

sm = snakemake  # noqa: F821
log = setup_logging(sm.log[0])
p = sm.params
counts = read_tables(list(sm.input))
table = aggregate(counts)
prov = provenance(
    p.preset,
    p.seed,
    two_spin_prefactor=float(p.prefactor),
    sfs_order=p.order,
    distance=p.distance,
    pair_sum=p.pair_sum,
)
write_table(table, sm.output.table, prov)
ex = exponents(table)
write_table(ex, sm.output.exponents, prov)
for _, r in ex.iterrows():
    log.info(
        "alpha=%g %s h_x=%g: exponent %.3f +- %.3f (reference %.2f, %d points)",
        r["alpha"],
        r["ensemble"],
        r["h_x"],
        r["exponent"],
        r["exponent_err"],
        r["reference"],
        r["n_points"],
    )
