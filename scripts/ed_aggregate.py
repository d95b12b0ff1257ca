"""Snakemake adapter: ED shards -> fig3_phase_diagram.parquet (eps bins) or figS3_fss.parquet
(target windows), using the first n realizations per L (shard-invariant sums)."""

from kasglass.ed.sweep import figure_table
from kasglass.io import provenance, read_tables, setup_logging, write_table

sm = snakemake  # noqa: F821
log = setup_logging(sm.log[0])
p = sm.params
parts = read_tables(sm.input)
table = figure_table(parts, p.table, {int(k): int(v) for k, v in p.n_realizations.items()}, p.h_x)
knobs = {k: v for k, v in dict(p.items()).items() if k not in ("preset", "seed", "table",
                                                                "n_realizations", "h_x")}
write_table(table, sm.output[0], provenance(p.preset, p.seed, **knobs))
log.info("%s: %d shard files -> %d rows", p.table, len(sm.input), len(table))
