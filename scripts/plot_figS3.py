"""Fig. S3: finite-size scaling of r and m_EA vs h_x in windows at the spectrum middle and edges."""

import numpy as np

from kasglass.ed.spectra import R_GOE, R_POISSON
from kasglass.io import read_table, setup_logging
from kasglass.plotting import footer, save, use_style

sm = snakemake  # noqa: F821
setup_logging(sm.log[0])
import matplotlib.pyplot as plt  # noqa: E402

use_style()
t = read_table(sm.input.table)
alpha = float(t["alpha"].iloc[0])
targets = np.sort(t["eps_target"].unique())
Ls = sorted(t["L"].unique())
cmap = plt.get_cmap("viridis")
fig, axes = plt.subplots(
    2, len(targets), figsize=(3.7 * len(targets), 6.6), sharex=True, sharey="row", squeeze=False
)
for j, e in enumerate(targets):
    for k, L in enumerate(Ls):
        d = t[(t["L"] == L) & np.isclose(t["eps_target"], e)].sort_values("h_x")
        if d.empty:
            continue
        col = cmap(k / max(len(Ls) - 1, 1))
        si = " SI" if (d["method"] == "shift-invert").all() else ""
        lab = f"L = {int(L)}{si} ({int(d['n_realizations'].iloc[0])} real.)"
        axes[0, j].errorbar(
            d["h_x"], d["r_mean"], d["r_err"], fmt="o-", color=col, ms=3, lw=1, label=lab
        )
        axes[1, j].errorbar(d["h_x"], d["m_ea"], d["m_ea_err"], fmt="o-", color=col, ms=3, lw=1)
        axes[1, j].axhline(1.0 / L, color=col, ls=":", lw=0.8)
    axes[0, j].axhline(R_POISSON, color="k", ls="--", lw=0.8)
    axes[0, j].axhline(R_GOE, color="C3", ls="--", lw=0.8)
    tr = axes[0, j].get_yaxis_transform()  # x in axes fraction, y in data
    axes[0, j].text(0.02, R_POISSON, "Poisson", va="bottom", fontsize=7, transform=tr)
    axes[0, j].text(0.02, R_GOE, "GOE", va="bottom", fontsize=7, color="C3", transform=tr)
    axes[0, j].set_title(rf"window at $\varepsilon \approx {e:g}$")
    axes[1, j].set_xlabel(r"transverse field $h_x$")
    axes[1, j].set_xscale("log")
axes[0, 0].set_ylabel(r"$\langle r\rangle$")
axes[1, 0].set_ylabel(r"$m_{EA}$ (dotted: ergodic $1/L$)")
axes[1, 0].set_ylim(0, 1.02)
axes[1, 0].legend(*axes[0, 0].get_legend_handles_labels(), loc="upper right", fontsize=7)
fig.suptitle(rf"Finite-size scaling of the ED diagnostics, $\alpha = {alpha:g}$", y=1.0)
prov = t.iloc[0]
footer(
    fig,
    (
        f"Per parity sector the {int(prov['n_eigs'])} levels nearest to each target energy "
        f"(at most {prov['max_fraction']:g} of a sector); "
        f"L ≥ {int(prov['shift_invert_min_L'])}: shift-invert (SI, sparse LU), else full "
        f"diagonalization; distance {prov['distance']}, pair sum "
        f"{prov['pair_sum']}. Table: figS3_fss.parquet"
    ),
)
save(fig, [sm.output.pdf, sm.output.png])
