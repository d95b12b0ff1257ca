# Stage "ed" (kasglass.stages.ed): exact diagonalization in the two parity sectors; Fig. 3 and
# Fig. S3 tables from the shards' per-realization partial sums.


rule ed:
    output:
        **PLAN.output_patterns("ed"),
    log:
        PLAN.log_pattern("ed"),
    benchmark:
        PLAN.benchmark_pattern("ed")
    conda:
        ENV
    resources:
        mem_mb=job_mem_mb("ed"),
        runtime=job_runtime("ed"),
    params:
        job=job_params("ed"),
    script:
        JOB_SCRIPT


rule ed_fig3:
    """Fig. 3 tables: ED phase diagram over (eps bin, h_x) and its per-realization sums."""
    input:
        unpack(job_input("ed_fig3")),
    output:
        **PLAN.output_patterns("ed_fig3"),
    log:
        PLAN.log_pattern("ed_fig3"),
    conda:
        ENV
    resources:
        mem_mb=job_mem_mb("ed_fig3"),
        runtime=job_runtime("ed_fig3"),
    params:
        job=job_params("ed_fig3"),
        expect=job_expect("ed_fig3"),
        provenance=job_provenance("ed_fig3"),
    script:
        JOB_SCRIPT


rule ed_figS3:
    """Fig. S3 table: ED diagnostics in windows at the spectrum middle and edges, vs L."""
    input:
        unpack(job_input("ed_figS3")),
    output:
        **PLAN.output_patterns("ed_figS3"),
    log:
        PLAN.log_pattern("ed_figS3"),
    conda:
        ENV
    resources:
        mem_mb=job_mem_mb("ed_figS3"),
        runtime=job_runtime("ed_figS3"),
    params:
        job=job_params("ed_figS3"),
        expect=job_expect("ed_figS3"),
        provenance=job_provenance("ed_figS3"),
    script:
        JOB_SCRIPT
