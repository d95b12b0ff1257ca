"""Fig. S7 (beyond the paper): eigenstate entanglement of the ED sweep. (a) half-ring entropy over
(eps, h_x) at the Fig. 3 size, as a fraction of the random-state value, for the parity eigenstates
and the pinned states (cat contribution removed); (b) pair mutual information of the pinned
states against ring distance, in the middle and at the edges of the spectrum; (c) finite-size
scaling of the pinned half-ring entropy in the target windows (middle and edges)."""

import textwrap

import numpy as np

from kasglass.io import read_table, setup_logging
from kasglass.plotting import footer, save, use_style

sm = snakemake  # noqa: F821
log = setup_logging(sm.log[0])
import matplotlib.pyplot as plt  # noqa: E402

use_style()
t = read_table(sm.input.fig3)
fss = read_table(sm.input.fss)
L = int(t["L"].iloc[0])
alpha = float(t["alpha"].iloc[0])
hx = np.sort(t["h_x"].unique())
cmap = plt.get_cmap("viridis")
col = {h: cmap(0.9 * i / max(len(hx) - 1, 1)) for i, h in enumerate(hx)}
t["eps_mid"] = 0.5 * (t["eps_lo"] + t["eps_hi"])

fig, (ax, axm, axf) = plt.subplots(1, 3, figsize=(15.5, 4.7))
for h in hx:
    d = t[t["h_x"] == h].sort_values("eps_mid")
    ax.errorbar(
        d["eps_mid"],
        d["s_half"] / d["s_half_random"],
        yerr=d["s_half_err"] / d["s_half_random"],
        color=col[h],
        marker="o",
        ms=3,
        lw=1,
        label=rf"$h_x = {h:g}$",
    )
    ax.errorbar(
        d["eps_mid"],
        d["s_half_pinned"] / d["s_half_pinned_random"],
        yerr=d["s_half_pinned_err"] / d["s_half_pinned_random"],
        color=col[h],
        marker="s",
        mfc="none",
        ms=3,
        lw=0.9,
        ls="--",
    )
ax.axhline(1.0, color="0.3", lw=0.8, ls=":")
ax.set_xlabel(
    r"energy density $\varepsilon = (E - E_\mathrm{min})/(E_\mathrm{max} - E_\mathrm{min})$"
)
ax.set_ylabel(r"$S_{L/2} / S_\mathrm{random}$")
ax.set_title(rf"(a) half-ring entropy, $L = {L}$ (solid: eigenstate, dashed: pinned)")
ax.set_ylim(bottom=0)
ax.legend(fontsize=7, loc="upper left", ncol=2)

