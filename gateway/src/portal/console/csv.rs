//! The disclosures as CSV (RFC 4180, `,`-separated), every cell guarded against formula injection.

use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use consent::Disclosure;

use crate::contract::AuditDisclosureView;

/// The file, as a download.
pub(super) fn response(found: Vec<Disclosure>) -> Response {
    let mut csv = String::from(
        "at,log_index,mode,from,to,activity,legal_basis,professional,categories,fields,consent_id,justification,subject,erased_at\r\n",
    );
    for d in found {
        let v = AuditDisclosureView::from(d);
        let row = [
            v.at.to_rfc3339(),
            v.log_index.to_string(),
            v.mode,
            v.from,
            v.to,
            v.activity,
            v.legal_basis,
            v.professional.unwrap_or_default(),
            v.categories.join(" "),
            v.fields.join(" "),
            v.consent_id.unwrap_or_default(),
            v.justification.unwrap_or_default(),
            v.subject,
            v.erased_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        ];
        csv.push_str(
            &row.iter()
                .map(|cell| csv_cell(cell))
                .collect::<Vec<_>>()
                .join(","),
        );
        csv.push_str("\r\n");
    }
    let mut response = (StatusCode::OK, csv).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8; header=present"),
    );
    headers.insert(
        CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"verstrekkingen.csv\""),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// One CSV cell (RFC 4180, `,`-separated), with a leading formula character defused for
/// spreadsheets. Every cell passes through here, so no cell starts a formula whichever separator a
/// spreadsheet assumes: a cell holding `;` is quoted too, as a Dutch-locale spreadsheet splits on it.
pub(crate) fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', ';', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("-1"), "'-1");
    }

    #[test]
    fn a_semicolon_never_starts_a_cell_in_a_dutch_spreadsheet() {
        assert_eq!(
            csv_cell("Controle;=1+1;@SUM(1+1)"),
            "\"Controle;=1+1;@SUM(1+1)\""
        );
        assert_eq!(csv_cell("-2+3;=1+1"), "\"'-2+3;=1+1\"");
    }
}
