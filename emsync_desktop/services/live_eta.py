"""The receiving desk's arrival time, recomputed from the ambulance's reported position with the same routing
chain the crews use (online service with a key, else the imported road data, else a labelled straight-line
estimate). Any thread but the GUI's: routing may read tiles or call the network."""

from __future__ import annotations

from emsync_desktop.domain.positions import LiveEta
from emsync_desktop.geo.routing import FallbackRouter
from emsync_desktop.services.ward import AmbulanceFix


def live_eta(router: FallbackRouter, fix: AmbulanceFix) -> LiveEta:
    [eta] = router.etas(fix.point, [fix.destination]).etas
    return LiveEta(eta_s=eta.eta_s, position_at=fix.at, source_label=eta.source.label)
