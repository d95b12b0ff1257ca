"""Snakemake adapter for every job of every stage: the plan's parameters and files in, the
stage's tables out (kasglass.stages.run_job). Nothing here knows any physics."""

from kasglass.stages import run_job

run_job(snakemake)  # noqa: F821
