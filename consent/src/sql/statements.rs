//! Statements whose text is built at run time: the consent lookups joined with their histories,
//! and the placeholders of a batch insert.

use std::sync::OnceLock;

use super::consent_rows::consent_history_columns;

/// Which consents a read loads: one by id, or every one of a subject (oldest first).
#[derive(Debug, Clone, Copy)]
pub(super) enum ConsentKey {
    Id,
    Subject,
}

impl ConsentKey {
    /// The consents, each joined with its history in order (see `ConsentHistoryRow`). The history
    /// is the `consent_history` view's (migration 0010) with the key inside each branch: SQLite
    /// (3.40 and 3.46 alike) materialises a `UNION ALL` view on the right of a `LEFT JOIN` whole,
    /// which would read every Amsterdammer's history for each lookup; this way it reads only these
    /// consents' rows, by index.
    pub(super) fn query(self) -> &'static str {
        static BY_ID: OnceLock<String> = OnceLock::new();
        static BY_SUBJECT: OnceLock<String> = OnceLock::new();
        match self {
            Self::Id => BY_ID.get_or_init(|| self.text()),
            Self::Subject => BY_SUBJECT.get_or_init(|| self.text()),
        }
    }

    fn text(self) -> String {
        let within = |alias: &str| match self {
            Self::Id => format!("{alias}.id = $1"),
            Self::Subject => format!("{alias}.subject = $1"),
        };
        format!(
            "SELECT {columns} FROM consents c LEFT JOIN (\
               SELECT e.consent_id, e.at, e.event, e.actor, e.professional, e.representation_id, \
                      l.log_index, e.seq AS ord \
               FROM consents k JOIN consent_events e ON e.consent_id = k.id \
               LEFT JOIN consent_entries l ON l.consent_id = e.consent_id AND l.seq = e.seq \
               WHERE {k} \
               UNION ALL \
               SELECT x.consent_id, x.at, x.event, x.actor, x.professional, x.representation_id, \
                      x.log_index, 2147483647 \
               FROM consents k JOIN consent_entries x ON x.consent_id = k.id \
               WHERE x.event = 'expired' AND {k}\
             ) h ON h.consent_id = c.id \
             WHERE {c} ORDER BY c.created_at, c.id, h.at, h.ord",
            columns = consent_history_columns(),
            k = within("k"),
            c = within("c"),
        )
    }
}

/// `($1, …, $cols), ($cols+1, …), …` for `rows` rows (each placeholder as `placeholder` writes
/// it): one multi-row VALUES list. A batch holds at most a few hundred rows, far below either
/// database's limit on parameters.
pub(super) fn placeholders(rows: usize, cols: usize, placeholder: fn(usize) -> String) -> String {
    let mut out = String::with_capacity(rows * cols * 5);
    for row in 0..rows {
        if row > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for col in 0..cols {
            if col > 0 {
                out.push_str(", ");
            }
            out.push_str(&placeholder(row * cols + col + 1));
        }
        out.push(')');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_number_every_parameter_once_row_by_row() {
        let numbered = |n| format!("${n}");
        assert_eq!(
            super::placeholders(2, 3, numbered),
            "($1, $2, $3), ($4, $5, $6)"
        );
        assert_eq!(super::placeholders(1, 2, |_| "?".into()), "(?, ?)");
    }

    /// A consent lookup (one per exchange) reads only the consents it is about, by index, never
    /// the whole history of every Amsterdammer (the query plan of the SQLite the store bundles).
    #[tokio::test]
    async fn a_consent_lookup_reads_only_its_own_history() {
        let pool = sqlx::SqlitePool::connect("sqlite::memory:")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        for key in [super::ConsentKey::Subject, super::ConsentKey::Id] {
            let plan: Vec<(i64, i64, i64, String)> =
                sqlx::query_as(&format!("EXPLAIN QUERY PLAN {}", key.query()))
                    .bind("x")
                    .fetch_all(&pool)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
            let steps: Vec<&str> = plan.iter().map(|p| p.3.as_str()).collect();
            // Only the few rows just gathered (`h`) may be scanned.
            assert!(
                steps
                    .iter()
                    .all(|s| !s.starts_with("SCAN") || s.starts_with("SCAN h")),
                "{key:?}: {steps:?}"
            );
        }
    }
}
