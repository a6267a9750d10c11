//! A tiny single-colour rasteriser for the demo signature and seal images: a coverage buffer
//! (0.0 = transparent, 1.0 = full ink) with anti-aliased discs, rings, Bézier pen strokes and a
//! non-zero scanline polygon fill, plus glyph outlines flattened through ttf-parser.

use std::f32::consts::PI;

/// Vertical sub-scanlines per pixel row in [`Canvas::fill_path`]; horizontal coverage is exact.
const SUBSAMPLES: usize = 5;

pub(crate) type Point = (f32, f32);

pub(crate) struct Canvas {
    width: usize,
    height: usize,
    coverage: Vec<f32>,
}

impl Canvas {
    pub(crate) fn new(width: usize, height: usize) -> Self {
        Self {
            width,
            height,
            coverage: vec![0.0; width * height],
        }
    }

    fn max_at(&mut self, x: usize, y: usize, value: f32) {
        let cell = &mut self.coverage[y * self.width + x];
        *cell = cell.max(value.clamp(0.0, 1.0));
    }

    fn over_at(&mut self, x: usize, y: usize, value: f32) {
        let cell = &mut self.coverage[y * self.width + x];
        let value = value.clamp(0.0, 1.0);
        *cell = (*cell + value * (1.0 - *cell)).min(1.0);
    }

    /// Inclusive pixel range touched by `[low, high]` along an axis of `size` pixels.
    fn span(low: f32, high: f32, size: usize) -> Option<(usize, usize)> {
        let low = low.floor().max(0.0);
        let high = high.ceil().min(size as f32 - 1.0);
        (low <= high).then_some((low as usize, high as usize))
    }

    /// An anti-aliased filled disc (pen nib); overlapping stamps take the maximum, not the sum.
    pub(crate) fn disc(&mut self, cx: f32, cy: f32, radius: f32) {
        let reach = radius + 1.0;
        let (Some((x0, x1)), Some((y0, y1))) = (
            Self::span(cx - reach, cx + reach, self.width),
            Self::span(cy - reach, cy + reach, self.height),
        ) else {
            return;
        };
        for y in y0..=y1 {
            for x in x0..=x1 {
                let distance =
                    ((x as f32 + 0.5 - cx).powi(2) + (y as f32 + 0.5 - cy).powi(2)).sqrt();
                let value = (radius + 0.5 - distance).min(1.0) * radius.min(0.5) * 2.0;
                if value > 0.0 {
                    self.max_at(x, y, value);
                }
            }
        }
    }

    /// An anti-aliased circular line of the given centre-line `radius` and `thickness`.
    pub(crate) fn ring(&mut self, cx: f32, cy: f32, radius: f32, thickness: f32) {
        let half = thickness / 2.0;
        let reach = radius + half + 1.0;
        let (Some((x0, x1)), Some((y0, y1))) = (
            Self::span(cx - reach, cx + reach, self.width),
            Self::span(cy - reach, cy + reach, self.height),
        ) else {
            return;
        };
        for y in y0..=y1 {
            for x in x0..=x1 {
                let distance =
                    ((x as f32 + 0.5 - cx).powi(2) + (y as f32 + 0.5 - cy).powi(2)).sqrt();
                let value = (half + 0.5 - (distance - radius).abs()).min(1.0);
                if value > 0.0 {
                    self.max_at(x, y, value);
                }
            }
        }
    }

    /// A pen stroke along one cubic Bézier segment; `width_at(t, direction)` gives the nib
    /// diameter at parameter `t` in `[0, 1]` for the unit tangent `direction`.
    pub(crate) fn stroke_cubic(&mut self, p: [Point; 4], width_at: &dyn Fn(f32, Point) -> f32) {
        let hull = dist(p[0], p[1]) + dist(p[1], p[2]) + dist(p[2], p[3]);
        let steps = ((hull / 0.3).ceil() as usize).clamp(1, 20_000);
        for step in 0..=steps {
            let t = step as f32 / steps as f32;
            let (point, tangent) = cubic_at(p, t);
            let length = (tangent.0 * tangent.0 + tangent.1 * tangent.1)
                .sqrt()
                .max(1e-6);
            let width = width_at(t, (tangent.0 / length, tangent.1 / length));
            self.disc(point.0, point.1, width / 2.0);
        }
    }

