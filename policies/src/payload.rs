//! Vuistregel 3 (let op de kwaliteit van data) and 1 (verzamel alleen wat je nodig hebt) applied to
//! data itself: a category's record must match its schema, and every field the purpose does not need
//! is dropped before anything is released.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::register::{Category, FieldType};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadIssue {
    #[error("category '{0}' must be a JSON object")]
    NotAnObject(String),
    #[error("field '{category}.{field}' should be a {expected}")]
    WrongType {
        category: String,
        field: String,
        expected: &'static str,
    },
}

/// Checks `value` against the category's schema and keeps only `allowed` fields; every other field,
/// in the schema or not, is dropped.
pub fn filter_payload(
    category: &Category,
    allowed: &BTreeSet<String>,
    value: &Value,
) -> Result<Map<String, Value>, PayloadIssue> {
    let Value::Object(record) = value else {
        return Err(PayloadIssue::NotAnObject(category.id.clone()));
    };
    let mut released = Map::new();
    for (field, v) in record {
        let Some(t) = category
            .fields
            .get(field)
            .filter(|_| allowed.contains(field))
        else {
            continue;
        };
        if !(v.is_null() || matches_type(*t, v)) {
            return Err(PayloadIssue::WrongType {
                category: category.id.clone(),
                field: field.clone(),
                expected: type_name(*t),
            });
        }
        released.insert(field.clone(), v.clone());
    }
    Ok(released)
}

/// The fields of the category's schema that `allowed` leaves out, as `category.field`, sorted: what
/// a purpose withholds. It depends on the schema only, never on a record, so naming it reveals
/// nothing about what a partner system holds (e.g. whether a `diagnose` exists).
pub fn withheld_fields(category: &Category, allowed: &BTreeSet<String>) -> Vec<String> {
    category
        .fields
        .keys()
        .filter(|field| !allowed.contains(*field))
        .map(|field| format!("{}.{field}", category.id))
        .collect()
}

fn matches_type(t: FieldType, v: &Value) -> bool {
    match t {
        FieldType::String => v.is_string(),
        FieldType::Integer => v.is_i64() || v.is_u64(),
        FieldType::Boolean => v.is_boolean(),
        FieldType::StringList => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
        FieldType::Date => v
            .as_str()
            .is_some_and(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()),
    }
}

fn type_name(t: FieldType) -> &'static str {
    match t {
        FieldType::String => "string",
        FieldType::Integer => "integer",
        FieldType::Boolean => "boolean",
        FieldType::StringList => "list of strings",
        FieldType::Date => "date (YYYY-MM-DD)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn contact() -> Category {
        Category {
            id: "contact".into(),
            name: "Contactgegevens".into(),
            special: false,
            financial: false,
            necessary_fields: Default::default(),
            max_age_days: None,
            fields: [
                ("naam".to_string(), FieldType::String),
                ("geboortedatum".to_string(), FieldType::Date),
                ("telefoon".to_string(), FieldType::String),
            ]
            .into(),
        }
    }

    #[test]
    fn fields_the_purpose_does_not_need_and_fields_outside_the_schema_are_dropped() {
        let allowed = BTreeSet::from(["naam".to_string()]);
        let out = filter_payload(
            &contact(),
            &allowed,
            &json!({"naam": "A. de Vries", "telefoon": "0201234567", "hobby": "x"}),
        )
        .unwrap();
        assert_eq!(Value::Object(out), json!({"naam": "A. de Vries"}));
    }

    #[test]
    fn withheld_fields_come_from_the_schema_not_from_the_record() {
        let allowed = BTreeSet::from(["naam".to_string()]);
        assert_eq!(
            withheld_fields(&contact(), &allowed),
            vec!["contact.geboortedatum", "contact.telefoon"]
        );
    }

    #[test]
    fn a_field_of_the_wrong_type_is_a_data_quality_failure() {
        let allowed = BTreeSet::from(["geboortedatum".to_string()]);
        let err =
            filter_payload(&contact(), &allowed, &json!({"geboortedatum": "12 mei"})).unwrap_err();
        assert!(matches!(err, PayloadIssue::WrongType { .. }));
    }

    #[test]
    fn a_record_that_is_not_an_object_is_refused() {
        let err = filter_payload(&contact(), &BTreeSet::new(), &json!([1, 2])).unwrap_err();
        assert_eq!(err, PayloadIssue::NotAnObject("contact".into()));
    }
}
