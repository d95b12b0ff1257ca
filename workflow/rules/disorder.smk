# Stage 1: disorder realizations. A realization is (base seed, L, index); this rule writes the
# manifest of its seeds per shard (the couplings themselves are regenerated from the seed where
# they are needed: at L = 3000 one realization's J is 36 MB).


rule disorder:
    output:
        f"{RES}/disorder/L{{L}}/shard{{shard}}.parquet",
    params:
        seed=SEED,
        lo=lambda w: int(w.shard) * shard_size(w.L),
        hi=lambda w: (int(w.shard) + 1) * shard_size(w.L),
    log:
        f"{RES}/logs/disorder/L{{L}}_shard{{shard}}.log",
    conda:
        ENV
    script:
        "../../scripts/disorder.py"