    /// Fills closed polygons (each contour implicitly closed) with the non-zero winding rule,
    /// compositing "over" what is already drawn.
    pub(crate) fn fill_path(&mut self, contours: &[Vec<Point>]) {
        let mut edges: Vec<(Point, Point, f32)> = Vec::new();
        let (mut top, mut bottom) = (f32::MAX, f32::MIN);
        for contour in contours.iter().filter(|c| c.len() >= 3) {
            for (index, &a) in contour.iter().enumerate() {
                let b = contour[(index + 1) % contour.len()];
                if a.1 == b.1
                    || !(a.0.is_finite() && a.1.is_finite() && b.0.is_finite() && b.1.is_finite())
                {
                    continue;
                }
                top = top.min(a.1.min(b.1));
                bottom = bottom.max(a.1.max(b.1));
                edges.push(if a.1 < b.1 { (a, b, 1.0) } else { (b, a, -1.0) });
            }
        }
        let Some((y0, y1)) = Self::span(top, bottom, self.height) else {
            return;
        };
        let mut row = vec![0.0f32; self.width + 1];
        let mut crossings: Vec<(f32, f32)> = Vec::new();
        for y in y0..=y1 {
            row.iter_mut().for_each(|v| *v = 0.0);
            for sub in 0..SUBSAMPLES {
                let sy = y as f32 + (sub as f32 + 0.5) / SUBSAMPLES as f32;
                crossings.clear();
                for &(a, b, direction) in &edges {
                    if a.1 <= sy && sy < b.1 {
                        crossings.push((a.0 + (sy - a.1) * (b.0 - a.0) / (b.1 - a.1), direction));
                    }
                }
                crossings.sort_by(|l, r| l.0.total_cmp(&r.0));
                let mut winding = 0.0;
                let mut start = 0.0;
                for &(x, direction) in &crossings {
                    let was_inside = winding != 0.0;
                    winding += direction;
                    if !was_inside && winding != 0.0 {
                        start = x;
                    } else if was_inside && winding == 0.0 {
                        add_span(&mut row, start, x, 1.0 / SUBSAMPLES as f32);
                    }
                }
            }
            for (x, &value) in row.iter().take(self.width).enumerate() {
                if value > 0.0 {
                    self.over_at(x, y, value);
                }
            }
        }
    }

    /// RGBA 8-bit PNG: every pixel has colour `rgb`, alpha is the coverage.
    pub(crate) fn to_png(&self, rgb: [u8; 3]) -> Result<Vec<u8>, png::EncodingError> {
        let mut data = Vec::with_capacity(self.coverage.len() * 4);
        for &value in &self.coverage {
            data.extend_from_slice(&rgb);
            data.push((value.clamp(0.0, 1.0) * 255.0).round() as u8);
        }
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, self.width as u32, self.height as u32);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Best);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&data)?;
        writer.finish()?;
        Ok(out)
    }
}

/// Adds `weight` × the covered fraction of each pixel between `from` and `to` to `row`.
fn add_span(row: &mut [f32], from: f32, to: f32, weight: f32) {
    let limit = (row.len() - 1) as f32;
    let (from, to) = (from.clamp(0.0, limit), to.clamp(0.0, limit));
    if to <= from {
        return;
    }
    let (first, last) = (from.floor() as usize, to.floor() as usize);
    if first == last {
        row[first] += (to - from) * weight;
        return;
    }
    row[first] += (first as f32 + 1.0 - from) * weight;
    row[first + 1..last].iter_mut().for_each(|v| *v += weight);
    row[last] += (to - last as f32) * weight;
}

pub(crate) fn dist(a: Point, b: Point) -> f32 {
    ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
}

