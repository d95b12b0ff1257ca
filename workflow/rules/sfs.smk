# Stage 2: SFS relaxation of every realization of a shard, for every alpha the preset needs at
# this L (common random numbers: one draw of J serves all alphas).


rule sfs:
    input:
        seeds=rules.disorder.output[0],
    output:
        hist=f"{RES}/sfs/L{{L}}/shard{{shard}}.hist.parquet",
        summary=f"{RES}/sfs/L{{L}}/shard{{shard}}.summary.parquet",
        states=f"{RES}/sfs/L{{L}}/shard{{shard}}.states.parquet",
    params:
        seed=SEED,
        lo=lambda w: int(w.shard) * shard_size(w.L),
        hi=lambda w: (int(w.shard) + 1) * shard_size(w.L),
        plan=lambda w: sfs_plan(w.L, w.shard),
        order=config["sfs"]["order"],
        distance=MODEL["distance"],
        pair_sum=MODEL["pair_sum"],
        hist=config["fields"]["hist"],
        n_blocks=config["fields"]["n_blocks"],
        h_x_res=config["fields"]["h_x_res"],
    resources:
        mem_mb=lambda w: sfs_mem_mb(w.L, w.shard),
        runtime=lambda w: 10 + int(shard_size(w.L) * int(w.L) ** 2 / 2e8),
    log:
        f"{RES}/logs/sfs/L{{L}}_shard{{shard}}.log",
    benchmark:
        f"{RES}/benchmarks/sfs/L{{L}}_shard{{shard}}.tsv"
    conda:
        ENV
    script:
        "../../scripts/sfs_shard.py"
