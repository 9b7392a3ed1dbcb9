"""The map page: folium builds it, Leaflet and its plugins load from local files, never a CDN.

Basemap, in order: the roads of the imported extract (vector, drawn by the page), else a 1 km grid
with a note that no map data is on this device (positions and distances stay true to scale): never a
blank grey map. Hospitals, the ambulance and the route are drawn by ``emsync`` (the page's small API)
from JSON, so the app updates them without reloading the page. The page talks to Python over
QWebChannel (``bridge``): it says when it is ready and which hospital was tapped.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from emsync_desktop.geo.eta import LatLon

OSM_ATTRIBUTION = "Roads © OpenStreetMap contributors (ODbL)"
NO_MAP_NOTE = "No map data on this device for this area: positions and distances are to scale. Import roads (README)."
CLUSTER_FROM = 25  # hospitals; fewer are drawn one by one
FLEET_LABELS = 6  # ambulances whose labels are always shown; more: on hover or tap


@dataclass(frozen=True)
class HospitalPin:
    id: str
    name: str
    lat: float
    lon: float
    free: int  # free beds in the unit asked for
    unit: str
    eta: str  # e.g. "≈ 12 min"
    rank: int | None = None  # 1 = best for this patient
    label: str | None = None  # shown instead of "rank. name · eta · free unit", always visible (coordinator)


@dataclass(frozen=True)
class AmbulancePin:
    """An ambulance on its way somewhere (the coordinator's map): where it last was, what its label says."""

    id: str  # the transfer's
    lat: float
    lon: float
    label: str  # "→ Lourdes ICU · arrives in 7 min"
    stale: bool = False  # the position is too old for an arrival time: drawn grey


@dataclass(frozen=True)
class MapScene:
    center: LatLon
    hospitals: list[HospitalPin]
    ambulance: LatLon | None = None
    ambulance_label: str = "Ambulance"
    route: list[LatLon] = field(default_factory=list)
    selected: str | None = None
    fleet: list[AmbulancePin] = field(default_factory=list)  # every ambulance on a transfer (coordinator)
    destination: LatLon | None = None  # where the ambulances go (the ward's approach map): an "H" pin
    destination_label: str = ""

    def as_json(self) -> str:
        data = asdict(self)
        data["route"] = [[p.lat, p.lon] for p in self.route]
        data["ambulance"] = [self.ambulance.lat, self.ambulance.lon] if self.ambulance else None
        data["center"] = [self.center.lat, self.center.lon]
        data["destination"] = [self.destination.lat, self.destination.lon] if self.destination else None
        return json.dumps(data)


def leaflet_assets() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(scripts, stylesheets) as file:// URLs of the xstatic packages."""
    import xstatic.pkg.leaflet as leaflet
    import xstatic.pkg.leaflet_markercluster as cluster

    base, plug = Path(leaflet.BASE_DIR), Path(cluster.BASE_DIR)
    scripts = [("leaflet", (base / "leaflet.js").as_uri()),
               ("markercluster", (plug / "leaflet.markercluster.js").as_uri())]
    styles = [("leaflet_css", (base / "leaflet.css").as_uri()),
              ("markercluster_css", (plug / "MarkerCluster.css").as_uri()),
              ("markercluster_default_css", (plug / "MarkerCluster.Default.css").as_uri())]
    return scripts, styles


def build_map_page(scene: MapScene, basemap: Path | None, tile_url: str | None = None,
                   has_tiles: bool = False, compact: bool = False) -> str:
    """The whole page as HTML. ``basemap``: the imported roads (GeoJSON) or None. ``tile_url``: the local
    tile server (127.0.0.1) template, if one runs; ``has_tiles``: whether it has any tile cached. ``compact``: a
    small map (the ward's approach map): no zoom buttons, no no-map-data note (it covered half of it; the card's
    arrival line says where the time came from), room kept for the scale bar under the pins."""
    import folium

    m = folium.Map(location=[scene.center.lat, scene.center.lon], zoom_start=13, tiles=None, control_scale=True,
                   prefer_canvas=True, zoom_control=not compact)
    m.default_js, m.default_css = leaflet_assets()
    if basemap is not None:
        folium.GeoJson(json.loads(basemap.read_text("utf-8")), name="roads", style_function=_road_style,
                       control=False).add_to(m)
    root = m.get_root()
    assert isinstance(root, folium.Figure)
    root.header.add_child(folium.Element(f"<style>{_CSS}</style>"))
    root.header.add_child(folium.Element('<script src="qrc:///qtwebchannel/qwebchannel.js"></script>'))
    options = {"map": m.get_name(), "hasRoads": basemap is not None, "attribution": OSM_ATTRIBUTION,
               "note": "" if compact else NO_MAP_NOTE, "clusterFrom": CLUSTER_FROM, "compact": compact,
               "fleetLabels": FLEET_LABELS, "tileUrl": tile_url, "hasTiles": has_tiles}
    # folium writes the map's own script when it renders, after this one: start once the page has loaded.
    start = f"emsyncStart({json.dumps(options)}, {scene.as_json()});"
    root.script.add_child(folium.Element(f"window.addEventListener('load', function () {{ {start} }});"))
    root.header.add_child(folium.Element(f"<script>{_JS}</script>"))
    return str(root.render())


def _road_style(feature: dict[str, Any]) -> dict[str, Any]:
    major = bool(feature["properties"].get("major"))
    return {"color": "#8b929c" if major else "#b9bec6", "weight": 3 if major else 1.5, "opacity": 0.9}


_CSS = """
html, body {background:#eef0f3;}
.leaflet-container {background:#eef0f3; font: 13px system-ui, sans-serif;}
.emsync-note {background:rgba(255,255,255,.92); padding:6px 10px; border-radius:6px; max-width:340px;
  color:#5b6675; box-shadow:0 1px 3px rgba(0,0,0,.2);}
.emsync-label {background:rgba(255,255,255,.95); border:1px solid #c9d1db; border-radius:4px;
  padding:1px 5px; font-weight:600; color:#17202a; box-shadow:none;}
.emsync-label.best {border:2px solid #0b5cad;}
.emsync-h {width:24px; height:24px; border-radius:4px; background:#0b5cad; border:2px solid #fff; color:#fff;
  font:800 15px/24px system-ui, sans-serif; text-align:center; box-shadow:0 1px 3px rgba(0,0,0,.4);}
.emsync-count {width:30px; height:30px; border-radius:50%; border:2px solid #fff; color:#fff; font:700 16px/30px
  system-ui, sans-serif; text-align:center; box-shadow:0 1px 3px rgba(0,0,0,.4);}
.emsync-count.chosen {border:3px solid #0b5cad; width:30px; height:30px; line-height:30px;}
.emsync-pin-name {position:absolute; left:36px; top:6px; white-space:nowrap; background:rgba(255,255,255,.95);
  border:1px solid #c9d1db; border-radius:4px; padding:0 4px; font:600 12px/18px system-ui, sans-serif;
  color:#17202a;}
body.night, body.night .leaflet-container {background:#12151a;}
body.night .emsync-note {background:rgba(26,30,36,.95); color:#8e98a6;}
body.night .emsync-label, body.night .emsync-pin-name {background:rgba(26,30,36,.95); border-color:#2c333d;
  color:#c9d1d9;}
body.night .leaflet-bar a, body.night .leaflet-control-attribution, body.night .leaflet-control-scale-line {
  background:#1a1e24; color:#c9d1d9; border-color:#2c333d;}
body.night .leaflet-control-attribution a {color:#6ea8e0;}
"""

# The page's API. Python calls emsync.update(scene) to redraw; taps go to bridge.hospital_clicked(id).
_JS = """
var emsync = {ready: false, layers: {}, bridge: null};
function emsyncColour(free) { return free >= 3 ? '#1e7b34' : (free >= 1 ? '#c77700' : '#b3261e'); }
function emsyncStart(options, scene) {
  var map = window[options.map];
  emsync.map = map; emsync.options = options;
  if (options.tileUrl) {
    L.tileLayer(options.tileUrl, {maxZoom: 19, attribution: '© OpenStreetMap contributors'}).addTo(map);
  }
  if (options.hasRoads) {
    map.attributionControl.addAttribution(options.attribution);
  } else {
    map.createPane('grid').style.zIndex = 150;  // under the tiles: where a tile is cached, it covers the grid
    var c = map.getCenter(), lines = [];
    for (var i = -30; i <= 30; i++) {
      lines.push([[c.lat + i * 0.009, c.lng - 0.5], [c.lat + i * 0.009, c.lng + 0.5]]);
      lines.push([[c.lat - 0.5, c.lng + i * 0.0091], [c.lat + 0.5, c.lng + i * 0.0091]]);
    }
    emsync.grid = L.polyline(lines, {color: '#c2c9d2', weight: 1, interactive: false, pane: 'grid'}).addTo(map);
  }
  if (!options.hasRoads && !options.hasTiles && options.note) {
    var note = L.control({position: 'topright'});
    note.onAdd = function () { var d = L.DomUtil.create('div', 'emsync-note'); d.textContent = options.note;
      return d; };
    note.addTo(map);
  }
  emsync.update(scene, true);
  // Keep the network in view while the window is laid out or resized, until the user moves the map.
  map.on('dragstart', function () { emsync.moved = true; });
  map.getContainer().addEventListener('wheel', function () { emsync.moved = true; });
  window.addEventListener('resize', function () {
    map.invalidateSize();
    if (!emsync.moved && emsync.bounds && emsync.bounds.length) { emsync.fit(); }
  });
  if (typeof QWebChannel !== 'undefined' && typeof qt !== 'undefined') {
    new QWebChannel(qt.webChannelTransport, function (channel) {
      emsync.bridge = channel.objects.bridge; emsync.ready = true; emsync.bridge.page_ready();
    });
  }
}
// A capacity pin (coordinator): the free count itself, big enough to read across the room.
function emsyncCountPin(h, chosen) {
  var html = '<div class="emsync-count' + (chosen ? ' chosen' : '') + '" style="background:' + emsyncColour(h.free) +
    '">' + h.free + '</div><div class="emsync-pin-name">' + emsyncText(h.name) + '</div>';
  return L.marker([h.lat, h.lon], {icon: L.divIcon({className: '', html: html, iconSize: [34, 34],
    iconAnchor: [17, 17]}), riseOnHover: true, free: h.free});
}
function emsyncSumPin(cluster) {
  var free = cluster.getAllChildMarkers().reduce(function (sum, m) { return sum + (m.options.free || 0); }, 0);
  var html = '<div class="emsync-count" style="background:' + emsyncColour(free) + '">' + free + '</div>' +
    '<div class="emsync-pin-name">' + cluster.getChildCount() + ' hospitals</div>';
  return L.divIcon({className: '', html: html, iconSize: [34, 34], iconAnchor: [17, 17]});
}
function emsyncText(text) { var d = document.createElement('div'); d.textContent = text; return d.innerHTML; }
// Labels never pile up, and never cover a pin or the map's notice: in priority order (chosen, best ranks,
// the ambulance, then the rest), a label that would overlap a label already shown, another pin or the
// notice is hidden until zooming in makes room (its hospital stays on hover).
function emsyncMeets(a, b) { return a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top; }
emsync.obstacles = function () {  // [{rect, owner}]: every pin (owner: its id), the ambulance, the notice
  var box = emsync.map.getContainer().getBoundingClientRect(), found = [];
  var pin = function (marker, owner) {  // a circle pin (drawn on the canvas: its place is computed)
    if (!marker.getRadius || !emsync.map.hasLayer(marker)) { return; }
    var p = emsync.map.latLngToContainerPoint(marker.getLatLng()), r = marker.getRadius() + marker.options.weight;
    found.push({owner: owner, rect: {left: box.left + p.x - r, right: box.left + p.x + r,
                                     top: box.top + p.y - r, bottom: box.top + p.y + r}});
  };
  Object.keys(emsync.markers || {}).forEach(function (id) { pin(emsync.markers[id], id); });
  if (emsync.layers.ambulance) { pin(emsync.layers.ambulance, 'ambulance'); }
  Object.keys(emsync.fleetMarkers || {}).forEach(function (id) { pin(emsync.fleetMarkers[id], 'fleet-' + id); });
  document.querySelectorAll('.emsync-count').forEach(function (el) {  // capacity pins, merged ones too
    found.push({rect: el.getBoundingClientRect(), owner: el.parentElement}); });
  document.querySelectorAll('.emsync-h').forEach(function (el) {  // the approach map's hospital
    found.push({rect: el.getBoundingClientRect(), owner: 'destination'}); });
  if (emsync.options.compact) {  // a small map's labels must not hide its scale (a big map's pins keep clear)
    document.querySelectorAll('.leaflet-control-scale, .leaflet-control-attribution').forEach(function (el) {
      found.push({rect: el.getBoundingClientRect(), owner: 'control'}); });
  }
  document.querySelectorAll('.emsync-note').forEach(function (el) {
    found.push({rect: el.getBoundingClientRect(), owner: 'note'}); });
  return found;
};
// Where a label may go, as shifts from its place right of its pin: right, left, above, below, then the
// four corners.
function emsyncPlaces(w, h) {
  var left = -(w + 44), middle = -(w / 2 + 22), up = -(h / 2 + 16), down = h / 2 + 16;
  return [[0, 0], [left, 0], [middle, up], [middle, down], [0, up], [0, down], [left, up], [left, down]];
}
emsync.declutter = function () {
  var shown = [], obstacles = emsync.obstacles();
  (emsync.priority || []).forEach(function (item) {
    var el = item.el;
    el.style.visibility = 'visible'; el.style.marginLeft = '0px'; el.style.marginTop = '0px';
    var base = el.getBoundingClientRect();
    if (!base.width) { return; }
    var frame = emsync.map.getContainer().getBoundingClientRect();
    var place = emsyncPlaces(base.width, base.height).find(function (shift) {
      var r = {left: base.left + shift[0], right: base.right + shift[0], top: base.top + shift[1],
               bottom: base.bottom + shift[1]};
      var inside = r.left >= frame.left && r.right <= frame.right && r.top >= frame.top && r.bottom <= frame.bottom;
      return inside && !shown.some(function (s) { return emsyncMeets(r, s); }) && !obstacles.some(function (o) {
        return o.owner !== item.owner && emsyncMeets(r, o.rect); });
    });
    if (!place) { el.style.visibility = 'hidden'; return; }
    el.style.marginLeft = place[0] + 'px'; el.style.marginTop = place[1] + 'px';
    shown.push(el.getBoundingClientRect());
  });
  return shown.length;
};
// The order labels keep their place in: the chosen hospital, the three best, the ambulance, the ambulances on
// their way (coordinator), the rest.
emsync.prioritise = function () {
  var scene = emsync.ranked, rankOf = function (h) { return h.id === scene.selected ? 0 : (h.rank || 999); };
  var hospitals = [];
  scene.hospitals.slice().sort(function (a, b) { return rankOf(a) - rankOf(b); }).forEach(function (h) {
    var m = emsync.markers[h.id], tip = m && m.getTooltip && m.getTooltip(), el = tip && tip.getElement();
    if (el) { hospitals.push({el: el, owner: h.id}); }
    var icon = m && m._icon && m._icon.querySelector('.emsync-pin-name');
    if (icon) { hospitals.push({el: icon, owner: m._icon}); }
  });
  var named = hospitals.map(function (item) { return item.el; });
  var merged = Array.prototype.slice.call(document.querySelectorAll('.emsync-pin-name'))  // "3 hospitals"
    .filter(function (el) { return named.indexOf(el) < 0; })
    .map(function (el) { return {el: el, owner: el.parentElement}; });
  var amb = emsync.layers.ambulance, ambTip = amb && amb.getTooltip && amb.getTooltip();
  var ambulance = ambTip && ambTip.getElement() ? [{el: ambTip.getElement(), owner: 'ambulance'}] : [];
  var fleet = Object.keys(emsync.fleetMarkers || {}).map(function (id) {
    var tip = emsync.fleetMarkers[id].getTooltip(), el = tip && tip.getElement();
    return el ? {el: el, owner: 'fleet-' + id} : null;
  }).filter(function (item) { return item; });
  var dest = emsync.layers.destination, destTip = dest && dest.getTooltip && dest.getTooltip();
  var destination = destTip && destTip.getElement() ? [{el: destTip.getElement(), owner: 'destination'}] : [];
  emsync.priority = destination.concat(hospitals.slice(0, 4), ambulance, fleet, merged, hospitals.slice(4));
  emsync.declutter();
};
emsync.pinsOverlapping = function () {  // capacity pins (or merged pins) drawn on each other (tests ask this)
  var rects = Array.prototype.slice.call(document.querySelectorAll('.emsync-count'))
    .map(function (el) { return el.getBoundingClientRect(); }).filter(function (r) { return r.width; });
  var n = 0;
  rects.forEach(function (a, i) { rects.slice(i + 1).forEach(function (b) { if (emsyncMeets(a, b)) { n++; } }); });
  return n;
};
emsync.labels = function () {
  return Array.prototype.slice.call(document.querySelectorAll('.emsync-label, .emsync-pin-name'));
};
emsync.overlapping = function () {  // shown labels that overlap another, a pin not theirs or the notice (tests)
  var shown = (emsync.priority || []).filter(function (item) { return item.el.style.visibility !== 'hidden'; })
    .map(function (item) { return {rect: item.el.getBoundingClientRect(), owner: item.owner}; })
    .filter(function (item) { return item.rect.width; });
  var obstacles = emsync.obstacles(), n = 0;
  shown.forEach(function (a, i) {
    shown.slice(i + 1).forEach(function (b) { if (emsyncMeets(a.rect, b.rect)) { n++; } });
    obstacles.forEach(function (o) { if (o.owner !== a.owner && emsyncMeets(a.rect, o.rect)) { n++; } });
  });
  return n;
};
emsync.shownLabels = function () {  // the text of every label on screen (tests ask which are)
  return (emsync.priority || []).filter(function (item) { return item.el.style.visibility !== 'hidden'; })
    .map(function (item) { return item.el.textContent; });
};
emsync.clear = function (name) { if (emsync.layers[name]) { emsync.map.removeLayer(emsync.layers[name]); } };
emsync.update = function (scene, fit) {
  var map = emsync.map, many = scene.hospitals.length >= emsync.options.clusterFrom;
  var counts = scene.hospitals.some(function (h) { return h.label; });
  emsync.clear('hospitals'); emsync.clear('ambulance'); emsync.clear('route'); emsync.clear('fleet');
  emsync.clear('destination');
  // Capacity pins that would sit on each other merge into one that says their sum and how many hospitals
  // (a tap zooms in to them): a pin hidden under another hid its number.
  var group = counts ? L.markerClusterGroup({maxClusterRadius: 50, showCoverageOnHover: false,
    spiderfyOnMaxZoom: true, iconCreateFunction: emsyncSumPin}) : (many ? L.markerClusterGroup() : L.layerGroup());
  var bounds = [];
  emsync.markers = {}; emsync.fleetMarkers = {};
  scene.hospitals.forEach(function (h) {
    var best = h.rank === 1, chosen = h.id === scene.selected;
    var marker = h.label ? emsyncCountPin(h, chosen) : L.circleMarker([h.lat, h.lon], {
      radius: chosen ? 13 : 10, color: chosen ? '#0b5cad' : '#ffffff', weight: chosen ? 4 : 2,
      fillColor: emsyncColour(h.free), fillOpacity: 0.95});
    var label = h.label || ((h.rank ? h.rank + '. ' : '') + h.name + ' · ' + h.eta + ' · ' + h.free + ' ' + h.unit);
    var always = !many && ((h.rank && h.rank <= 3) || chosen);  // the rest on hover: labels must not pile up
    marker.bindTooltip(label, {permanent: always, direction: 'right', offset: [12, 0],
      className: 'emsync-label' + (best ? ' best' : '')});
    marker.on('click', function () { if (emsync.bridge) { emsync.bridge.hospital_clicked(h.id); } });
    marker.addTo(group); emsync.markers[h.id] = marker; bounds.push([h.lat, h.lon]);
  });
  group.addTo(map); emsync.layers.hospitals = group;
  emsync.ranked = scene;
  setTimeout(emsync.prioritise, 0);

  if (scene.ambulance) {
    emsync.layers.ambulance = L.circleMarker(scene.ambulance, {radius: 9, color: '#17202a', weight: 3,
      fillColor: '#ffffff', fillOpacity: 1}).bindTooltip(scene.ambulance_label, {permanent: true,
      direction: 'left', offset: [-12, 0], className: 'emsync-label'}).addTo(map);
    bounds.push(scene.ambulance);
  }
  if (scene.fleet && scene.fleet.length) {  // labels always shown for a few; on hover or tap for many
    var fleet = L.layerGroup(), few = scene.fleet.length <= emsync.options.fleetLabels;
    scene.fleet.forEach(function (a) {  // placed by emsync.declutter like the hospitals' labels
      emsync.fleetMarkers[a.id] = L.circleMarker([a.lat, a.lon], {radius: 7, color: '#17202a', weight: 2,
        fillColor: a.stale ? '#8a939c' : '#ffffff', fillOpacity: 1}).bindTooltip(a.label, {permanent: few,
        direction: 'right', offset: [12, 0], className: 'emsync-label'}).addTo(fleet);
      bounds.push([a.lat, a.lon]);
    });
    fleet.addTo(map); emsync.layers.fleet = fleet;
  }
  if (scene.destination) {
    emsync.layers.destination = L.marker(scene.destination, {icon: L.divIcon({className: '',
      html: '<div class="emsync-h">H</div>', iconSize: [28, 28], iconAnchor: [14, 14]}), interactive: false})
      .bindTooltip(scene.destination_label, {permanent: true, direction: 'right', offset: [14, 0],
        className: 'emsync-label'}).addTo(map);
    bounds.push(scene.destination);
  }
  if (scene.route.length > 1) {
    emsync.layers.route = L.polyline(scene.route, {color: '#0b5cad', weight: 6, opacity: 0.85}).addTo(map);
  }
  if (fit && bounds.length) { emsync.bounds = bounds; emsync.fit(); }
  if (!emsync.declutterHooked) {  // after the cluster layer has redrawn its pins for the new view
    emsync.declutterHooked = true;
    map.on('zoomend moveend resize', function () { setTimeout(emsync.prioritise, 0); });
  }
};
// The pins in view, clear of the notice (top right) where there is one; zoom in quarter steps for a tight fit.
emsync.fit = function () {
  var note = document.querySelector('.emsync-note'), top = note ? note.getBoundingClientRect().height + 20 : 40;
  emsync.map.options.zoomSnap = 0.25;
  var bottom = emsync.options.compact ? 60 : 40;  // a small map: pins clear of the scale bar and attribution
  emsync.map.fitBounds(emsync.bounds, {paddingTopLeft: [40, top], paddingBottomRight: [40, bottom], animate: false});
};
// Night: dark ground, dim grid, dark labels and controls (the pins keep their colours: they carry meaning).
emsync.setNight = function (on) {
  document.body.classList.toggle('night', on);
  if (emsync.grid) { emsync.grid.setStyle({color: on ? '#232830' : '#c2c9d2'}); }
};
emsync.click = function (id) { if (emsync.markers && emsync.markers[id]) { emsync.markers[id].fire('click'); } };
"""