dist = [r for r in range(1, 8) if f"mi_pinned_d{r}" in t.columns and r <= L // 2]
mids = sorted(t["eps_mid"].unique())
pick = {"edge (low)": mids[0], "middle": min(mids, key=lambda e: abs(e - 0.5))}
ls = {"edge (low)": "--", "middle": "-"}
for h in hx[:: max(1, len(hx) // 3)]:
    for name, e in pick.items():
        d = t[(t["h_x"] == h) & np.isclose(t["eps_mid"], e)].iloc[0]
        y = np.array([d[f"mi_pinned_d{r}"] for r in dist])
        ye = np.array([d[f"mi_pinned_d{r}_err"] for r in dist])
        axm.errorbar(dist, y, yerr=ye, color=col[h], ls=ls[name], marker="o", ms=3, lw=1)
for name in pick:
    axm.plot(
        [], [], color="0.3", ls=ls[name], label=rf"{name}, $\varepsilon \approx {pick[name]:.2f}$"
    )
for h in hx[:: max(1, len(hx) // 3)]:
    axm.plot([], [], color=col[h], lw=2, label=rf"$h_x = {h:g}$")
axm.set_ylim(bottom=0)
axm.set_xlabel(r"ring distance $|i - j|$")
axm.set_ylabel(r"$I(i{:}j)$ of the pinned states (nats)")
axm.set_title(rf"(b) pair mutual information, $L = {L}$")
axm.legend(fontsize=7, loc="best")

Ls = sorted(fss["L"].unique())
mk = {e: m for e, m in zip(sorted(fss["eps_target"].unique()), ("v", "o", "^"), strict=False)}
lcol = {Lx: plt.get_cmap("plasma")(0.8 * i / max(len(Ls) - 1, 1)) for i, Lx in enumerate(Ls)}
for Lx in Ls:
    for e in sorted(fss["eps_target"].unique()):
        d = fss[(fss["L"] == Lx) & (fss["eps_target"] == e)].sort_values("h_x")
        axf.errorbar(
            d["h_x"],
            d["s_half_pinned"] / d["s_half_pinned_random"],
            yerr=d["s_half_pinned_err"] / d["s_half_pinned_random"],
            color=lcol[Lx],
            marker=mk.get(e, "o"),
            ms=4,
            lw=1,
            ls="-" if abs(e - 0.5) < 0.1 else ":",
        )
for Lx in Ls:
    axf.plot([], [], color=lcol[Lx], lw=2, label=f"L = {Lx}")
for e, m in mk.items():
    axf.plot([], [], color="0.3", marker=m, ls="none", label=rf"$\varepsilon = {e:g}$")
axf.axhline(1.0, color="0.3", lw=0.8, ls=":")
axf.set_xscale("log")
axf.set_ylim(bottom=0)
axf.set_xlabel(r"transverse field $h_x$")
axf.set_ylabel(r"$S^\mathrm{pinned}_{L/2} / S_\mathrm{random}$")
axf.set_title("(c) finite-size scaling, pinned half-ring entropy")
axf.legend(fontsize=7, loc="upper left", ncol=2)

n_real = int(t["n_realizations"].max())
stride = int(t["entanglement_stride"].iloc[0]) if "entanglement_stride" in t.columns else 1
mid = t[np.isclose(t["eps_mid"], pick["middle"])].set_index("h_x")
edge = t[np.isclose(t["eps_mid"], pick["edge (low)"])].set_index("h_x")
hmax = hx[-1]
rm = mid.loc[hmax, "s_half_pinned"] / mid.loc[hmax, "s_half_pinned_random"]
re_ = edge.loc[hmax, "s_half_pinned"] / edge.loc[hmax, "s_half_pinned_random"]
verdict = (
    "This supports Fig. 3's reading (thermal middle, less entangled edges)."
    if rm > 0.8 and re_ < 0.6 * rm
    else "This does not show Fig. 3's reading (thermal middle, less entangled edges) at the "
    "largest h_x (thresholds: middle > 0.8, edge < 0.6 x middle)."
)
reading = (
    f"At h_x = {hmax:g} the middle of the spectrum has S_pinned/S_random = "
    f"{mid.loc[hmax, 's_half_pinned'] / mid.loc[hmax, 's_half_pinned_random']:.2f}, the low edge "
    f"{edge.loc[hmax, 's_half_pinned'] / edge.loc[hmax, 's_half_pinned_random']:.2f}; at h_x = "
    f"{hx[0]:g}: {mid.loc[hx[0], 's_half_pinned'] / mid.loc[hx[0], 's_half_pinned_random']:.2f} "
    f"and {edge.loc[hx[0], 's_half_pinned'] / edge.loc[hx[0], 's_half_pinned_random']:.2f}."
)
footer(
    fig,
    textwrap.fill(
        f"alpha = {alpha:g}, {n_real} realizations at L = {L}, both parity sectors. Half-ring cut "
        "A = sites 0..L/2-1 (two boundaries on the ring), natural log. Pinned state: the "
        "eigenstate projected on Z_{L-1} = +1 (removes the cat state's ln 2; S_pinned <= S <= "
        "S_pinned + ln 2). S_random: mean over random real states of the same space (parity "
        "sector, resp. L-1 free spins); the complex Page value is in the tables. Mutual "
        f"information and pinned entropies on the {stride} lowest and highest eigenstates of each "
        f"sector and every {stride}th in between. {reading} {verdict} "
        "Errors: "
        "cluster standard errors over realizations.",
        250,
    ),
)
save(fig, [sm.output.pdf, sm.output.png])
log.info("figS7 drawn")
