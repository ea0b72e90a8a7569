import type { MouseEvent } from 'react';
import type { Location } from '../api';
import { localName } from '../format';
import { translateValue, useI18n } from '../i18n';

const W = 960;
const PAD = 40;
const KM_PER_DEGREE = 111;

const TYPE_COLORS: Record<Location['type'], string> = { dc: '#334155', store: '#e4572e', dark_store: '#2f6fdf' };

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

const overlap = (a: Box, b: Box) =>
  Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)) *
  Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));

/** Roughly how wide a 12px label is: CJK characters are square, Latin ones about half as wide. */
function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += ch.codePointAt(0)! > 0x2e80 ? 12 : 6.8;
  return w;
}

/**
 * Greedy label placement: right of the marker, else left, above, below or at a corner, whichever
 * overlaps the markers and the labels already placed the least.
 */
function placeLabels(points: { x: number; y: number; label: string }[], width: number, height: number): Box[] {
  const taken: Box[] = points.map((p) => ({ x: p.x - 8, y: p.y - 8, w: 16, h: 16 }));
  return points.map((p) => {
    const w = textWidth(p.label);
    const h = 14;
    const candidates: Box[] = [
      { x: p.x + 10, y: p.y - h / 2, w, h },
      { x: p.x - 10 - w, y: p.y - h / 2, w, h },
      { x: p.x - w / 2, y: p.y - 10 - h, w, h },
      { x: p.x - w / 2, y: p.y + 10, w, h },
      { x: p.x + 8, y: p.y - 6 - h, w, h },
      { x: p.x + 8, y: p.y + 6, w, h },
      { x: p.x - 8 - w, y: p.y - 6 - h, w, h },
      { x: p.x - 8 - w, y: p.y + 6, w, h },
    ];
    let best = candidates[0];
    let bestCost = Infinity;
    for (const c of candidates) {
      const outside = c.x < 2 || c.y < 2 || c.x + c.w > width - 2 || c.y + c.h > height - 2 ? 1e6 : 0;
      const cost = outside + taken.reduce((sum, b) => sum + overlap(b, c), 0);
      if (cost < bestCost) {
        best = c;
        bestCost = cost;
      }
      if (cost === 0) break;
    }
    taken.push(best);
    return best;
  });
}

/** A round scale-bar length that is about a fifth of the plot wide. */
function scaleKm(pxPerKm: number): number {
  const target = (W - 2 * PAD) / 5 / pxPerKm;
  const candidates = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
  return candidates.reduce((best, c) => (Math.abs(c - target) < Math.abs(best - target) ? c : best), candidates[0]);
}

function Marker({ type, x, y }: { type: Location['type']; x: number; y: number }) {
  const fill = TYPE_COLORS[type];
  if (type === 'dc')
    return <rect x={x - 6} y={y - 6} width={12} height={12} rx={2} fill={fill} stroke="#fff" strokeWidth={2} />;
  if (type === 'dark_store')
    return (
      <path d={`M${x} ${y - 8}L${x + 8} ${y}L${x} ${y + 8}L${x - 8} ${y}Z`} fill={fill} stroke="#fff" strokeWidth={2} />
    );
  return <circle cx={x} cy={y} r={6} fill={fill} stroke="#fff" strokeWidth={2} />;
}

/** A searched point with its radius, drawn over the map. */
export interface MapPoint {
  lat: number;
  lng: number;
  radius_km?: number;
}

interface StoreMapProps {
  locations: Location[];
  highlight?: string | null;
  onHighlight?: (id: string | null) => void;
  /** Clicking the map picks a point there. */
  onPick?: (lat: number, lng: number) => void;
  point?: MapPoint | null;
  /** Locations found near the point: ringed. */
  matches?: Set<string>;
}

/**
 * Locations plotted by coordinates (equirectangular, x scaled by cos of the mean latitude so that
 * distances look alike both ways), scaled to fit, with each local delivery radius drawn around its store.
 */
