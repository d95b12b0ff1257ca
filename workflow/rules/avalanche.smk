# Stage "avalanche" (kasglass.stages.avalanche): resonance avalanches from the stored SFS and
# random states (Fig. 2 left).


rule avalanche:
    input:
        unpack(job_input("avalanche")),
    output:
        **PLAN.output_patterns("avalanche"),
    log:
        PLAN.log_pattern("avalanche"),
    benchmark:
        PLAN.benchmark_pattern("avalanche")
    conda:
        ENV
    resources:
        mem_mb=job_mem_mb("avalanche"),
        runtime=job_runtime("avalanche"),
    params:
        job=job_params("avalanche"),
        expect=job_expect("avalanche"),
    script:
        JOB_SCRIPT


rule avalanche_aggregate:
    """Fig. 2 left table: resonance avalanches averaged over initial states."""
    input:
        unpack(job_input("avalanche_aggregate")),
    output:
        **PLAN.output_patterns("avalanche_aggregate"),
    log:
        PLAN.log_pattern("avalanche_aggregate"),
    conda:
        ENV
    resources:
        mem_mb=job_mem_mb("avalanche_aggregate"),
        runtime=job_runtime("avalanche_aggregate"),
    params:
        job=job_params("avalanche_aggregate"),
        expect=job_expect("avalanche_aggregate"),
        provenance=job_provenance("avalanche_aggregate"),
    script:
        JOB_SCRIPT
