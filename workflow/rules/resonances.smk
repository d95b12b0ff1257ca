# Stage "resonances" (kasglass.stages.resonances): genuine two-spin resonances in the stored
# states vs L (Fig. S2).


rule resonances:
    input:
        unpack(job_input("resonances")),
    output:
        **PLAN.output_patterns("resonances"),
    log:
        PLAN.log_pattern("resonances"),
    benchmark:
        PLAN.benchmark_pattern("resonances")
    conda:
        ENV
    resources:
        mem_mb=job_mem_mb("resonances"),
        runtime=job_runtime("resonances"),
    params:
        job=job_params("resonances"),
        expect=job_expect("resonances"),
    script:
        JOB_SCRIPT


rule resonances_aggregate:
    """Fig. S2 tables: genuine two-spin resonances vs L and fitted exponents."""
    input:
        unpack(job_input("resonances_aggregate")),
    output:
        **PLAN.output_patterns("resonances_aggregate"),
    log:
        PLAN.log_pattern("resonances_aggregate"),
    conda:
        ENV
    resources:
        mem_mb=job_mem_mb("resonances_aggregate"),
        runtime=job_runtime("resonances_aggregate"),
    params:
        job=job_params("resonances_aggregate"),
        expect=job_expect("resonances_aggregate"),
        provenance=job_provenance("resonances_aggregate"),
    script:
        JOB_SCRIPT