/// Point and derivative of a cubic Bézier at `t`.
fn cubic_at(p: [Point; 4], t: f32) -> (Point, Point) {
    let u = 1.0 - t;
    let (b0, b1, b2, b3) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    let point = (
        b0 * p[0].0 + b1 * p[1].0 + b2 * p[2].0 + b3 * p[3].0,
        b0 * p[0].1 + b1 * p[1].1 + b2 * p[2].1 + b3 * p[3].1,
    );
    let (d0, d1, d2) = (3.0 * u * u, 6.0 * u * t, 3.0 * t * t);
    let tangent = (
        d0 * (p[1].0 - p[0].0) + d1 * (p[2].0 - p[1].0) + d2 * (p[3].0 - p[2].0),
        d0 * (p[1].1 - p[0].1) + d1 * (p[2].1 - p[1].1) + d2 * (p[3].1 - p[2].1),
    );
    (point, tangent)
}

/// Cubic Bézier segments of the Catmull-Rom spline through `points` (end points repeated).
pub(crate) fn catmull_rom(points: &[Point]) -> Vec<[Point; 4]> {
    let at = |i: isize| points[i.clamp(0, points.len() as isize - 1) as usize];
    (0..points.len().saturating_sub(1) as isize)
        .map(|i| {
            let (p0, p1, p2, p3) = (at(i - 1), at(i), at(i + 1), at(i + 2));
            let c1 = (p1.0 + (p2.0 - p0.0) / 6.0, p1.1 + (p2.1 - p0.1) / 6.0);
            let c2 = (p2.0 - (p3.0 - p1.0) / 6.0, p2.1 - (p3.1 - p1.1) / 6.0);
            [p1, c1, c2, p2]
        })
        .collect()
}

/// A five-pointed star (point up) as one polygon.
pub(crate) fn star(cx: f32, cy: f32, outer: f32) -> Vec<Point> {
    let inner = outer * 0.381_966; // regular pentagram: inner/outer = 1/φ²
    (0..10)
        .map(|k| {
            let angle = -PI / 2.0 + k as f32 * PI / 5.0;
            let radius = if k % 2 == 0 { outer } else { inner };
            (cx + radius * angle.cos(), cy + radius * angle.sin())
        })
        .collect()
}

/// Collects a glyph outline as flattened contours in font units (y up).
#[derive(Default)]
pub(crate) struct Flattener {
    pub(crate) contours: Vec<Vec<Point>>,
    current: Vec<Point>,
}

impl Flattener {
    fn last(&self) -> Point {
        self.current.last().copied().unwrap_or((0.0, 0.0))
    }

    fn flush(&mut self) {
        if self.current.len() >= 3 {
            self.contours.push(std::mem::take(&mut self.current));
        }
        self.current.clear();
    }
}

impl ttf_parser::OutlineBuilder for Flattener {
    fn move_to(&mut self, x: f32, y: f32) {
        self.flush();
        self.current.push((x, y));
    }

    fn line_to(&mut self, x: f32, y: f32) {
        self.current.push((x, y));
    }

    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let p0 = self.last();
        for step in 1..=8 {
            let t = step as f32 / 8.0;
            let u = 1.0 - t;
            self.current.push((
                u * u * p0.0 + 2.0 * u * t * x1 + t * t * x,
                u * u * p0.1 + 2.0 * u * t * y1 + t * t * y,
            ));
        }
    }

    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let p = [self.last(), (x1, y1), (x2, y2), (x, y)];
        for step in 1..=10 {
            self.current.push(cubic_at(p, step as f32 / 10.0).0);
        }
    }

    fn close(&mut self) {
        self.flush();
    }
}

/// Deterministic pseudo-random numbers (splitmix64) seeded from text (FNV-1a).
struct Rng(u64);

