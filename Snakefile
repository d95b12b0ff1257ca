# kasglass: reproducible pipeline for Rademaker & Abanin, PRL 125, 260405 (2020).
#
#   snakemake --cores 2                                   # every figure, default (quick) preset
#   snakemake --cores 2 --configfile presets/tiny.yaml    # the tiny preset (tests, CI)
#   snakemake --cores 4 fig1                              # one figure and only what it needs
#
# Outputs live under results/<preset>/ (data/ for the figure tables, figures/ for PDF + PNG).
# The jobs, their parameters and resources are planned by kasglass.stages (docs/architecture.md).

from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"


# Labels are readable path components (never parsed); figures are the plan's.
wildcard_constraints:
    label=r"[A-Za-z0-9_.+-]+(?:/[A-Za-z0-9_.+-]+)*",
    figure="|".join(PLAN.figures),


include: "workflow/rules/sfs.smk"
include: "workflow/rules/fields.smk"
include: "workflow/rules/protocols.smk"
include: "workflow/rules/avalanche.smk"
include: "workflow/rules/twoflip.smk"
include: "workflow/rules/resonances.smk"
include: "workflow/rules/ed.smk"
include: "workflow/rules/dynamics.smk"
include: "workflow/rules/figures.smk"


localrules:
    all,
    avalanche_aggregate,
    claims,
    ed_fig3,
    ed_figS3,
    polarization_aggregate,
    quench_aggregate,
    resonances_aggregate,
    twoflip_aggregate,


rule all:
    """Every figure and the scorecard (the default target)."""
    default_target: True
    input:
        PLAN.targets(),
