//! Server-rendered SVG charts for the console (no script, a `maud` template): stacked bars of disclosures per week,
//! one colour per series, with a legend, a text alternative and the numbers as a table beside it.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use super::anomalies::local;
use maud::{Markup, html};

/// Dark enough to stand out against white (3:1 or more for graphics, WCAG 1.4.11).
const COLOURS: [&str; 8] = [
    "#004699", "#b00020", "#00703c", "#a00078", "#6b4e00", "#00627a", "#5c2d91", "#333333",
];

/// Counts per ISO week (Monday, Amsterdam time) of the last `weeks` weeks up to `now`, per series.
#[derive(Debug, Clone)]
pub struct Weekly {
    /// The Mondays the weeks start on, oldest first.
    pub weeks: Vec<NaiveDate>,
    /// Series name -> count per week (same order as `weeks`).
    pub series: BTreeMap<String, Vec<u64>>,
}

impl Weekly {
    pub fn new(now: DateTime<Utc>, weeks: usize) -> Self {
        let today = local(now).date();
        let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
        let weeks = (0..weeks)
            .rev()
            .map(|back| monday - Duration::weeks(back as i64))
            .collect();
        Self {
            weeks,
            series: BTreeMap::new(),
        }
    }

    /// The first moment counted.
    pub fn from(&self) -> DateTime<Utc> {
        self.weeks
            .first()
            .map_or_else(Utc::now, |d| super::anomalies::start_of_local_day(*d))
    }

    /// Counts one event at `at` in `series` (ignored outside the weeks shown).
    pub fn add(&mut self, series: &str, at: DateTime<Utc>) {
        let day = local(at).date();
        let Some(i) = self
            .weeks
            .iter()
            .rposition(|monday| *monday <= day && day < *monday + Duration::days(7))
        else {
            return;
        };
        let n = self.weeks.len();
        self.series
            .entry(series.to_owned())
            .or_insert_with(|| vec![0; n])[i] += 1;
    }

    fn total(&self, week: usize) -> u64 {
        self.series.values().map(|v| v[week]).sum()
    }

    /// A stacked bar chart, then the same numbers as a table.
    pub fn render(&self, title: &str, label_of: &dyn Fn(&str) -> String) -> Markup {
        const W: f64 = 720.0;
        const H: f64 = 260.0;
        const LEFT: f64 = 48.0;
        const BOTTOM: f64 = 36.0;
        const TOP: f64 = 12.0;
        let max = (0..self.weeks.len())
            .map(|w| self.total(w))
            .max()
            .unwrap_or(0)
            .max(1);
        let step = nice_step(max);
        let top_value = max.div_ceil(step) * step;
        let plot_h = H - BOTTOM - TOP;
        let slot = (W - LEFT - 8.0) / self.weeks.len().max(1) as f64;
        let bar = slot * 0.7;
        let y = |v: u64| TOP + plot_h - plot_h * v as f64 / top_value as f64;
        let one = |v: f64| format!("{v:.1}");
        let gridlines: Vec<u64> = (0..=top_value).step_by(step.max(1) as usize).collect();
        let id = format!("{}-t", slug(title));
        let colour = |s: usize| COLOURS[s % COLOURS.len()];
        // Per week, each series' part of the bar: (series, from, to).
        let stacks: Vec<Vec<(usize, u64, u64)>> = (0..self.weeks.len())
            .map(|w| {
                let mut below = 0;
                let mut parts = Vec::new();
                for (s, counts) in self.series.values().enumerate() {
                    if counts[w] > 0 {
                        parts.push((s, below, below + counts[w]));
                        below += counts[w];
                    }
                }
                parts
            })
            .collect();
        html! {
            figure {
                svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (W) " " (H) } width=(W) height=(H) role="img" aria-labelledby=(id) {
                    title id=(id) { (title) }
                    @for v in gridlines {
                        line x1=(LEFT) x2=(W - 8.0) y1=(one(y(v))) y2=(one(y(v))) stroke="#d0d0d0" {}
                        text x=(LEFT - 6.0) y=(one(y(v) + 4.0)) font-size="12" text-anchor="end" fill="#1a1a1a" { (v) }
                    }
                    @for (w, monday) in self.weeks.iter().enumerate() {
                        @let x = LEFT + slot * w as f64 + (slot - bar) / 2.0;
                        @for (s, from, to) in &stacks[w] {
                            rect x=(one(x)) y=(one(y(*to))) width=(one(bar)) height=(one(y(*from) - y(*to))) fill=(colour(*s)) {}
                        }
                        text x=(one(x + bar / 2.0)) y=(H - BOTTOM + 16.0) font-size="12" text-anchor="middle" fill="#1a1a1a" {
                            "wk " (monday.iso_week().week())
                        }
                    }
                }
                figcaption { (title) }
                ul class="legend" {
                    @for (s, name) in self.series.keys().enumerate() {
                        li {
                            svg width="14" height="14" aria-hidden="true" { rect width="14" height="14" fill=(colour(s)) {} }
                            " " (label_of(name))
                        }
                    }
                }
            }
            @if self.series.is_empty() {
                p { "Geen verstrekkingen in deze weken." }
            }
            details {
                summary { (title) " als tabel" }
                table {
                    caption { (title) }
                    tr {
                        th scope="col" { "Reeks" }
                        @for m in &self.weeks {
                            th scope="col" { "wk " (m.iso_week().week()) }
                        }
                    }
                    @for (name, counts) in &self.series {
                        tr {
                            th scope="row" { (label_of(name)) }
                            @for n in counts {
                                td { (n) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// 1, 2 or 5 times a power of ten, so that about five gridlines cover `max`.
fn nice_step(max: u64) -> u64 {
    let raw = (max as f64 / 5.0).max(1.0);
    let power = 10f64.powi(raw.log10().floor() as i32);
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power);
    step as u64
}

fn slug(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_counted_in_their_amsterdam_week_and_drawn() {
        let now: DateTime<Utc> = "2026-11-27T10:00:00Z".parse().unwrap_or_default();
        let mut weekly = Weekly::new(now, 3);
        // Monday 23 November, 00:30 in Amsterdam (Sunday 23:30 UTC): this week.
        weekly.add(
            "okt-amsterdam",
            "2026-11-22T23:30:00Z".parse().unwrap_or_default(),
        );
        weekly.add(
            "okt-amsterdam",
            "2026-11-20T12:00:00Z".parse().unwrap_or_default(),
        );
        weekly.add("wpi", "2026-11-26T12:00:00Z".parse().unwrap_or_default());
        // Before the weeks shown: not counted.
        weekly.add("wpi", "2026-10-01T12:00:00Z".parse().unwrap_or_default());
        assert_eq!(weekly.series["okt-amsterdam"], vec![0, 1, 1]);
        assert_eq!(weekly.series["wpi"], vec![0, 0, 1]);
        let html = weekly
            .render("Verstrekkingen per week", &|s| s.to_uppercase())
            .into_string();
        assert_eq!(html.matches("<rect x=").count(), 3, "{html}");
        assert!(html.contains("OKT-AMSTERDAM") && html.contains("wk 48"));
    }

    #[test]
    fn gridlines_step_in_ones_twos_and_fives() {
        assert_eq!(nice_step(1), 1);
        assert_eq!(nice_step(9), 2);
        assert_eq!(nice_step(23), 5);
        assert_eq!(nice_step(480), 100);
    }
}
