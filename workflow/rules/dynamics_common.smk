# Parameters, checks and shard plans of the dynamics stage (included by dynamics.smk).

DYN = config["dynamics"]
POL = DYN["polarization"]
QU = DYN["quench"]


def _dyn_checks():
    errs = []
    for sec, c in (("polarization", POL), ("quench", QU)):
        if len(c["n_realizations"]) != len(c["L"]):
            errs.append(
                f"dynamics.{sec}.n_realizations needs one entry per size in dynamics.{sec}.L "
                f"({len(c['L'])}); got {len(c['n_realizations'])}"
            )
        if list(c["L"]) != sorted(c["L"]):
            errs.append(f"dynamics.{sec}.L must be increasing; got {c['L']}")
    if min(POL["L_R"]) < POL["n_spins"]:
        errs.append(
            f"every dynamics.polarization.L_R must be >= n_spins = {POL['n_spins']}; got {POL['L_R']}"
        )
    if max(POL["L_R"]) > min(POL["L"]):
        errs.append(
            f"dynamics.polarization.L_R (max {max(POL['L_R'])}) cannot exceed the smallest L "
            f"({min(POL['L'])})"
        )
    if not any(abs(float(h) - float(QU["h_x_distribution"])) < 1e-12 for h in QU["h_x"]):
        errs.append(
            f"dynamics.quench.h_x_distribution = {QU['h_x_distribution']} must be one of "
            f"dynamics.quench.h_x = {QU['h_x']}"
        )
    if not QU["t_min"] < QU["t_max"]:
        errs.append(f"dynamics.quench.t_min must be below t_max; got {QU['t_min']}, {QU['t_max']}")
    if errs:
        raise ValueError("invalid configuration:\n  " + "\n  ".join(errs))


_dyn_checks()

DYN_ALPHA = fmt_alpha(DYN["alpha"])
POL_HX = f"{float(POL['h_x']):.3f}"
POL_N = dict(zip(map(int, POL["L"]), map(int, POL["n_realizations"])))
QU_N = dict(zip(map(int, QU["L"]), map(int, QU["n_realizations"])))

for _L, _n in POL_N.items():
    demand_sfs_states(_L, DYN["alpha"], _n)


def pol_range(L, shard):
    """Stored-state indices [lo, hi) of polarization shard ``shard`` at size L."""
    lo = int(shard) * int(POL["realizations_per_job"])
    return lo, min(lo + int(POL["realizations_per_job"]), POL_N[int(L)])


def pol_shard_files():
    out = []
    for L, n in POL_N.items():
        for s in range(math.ceil(n / int(POL["realizations_per_job"]))):
            out.append(
                f"{RES}/dynamics/polarization/alpha{DYN_ALPHA}_hx{POL_HX}/L{L}/shard{s:04d}.parquet"
            )
    return out


def qu_range(L, shard):
    lo = int(shard) * int(QU["realizations_per_job"])
    return lo, min(lo + int(QU["realizations_per_job"]), QU_N[int(L)])


def qu_shard_files(kind):
    out = []
    for L, n in QU_N.items():
        for s in range(math.ceil(n / int(QU["realizations_per_job"]))):
            out.append(f"{RES}/dynamics/quench/alpha{DYN_ALPHA}/L{L}/shard{s:04d}.{kind}.parquet")
    return out


def _eigh_seconds(dim):
    """Rough single-core cost of a dense eigh with eigenvectors (measured ~15 s at dim 4096)."""
    return 2.2e-10 * float(dim) ** 3


def _pol_seconds(l):
    """Rough single-core cost of one (state, L_R) point: dense ED, or the Chebyshev route."""
    cf = POL["chebyshev_from_L_R"]
    if cf is not None and l >= cf:
        return 3e-4 * 2**l * l * POL["chebyshev_t_avg"] / 1e4
    return _eigh_seconds(2**l)


def _pol_dense_max():
    cf = POL["chebyshev_from_L_R"]
    dense = [l for l in POL["L_R"] if cf is None or l < cf]
    return max(dense + [1])
