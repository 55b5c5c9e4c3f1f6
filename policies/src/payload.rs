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

/// Checks `value` against the category's schema and keeps only `allowed` fields. Returns the released
/// record and the names of the fields that were present but withheld.
pub fn filter_payload(
    category: &Category,
    allowed: &BTreeSet<String>,
    value: &Value,
) -> Result<(Map<String, Value>, Vec<String>), PayloadIssue> {
    let Value::Object(record) = value else {
        return Err(PayloadIssue::NotAnObject(category.id.clone()));
    };
    let mut released = Map::new();
    let mut withheld = Vec::new();
    for (field, v) in record {
        let schema_type = category.fields.get(field);
        match schema_type {
            Some(t) if allowed.contains(field) => {
                if !(v.is_null() || matches_type(*t, v)) {
                    return Err(PayloadIssue::WrongType {
                        category: category.id.clone(),
                        field: field.clone(),
                        expected: type_name(*t),
                    });
                }
                released.insert(field.clone(), v.clone());
            }
            _ => withheld.push(format!("{}.{field}", category.id)),
        }
    }
    Ok((released, withheld))
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
            fields: [
                ("naam".to_string(), FieldType::String),
                ("geboortedatum".to_string(), FieldType::Date),
                ("telefoon".to_string(), FieldType::String),
            ]
            .into(),
        }
    }

    #[test]
    fn fields_the_purpose_does_not_need_are_dropped_and_reported() {
        let allowed = BTreeSet::from(["naam".to_string()]);
        let (out, withheld) = filter_payload(
            &contact(),
            &allowed,
            &json!({"naam": "A. de Vries", "telefoon": "0201234567", "hobby": "x"}),
        )
        .unwrap();
        assert_eq!(Value::Object(out), json!({"naam": "A. de Vries"}));
        assert_eq!(withheld, vec!["contact.hobby", "contact.telefoon"]);
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
