# kasglass: reproducible pipeline for Rademaker & Abanin, PRL 125, 260405 (2020).
#
#   snakemake --cores 2                                   # every figure, default (quick) preset
#   snakemake --cores 2 --configfile presets/tiny.yaml    # the tiny preset (tests, CI)
#   snakemake --cores 4 fig1                              # one figure and only what it needs
#
# Outputs live under results/<preset>/ (data/ for the figure tables, figures/ for PDF + PNG).

from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/disorder.smk"
include: "workflow/rules/sfs.smk"
include: "workflow/rules/fields.smk"
include: "workflow/rules/avalanche.smk"
include: "workflow/rules/resonances.smk"
include: "workflow/rules/ed.smk"
include: "workflow/rules/dynamics.smk"
include: "workflow/rules/figures.smk"


rule all:
    localrule: True
    default_target: True
    input:
        all_targets(),
