# Stage "fields" (kasglass.stages.fields): the SFS shards' histograms summed, then the Fig. 1
# and Fig. S1 tables (extrapolation to L -> infinity, exponents, moments).


rule fields_aggregate:
    """The SFS shards' field histograms summed and summaries collected (Fig. 1 input)."""
    input:
        unpack(job_input("fields_aggregate")),
    output:
        **PLAN.output_patterns("fields_aggregate"),
    log:
        PLAN.log_pattern("fields_aggregate"),
    conda:
        ENV
    resources:
        mem_mb=job_mem_mb("fields_aggregate"),
        runtime=job_runtime("fields_aggregate"),
    params:
        job=job_params("fields_aggregate"),
        expect=job_expect("fields_aggregate"),
    script:
        JOB_SCRIPT


rule fields_tables:
    """Fig. 1 and Fig. S1 tables: densities, L -> infinity extrapolation, x(alpha), moments."""
    input:
        unpack(job_input("fields_tables")),
    output:
        **PLAN.output_patterns("fields_tables"),
    log:
        PLAN.log_pattern("fields_tables"),
    conda:
        ENV
    resources:
        mem_mb=job_mem_mb("fields_tables"),
        runtime=job_runtime("fields_tables"),
    params:
        job=job_params("fields_tables"),
        expect=job_expect("fields_tables"),
        provenance=job_provenance("fields_tables"),
    script:
        JOB_SCRIPT


rule fields_estimators:
    """Fig. S9 tables: the exponent x by four independent estimators (density, phi_min, n_res,
    drift) and their combination, against the bound 1/alpha - 1."""
    input:
        unpack(job_input("fields_estimators")),
    output:
        **PLAN.output_patterns("fields_estimators"),
    log:
        PLAN.log_pattern("fields_estimators"),
    conda:
        ENV
    resources:
        mem_mb=job_mem_mb("fields_estimators"),
        runtime=job_runtime("fields_estimators"),
    params:
        job=job_params("fields_estimators"),
        expect=job_expect("fields_estimators"),
        provenance=job_provenance("fields_estimators"),
    script:
        JOB_SCRIPT