export function StoreMap({ locations, highlight, onHighlight, onPick, point, matches }: StoreMapProps) {
  const { t, lang } = useI18n();
  const placed = locations.filter((l) => Number.isFinite(l.lat) && Number.isFinite(l.lng));
  if (placed.length === 0) return null;

  const lat0 = placed.reduce((s, l) => s + l.lat, 0) / placed.length;
  const kx = Math.cos((lat0 * Math.PI) / 180);
  // Projected units are degrees of latitude; a radius of r km is r/111 of them either way.
  const radiusOf = (l: Location) => (l.capabilities.local_delivery_km ?? 0) / KM_PER_DEGREE;
  const radiusX = (l: Location) =>
    ((l.capabilities.local_delivery_km ?? 0) / (KM_PER_DEGREE * Math.cos((l.lat * Math.PI) / 180))) * kx;
  let minX = Infinity,
    maxX = -Infinity,
    minY = Infinity,
    maxY = -Infinity;
  for (const l of placed) {
    const px = l.lng * kx;
    const py = -l.lat;
    minX = Math.min(minX, px - radiusX(l));
    maxX = Math.max(maxX, px + radiusX(l));
    minY = Math.min(minY, py - radiusOf(l));
    maxY = Math.max(maxY, py + radiusOf(l));
  }
  // At least ~2 km across, so a single store is not blown up to fill the plot.
  const minSpan = 2 / KM_PER_DEGREE;
  const spanX = Math.max(maxX - minX, minSpan);
  const spanY = Math.max(maxY - minY, minSpan);
  // As tall as the locations need, within reason.
  const H = Math.round(Math.min(640, Math.max(360, ((W - 2 * PAD) * spanY) / spanX + 2 * PAD)));
  const scale = Math.min((W - 2 * PAD) / spanX, (H - 2 * PAD) / spanY);
  const cx = (minX + maxX) / 2;
  const cy = (minY + maxY) / 2;
  const project = (l: { lat: number; lng: number }) => ({
    x: W / 2 + (l.lng * kx - cx) * scale,
    y: H / 2 + (-l.lat - cy) * scale,
  });
  const unproject = (x: number, y: number) => ({
    lng: ((x - W / 2) / scale + cx) / kx,
    lat: -((y - H / 2) / scale + cy),
  });
  const pxPerKm = scale / KM_PER_DEGREE;
  const barKm = scaleKm(pxPerKm);
  const types = [...new Set(placed.map((l) => l.type))];
  const points = placed.map((l) => ({ ...project(l), label: localName(l.name, lang) }));
  const labels = placeLabels(points, W, H);
  const picked = point && Number.isFinite(point.lat) && Number.isFinite(point.lng) ? project(point) : null;

  function pick(e: MouseEvent<SVGSVGElement>) {
    if (!onPick) return;
    const svg = e.currentTarget;
    const ctm = svg.getScreenCTM();
    if (!ctm) return;
    const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(ctm.inverse());
    const { lat, lng } = unproject(p.x, p.y);
    onPick(Math.round(lat * 1e5) / 1e5, Math.round(lng * 1e5) / 1e5);
  }

  return (
    <figure className="store-map">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={t('stores.mapLabel')}
        data-testid="store-map"
        className={onPick ? 'pickable' : undefined}
        onClick={pick}
      >
        <defs>
          <pattern id="map-grid" width="40" height="40" patternUnits="userSpaceOnUse">
            <path d="M40 0H0V40" fill="none" stroke="#e6e9ef" strokeWidth="1" />
          </pattern>
        </defs>
        <rect x="0" y="0" width={W} height={H} fill="#f7f9fc" />
        <rect x="0" y="0" width={W} height={H} fill="url(#map-grid)" />
        {placed.map((l) => {
          const km = l.capabilities.local_delivery_km;
          if (!km) return null;
          const p = project(l);
          return (
            <ellipse
              key={'r-' + l.id}
              className={'radius' + (highlight === l.id ? ' active' : '')}
              data-testid={`radius-${l.id}`}
              cx={p.x}
              cy={p.y}
              rx={radiusX(l) * scale}
              ry={radiusOf(l) * scale}
            />
          );
        })}
        {picked && point?.radius_km ? (
          <circle
            className="search-radius"
            cx={picked.x}
            cy={picked.y}
            r={point.radius_km * pxPerKm}
            data-testid="search-radius"
          />
        ) : null}
        {placed.map((l, i) => {
          const p = points[i];
          const box = labels[i];
          return (
            <g
              key={l.id}
              className={'site' + (highlight === l.id ? ' active' : '') + (matches?.has(l.id) ? ' match' : '')}
              data-testid={`site-${l.id}`}
              onMouseEnter={() => onHighlight?.(l.id)}
              onMouseLeave={() => onHighlight?.(null)}
            >
              <title>{`${l.name} · ${translateValue(t, 'locationType', l.type)}${l.capabilities.local_delivery_km ? ' · ' + t('stores.km', { km: l.capabilities.local_delivery_km }) : ''}`}</title>
              {matches?.has(l.id) && <circle className="match-ring" cx={p.x} cy={p.y} r={12} />}
              <Marker type={l.type} x={p.x} y={p.y} />
              <text x={box.x} y={box.y + box.h / 2} dy="0.35em" className="site-label">
                {p.label}
              </text>
            </g>
          );
        })}
        {picked && (
          <g className="search-point" data-testid="search-point" transform={`translate(${picked.x}, ${picked.y})`}>
            <line x1={-9} x2={9} y1={0} y2={0} />
            <line x1={0} x2={0} y1={-9} y2={9} />
            <circle r={4} />
          </g>
        )}
        <g className="scale-bar" transform={`translate(${PAD}, ${H - 18})`}>
          <line x1={0} x2={barKm * pxPerKm} y1={0} y2={0} />
          <line x1={0} x2={0} y1={-4} y2={4} />
          <line x1={barKm * pxPerKm} x2={barKm * pxPerKm} y1={-4} y2={4} />
          <text x={barKm * pxPerKm + 8} y={0} dy="0.32em">
            {t('stores.scale', { km: barKm })}
          </text>
        </g>
        <text className="north" x={W - 20} y={24} textAnchor="middle">
          {t('stores.north')} ↑
        </text>
      </svg>
      <figcaption className="legend">
        {types.map((ty) => (
          <span key={ty} className="legend-item">
            <svg width="16" height="16" viewBox="-8 -8 16 16" aria-hidden="true">
              <Marker type={ty} x={0} y={0} />
            </svg>
            {translateValue(t, 'locationType', ty)}
          </span>
        ))}
        <span className="legend-item">
          <span className="swatch swatch-radius" aria-hidden="true" />
          {t('stores.mapHint')}
        </span>
        {matches && matches.size > 0 && (
          <span className="legend-item">
            <span className="swatch swatch-match" aria-hidden="true" />
            {t('nearby.legend')}
          </span>
        )}
      </figcaption>
    </figure>
  );
}
