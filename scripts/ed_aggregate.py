"""Snakemake adapter: ED shards -> fig3_phase_diagram.parquet (eps bins) and its per-realization
sums fig3_realizations.parquet, or figS3_fss.parquet (target windows), using the first n
realizations per L (shard-invariant sums)."""

from kasglass.ed.sweep import figure_table, realization_table
from kasglass.io import provenance, read_tables, setup_logging, write_table

sm = snakemake  # noqa: F821
log = setup_logging(sm.log[0])
p = sm.params
parts = read_tables(sm.input)
n_real = {int(k): int(v) for k, v in p.n_realizations.items()}
table = figure_table(parts, p.table, n_real, p.h_x)
knobs = {k: v for k, v in dict(p.items()).items() if k not in ("preset", "seed", "table",
                                                                "n_realizations", "h_x")}
prov = provenance(p.preset, p.seed, **knobs)
write_table(table, sm.output[0], prov)
if "realizations" in sm.output.keys():
    write_table(realization_table(parts, n_real, p.h_x), sm.output.realizations, prov)
log.info("%s: %d shard files -> %d rows", p.table, len(sm.input), len(table))
