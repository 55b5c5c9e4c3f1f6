//! The filters of the console's tables, as the form sends them, turned into the audit reads' filters.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use super::ROWS;
use crate::contract::{DecisionFilter, DeferralFilter, DisclosureFilter, ReviewFilter};
use crate::error::ApiError;
use crate::portal::anomalies::start_of_local_day;

/// The filters of the tables, as the form sends them (empty fields are none).
#[derive(Debug, Default, Deserialize)]
pub(super) struct Filter {
    #[serde(default)]
    pub van: String,
    #[serde(default)]
    pub tot: String,
    #[serde(default)]
    pub partner: String,
    #[serde(default)]
    pub activiteit: String,
    #[serde(default)]
    pub grondslag: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub opgeslagen: String,
}

type Period = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

pub(super) fn some(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

impl Filter {
    /// From the start of `van` up to the end of `tot` (Amsterdam days), each if given.
    pub(super) fn period(&self) -> Result<Period, ApiError> {
        let day = |text: &str, field: &str| -> Result<Option<NaiveDate>, ApiError> {
            some(text)
                .map(|t| {
                    NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|_| {
                        ApiError::bad_request(
                            "invalid_query",
                            format!("{field}: een datum als 2026-11-27"),
                        )
                    })
                })
                .transpose()
        };
        let from = day(&self.van, "van")?.map(start_of_local_day);
        // Up to and including the day given.
        let to = day(&self.tot, "tot en met")?
            .and_then(|d| d.succ_opt())
            .map(start_of_local_day);
        Ok((from, to))
    }

    pub(super) fn disclosures(&self, limit: u32) -> Result<DisclosureFilter, ApiError> {
        let (from, to) = self.period()?;
        Ok(DisclosureFilter {
            from,
            to,
            partner: some(&self.partner),
            activity: some(&self.activiteit),
            basis: some(&self.grondslag),
            limit: Some(limit),
            cursor: None,
        })
    }

    pub(super) fn decisions(&self) -> Result<DecisionFilter, ApiError> {
        let (from, to) = self.period()?;
        Ok(DecisionFilter {
            outcome: Some("deny".to_owned()),
            from,
            to,
            partner: some(&self.partner),
            activity: some(&self.activiteit),
            limit: Some(ROWS),
            cursor: None,
        })
    }

    /// `status`: `pending`, `flagged` or `all`.
    pub(super) fn reviews(&self, status: &str) -> Result<ReviewFilter, ApiError> {
        let (from, to) = self.period()?;
        Ok(ReviewFilter {
            status: Some(status.to_owned()),
            from,
            to,
            partner: some(&self.partner),
            activity: some(&self.activiteit),
            limit: Some(ROWS),
            cursor: None,
        })
    }

    pub(super) fn deferrals(&self) -> Result<DeferralFilter, ApiError> {
        let (from, to) = self.period()?;
        Ok(DeferralFilter {
            from,
            to,
            partner: some(&self.partner),
            activity: some(&self.activiteit),
            limit: Some(ROWS),
            cursor: None,
        })
    }

    /// The query string that repeats these filters (for the CSV link).
    pub(super) fn query_string(&self) -> String {
        [
            ("van", &self.van),
            ("tot", &self.tot),
            ("partner", &self.partner),
            ("activiteit", &self.activiteit),
            ("grondslag", &self.grondslag),
        ]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", urlencode(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }
}

pub(super) fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
