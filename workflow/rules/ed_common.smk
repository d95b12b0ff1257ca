# Functions and parse-time setup of ed.smk (kept apart so that the stage file
# holds only rules; see `snakemake --lint`).

ED = config["ed"]
FIG3 = ED["fig3"]
FSS = ED["fss"]


def _ed_checks():
    errs = []
    if len(FSS["n_realizations"]) != len(FSS["L"]):
        errs.append(
            f"ed.fss.n_realizations needs one entry per size in ed.fss.L ({len(FSS['L'])}); "
            f"got {len(FSS['n_realizations'])}"
        )
    if list(FSS["L"]) != sorted(FSS["L"]):
        errs.append(f"ed.fss.L must be increasing; got {FSS['L']}")
    for name, hx in (("fig3", FIG3["h_x"]), ("fss", FSS["h_x"])):
        if list(hx) != sorted(hx):
            errs.append(f"ed.{name}.h_x must be increasing; got {hx}")
    if int(FIG3["L"]) >= int(ED["shift_invert_min_L"]):
        errs.append(
            f"ed.fig3.L = {FIG3['L']} needs full spectra: it must be below "
            f"ed.shift_invert_min_L = {ED['shift_invert_min_L']}"
        )
    if errs:
        raise ValueError("invalid configuration:\n  " + "\n  ".join(errs))


_ed_checks()

ED_ALPHA = fmt_alpha(ED["alpha"])


def fmt_hx(h):
    """Canonical h_x string in paths: 0.100, 0.075, 0.0125 (3 or 4 decimals)."""
    s = f"{float(h):.3f}"
    return s if abs(float(s) - float(h)) < 1e-12 else f"{float(h):.4f}"


def ed_method(L):
    return "shift-invert" if int(L) >= int(ED["shift_invert_min_L"]) else "full"


def ed_shard_size(L):
    """Realizations per ED job: realizations_per_shard_at_L12 scaled as 8^(12 - L), at least 1."""
    s = float(ED["realizations_per_shard_at_L12"]) * 8.0 ** (12 - int(L))
    return max(1, int(round(min(s, 1e6))))


# (L, h_x string) -> realizations needed by any consumer (Fig. 3 and/or Fig. S3).
ED_DEMAND = {}
for _h in FIG3["h_x"]:
    _k = (int(FIG3["L"]), fmt_hx(_h))
    ED_DEMAND[_k] = max(ED_DEMAND.get(_k, 0), int(FIG3["n_realizations"]))
for _L, _n in zip(FSS["L"], FSS["n_realizations"]):
    for _h in FSS["h_x"]:
        _k = (int(_L), fmt_hx(_h))
        ED_DEMAND[_k] = max(ED_DEMAND.get(_k, 0), int(_n))


def ed_shard_bounds(L, hx, shard):
    """Realizations [lo, hi) of ED job ``shard`` at (L, h_x)."""
    lo = int(shard) * ed_shard_size(L)
    return lo, min(lo + ed_shard_size(L), ED_DEMAND[(int(L), hx)])


def ed_shard_n(L, hx, shard):
    """Realizations actually in ED job ``shard`` (for its resource requests)."""
    lo, hi = ed_shard_bounds(L, hx, shard)
    return max(1, hi - lo)


def ed_files(L, hxs, n):
    """Shard files holding realizations 0..n-1 at size L for every h_x in ``hxs``."""
    out = []
    for h in hxs:
        hx = fmt_hx(h)
        for s in range(math.ceil(int(n) / ed_shard_size(L))):
            out.append(f"{RES}/ed/L{int(L)}/alpha{ED_ALPHA}/hx{hx}/shard{s:04d}.parquet")
    return out


def _ed_seconds(L):
    """Rough single-core seconds per realization and h_x: dsyevd ~2 s per sector at L = 12;
    shift-invert ~25 s per (sector, target) at L = 14 (SuperLU + ARPACK), x2.5 per spin."""
    L = int(L)
    if ed_method(L) == "full":
        return 0.1 + 4.0 * 8.0 ** (L - 12)
    return 2 * len(FSS["eps_targets"]) * 25.0 * 2.5 ** (L - 14)


def _ed_mem_mb(L):
    """Dense: two sector matrices plus workspace. Shift-invert: the LU factors (measured 1.8e7
    nonzeros at L = 14 and 8e7 at L = 15, 12 bytes each), x1.5 margin."""
    L = int(L)
    if ed_method(L) == "full":
        return 300 + int(4 * 8 * 4 ** (L - 1) / 1e6)
    return 600 + int(1.5 * 12 * 1.8e7 * 4.5 ** (L - 14) / 1e6)


wildcard_constraints:
    hx=r"\d+\.\d{3,4}",


CLAIM_TABLES.update(
    {
        "fig3_phase_diagram": f"{RES}/data/fig3_phase_diagram.parquet",
        "fig3_realizations": f"{RES}/data/fig3_realizations.parquet",
        "figS3_fss": f"{RES}/data/figS3_fss.parquet",
    }
)

register_figure("fig3", "fig3")
register_figure("figS3", "figS3")