impl Rng {
    fn from_text(text: &str) -> Self {
        let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        Self(hash)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn range(&mut self, low: f32, high: f32) -> f32 {
        low + (high - low) * ((self.next() >> 40) as f32 / (1u64 << 24) as f32)
    }
}

/// Draws one pen stroke through `points` (Catmull-Rom → cubic Béziers) with a nib that tapers
/// at both ends, presses harder on down-strokes and wobbles a little.
fn pen_stroke(canvas: &mut Canvas, points: &[Point], nib: f32, rng: &mut Rng) {
    let segments = catmull_rom(points);
    let count = segments.len().max(1) as f32;
    let (phase, frequency) = (rng.range(0.0, 2.0 * PI), rng.range(5.0, 11.0));
    for (index, segment) in segments.into_iter().enumerate() {
        let width_at = move |t: f32, direction: Point| {
            let s = (index as f32 + t) / count;
            let taper = (s / 0.08).min(1.0).min((1.0 - s) / 0.18).max(0.0);
            let pressure =
                0.7 + 0.35 * direction.1.max(0.0) + 0.1 * (frequency * s * PI + phase).sin();
            nib * (0.3 + 0.7 * taper) * pressure
        };
        canvas.stroke_cubic(segment, &width_at);
    }
}

/// The demo signature (see `images::demo_signature_png`): a loopy capital, a slanted cursive run
/// (a prolate trochoid through Catmull-Rom Béziers) and an underline flourish, all from `seed`.
pub(crate) fn signature(seed: &str, width: usize, height: usize) -> Canvas {
    let mut rng = Rng::from_text(seed);
    let mut canvas = Canvas::new(width, height);
    let nib = rng.range(3.4, 4.6);
    // A loopy capital: one of three shapes (offsets from its centre), scaled and jittered.
    #[rustfmt::skip]
    const CAPITALS: [&[Point]; 3] = [
        &[(-45.0, 65.0), (-10.0, -20.0), (10.0, -78.0), (48.0, -35.0), (20.0, 15.0), (-25.0, 5.0),
          (15.0, 40.0), (62.0, 52.0)],
        &[(30.0, -60.0), (-20.0, -72.0), (-50.0, -10.0), (-30.0, 52.0), (25.0, 48.0), (45.0, -5.0),
          (15.0, -62.0), (-5.0, 10.0), (62.0, 52.0)],
        &[(-15.0, -15.0), (20.0, -75.0), (40.0, -62.0), (5.0, -20.0), (-20.0, 50.0), (-48.0, 58.0),
          (-30.0, 40.0), (20.0, 56.0), (62.0, 52.0)],
    ];
    let template = CAPITALS[(rng.next() % 3) as usize];
    let (cx, cy) = (rng.range(85.0, 105.0), rng.range(98.0, 112.0));
    let (sx, sy) = (rng.range(0.85, 1.15), rng.range(0.85, 1.08));
    let capital: Vec<Point> = template
        .iter()
        .map(|&(dx, dy)| {
            (
                cx + dx * sx + rng.range(-9.0, 9.0),
                cy + dy * sy + rng.range(-9.0, 9.0),
            )
        })
        .collect();
    let capital_end = capital[capital.len() - 1];

    // Cursive run: a prolate trochoid (loops where the pen moves backwards at the top of a letter).
    let loops = 4 + (rng.next() % 3) as usize;
    let baseline = rng.range(152.0, 166.0);
    let run_width = rng.range(270.0, 330.0);
    let speed = run_width / (2.0 * PI * loops as f32);
    let slant = rng.range(0.25, 0.45);
    let drift = rng.range(-0.06, 0.04);
    let shapes: Vec<(f32, f32)> = (0..loops)
        .map(|_| {
            if rng.next() % 100 < 40 {
                (rng.range(85.0, 115.0), speed * rng.range(1.5, 2.3))
            } else {
                (rng.range(32.0, 55.0), speed * rng.range(0.3, 0.95))
            }
        })
        .collect();
    let x0 = capital_end.0 + rng.range(5.0, 20.0);
    let mut run = vec![capital_end];
    for step in 0..=(loops * 8) {
        let t = PI + step as f32 * PI / 4.0;
        let (letter_height, amplitude) = shapes[(((t - PI) / (2.0 * PI)) as usize).min(loops - 1)];
        let y = baseline - letter_height * (1.0 + t.cos()) / 2.0;
        let x = x0 + speed * (t - PI) - amplitude * t.sin();
        run.push((x + slant * (baseline - y), y + drift * (x - x0)));
    }
    let end = run[run.len() - 1];
    run.push((end.0 + rng.range(15.0, 30.0), end.1 - rng.range(25.0, 45.0)));

    // Underline flourish: one long S-shaped cubic.
    let underline = [
        (rng.range(35.0, 70.0), rng.range(190.0, 205.0)),
        (rng.range(170.0, 240.0), rng.range(222.0, 236.0)),
        (rng.range(360.0, 440.0), rng.range(160.0, 178.0)),
        (rng.range(545.0, 585.0), rng.range(178.0, 196.0)),
    ];

    pen_stroke(&mut canvas, &capital, nib, &mut rng);
    pen_stroke(&mut canvas, &run, nib, &mut rng);
    canvas.stroke_cubic(underline, &|t: f32, _| {
        nib * 0.85 * (0.25 + 0.75 * (t * PI).sin().max(0.0).powf(0.6))
    });
    canvas
}

/// The demo seal (see `images::demo_seal_png`): outer double ring, inner ring, a large star in the
/// centre, a small one at the bottom and, given a font, `text` around the ring.
pub(crate) fn seal(size: usize, text: Option<(&ttf_parser::Face<'_>, &str)>) -> Canvas {
    let centre = size as f32 / 2.0;
    let mut canvas = Canvas::new(size, size);
    canvas.ring(centre, centre, 226.0, 9.0);
    canvas.ring(centre, centre, 214.0, 2.5);
    canvas.ring(centre, centre, 148.0, 4.0);
    canvas.fill_path(&[star(centre, centre + 6.0, 96.0)]);
    canvas.fill_path(&[star(centre, centre + 181.0, 13.0)]);
    if let Some((face, text)) = text {
        ring_text(&mut canvas, face, text, centre);
    }
    canvas
}

/// Writes `text` clockwise around the seal's ring (tops outward, centred on the top), bending
/// each glyph along the circle.
fn ring_text(canvas: &mut Canvas, face: &ttf_parser::Face<'_>, text: &str, centre: f32) {
    let units = f32::from(face.units_per_em().max(1));
    let glyphs: Vec<(Option<ttf_parser::GlyphId>, f32)> = text
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| {
            let glyph = face.glyph_index(c);
            let advance = glyph
                .and_then(|g| face.glyph_hor_advance(g))
                .map_or(units * 0.6, f32::from);
            (glyph, advance / units)
        })
        .collect();
    if glyphs.is_empty() {
        return;
    }
    let natural_em: f32 =
        glyphs.iter().map(|g| g.1).sum::<f32>() + 0.04 * (glyphs.len() - 1) as f32;
    let max_span = 300.0f32.to_radians();
    // The baseline radius depends on the size; solve roughly, then fit the size to the arc.
    let mut size = 40.0f32;
    let mut baseline = 181.0 - 0.45 * size;
    for _ in 0..3 {
        size = (baseline * max_span / natural_em).min(40.0);
        baseline = 181.0 - 0.45 * size;
    }
    let spare = baseline * max_span - natural_em * size;
    let tracking = 0.04 * size + (spare / (glyphs.len().max(2) - 1) as f32).clamp(0.0, 0.25 * size);
    let total = natural_em * size + (tracking - 0.04 * size) * (glyphs.len() - 1) as f32;
    let start_angle = -total / baseline / 2.0;
    let scale = size / units;
    let mut pen = 0.0f32;
    for (glyph, advance) in glyphs {
        if let Some(glyph) = glyph {
            let mut flattener = Flattener::default();
            if face.outline_glyph(glyph, &mut flattener).is_some() {
                let contours: Vec<Vec<Point>> = flattener
                    .contours
                    .iter()
                    .map(|contour| {
                        contour
                            .iter()
                            .map(|&(gx, gy)| {
                                let angle = start_angle + (pen + gx * scale) / baseline;
                                let radius = baseline + gy * scale;
                                (centre + radius * angle.sin(), centre - radius * angle.cos())
                            })
                            .collect()
                    })
                    .collect();
                canvas.fill_path(&contours);
            }
        }
        pen += advance * size + tracking;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filled_square_has_full_inside_and_half_edge_coverage() {
        let mut canvas = Canvas::new(10, 10);
        canvas.fill_path(&[vec![(2.0, 2.0), (6.5, 2.0), (6.5, 6.0), (2.0, 6.0)]]);
        assert!((canvas.coverage[3 * 10 + 3] - 1.0).abs() < 1e-4);
        assert!((canvas.coverage[3 * 10 + 6] - 0.5).abs() < 1e-4);
        assert_eq!(canvas.coverage[0], 0.0);
        assert_eq!(canvas.coverage[8 * 10 + 3], 0.0);
    }
}
