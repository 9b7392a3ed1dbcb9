"""Par levels: how many units of each component and group a hospital blood bank keeps (issue 24).

A starting point for a mid-sized hospital, not a standard: each blood bank sets its own from its usage (the
usual rule of thumb is a few days' average use per group; the RhD-positive groups follow the population's mix,
roughly O 37 %, B 32 %, A 22 %, AB 7 % in India, and RhD negative is about 5 %). O negative is kept higher than its
share: it is what goes to women of childbearing age before their group is known. Plasma is kept in AB (the
universal plasma) and in the common groups; platelets as pools."""

from __future__ import annotations

from emsync_desktop.domain.blood import Abo, BloodGroup, Component

_RED_CELLS = {(Abo.O, True): 20, (Abo.B, True): 16, (Abo.A, True): 12, (Abo.AB, True): 4,
              (Abo.O, False): 10, (Abo.B, False): 2, (Abo.A, False): 2, (Abo.AB, False): 1}
_PLASMA = {(Abo.AB, True): 6, (Abo.AB, False): 2, (Abo.O, True): 6, (Abo.B, True): 6, (Abo.A, True): 4}
_PLATELETS = {(Abo.O, True): 2, (Abo.B, True): 2, (Abo.A, True): 1}

DEFAULT_PAR: dict[tuple[Component, BloodGroup], int] = {
    **{(Component.RED_CELLS, BloodGroup(abo, rhd)): n for (abo, rhd), n in _RED_CELLS.items()},
    **{(Component.PLASMA, BloodGroup(abo, rhd)): n for (abo, rhd), n in _PLASMA.items()},
    **{(Component.PLATELETS, BloodGroup(abo, rhd)): n for (abo, rhd), n in _PLATELETS.items()},
}


Par = dict[tuple[Component, BloodGroup], int]


def par_from_lines(lines: list[dict[str, object]]) -> Par:
    """Par levels from their wire form (``{"component", "abo", "rhd_positive", "par"}`` each)."""
    return {(Component(str(line["component"])), BloodGroup(Abo(str(line["abo"])), bool(line["rhd_positive"]))):
            int(str(line["par"])) for line in lines}


def par_to_lines(par: Par) -> list[dict[str, object]]:
    return [{"component": c.value, "abo": g.abo.value, "rhd_positive": g.rhd_positive, "par": n}
            for (c, g), n in sorted(par.items(), key=lambda item: (list(Component).index(item[0][0]),
                                                                   list(Abo).index(item[0][1].abo),
                                                                   not item[0][1].rhd_positive))]

