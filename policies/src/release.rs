//! What leaves the gateway (vuistregels 1 and 3 on the data itself): each permitted category's record
//! is checked against its schema and cut down to the fields the permit allows; categories nobody asked
//! for are dropped. What the purpose withholds is named from the register's schema, never from the
//! record, so the answer reveals nothing about what a partner system holds.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::decide::Permit;
use crate::payload::{PayloadIssue, filter_payload, withheld_fields};
use crate::register::Register;

/// The data that may be released, and what the purpose withholds (`category.field`, or a whole
/// `category` the permit does not cover), sorted.
#[derive(Debug, Clone, PartialEq)]
pub struct Released {
    pub data: Map<String, Value>,
    pub withheld: Vec<String>,
}

/// Filters `data` (an answer of a source, or a delivery) for the `requested` categories.
pub fn release(
    register: &Register,
    permit: &Permit,
    requested: &BTreeSet<String>,
    data: Map<String, Value>,
) -> Result<Released, PayloadIssue> {
    let mut released = Map::new();
    // The permit names requested categories only; anything else the data holds is dropped.
    for (cat, value) in data {
        if let (Some(allowed), Some(category)) = (permit.fields.get(&cat), register.category(&cat))
        {
            released.insert(
                cat,
                Value::Object(filter_payload(category, allowed, &value)?),
            );
        }
    }
    let mut withheld = BTreeSet::new();
    for cat in requested {
        match (permit.fields.get(cat), register.category(cat)) {
            (Some(allowed), Some(category)) => withheld.extend(withheld_fields(category, allowed)),
            _ => {
                withheld.insert(cat.clone());
            }
        }
    }
    Ok(Released {
        data: released,
        withheld: withheld.into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::register::LegalBasis;

    const DEMO: &str = include_str!("../../deploy/demo/register.toml");

    fn permit(fields: &[(&str, &[&str])]) -> Permit {
        Permit {
            fields: fields
                .iter()
                .map(|(c, f)| ((*c).to_owned(), f.iter().map(|f| (*f).to_owned()).collect()))
                .collect(),
            legal_basis: LegalBasis::Consent,
            consent_id: None,
        }
    }

    fn object(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn only_permitted_fields_of_requested_categories_leave_and_the_rest_is_named_from_the_schema() {
        let register = Register::from_toml(DEMO).unwrap();
        let requested = BTreeSet::from(["gezondheid".to_string()]);
        let out = release(
            &register,
            &permit(&[("gezondheid", &["beperking"])]),
            &requested,
            object(json!({
                "gezondheid": {"beperking": "visueel", "diagnose": "x", "interne_notitie": "y"},
                "financien": {"schulden_totaal": 5},
            })),
        )
        .unwrap();
        assert_eq!(
            Value::Object(out.data),
            json!({"gezondheid": {"beperking": "visueel"}})
        );
        assert_eq!(
            out.withheld,
            vec![
                "gezondheid.behandelaar",
                "gezondheid.diagnose",
                "gezondheid.medicatie"
            ]
        );
    }

    #[test]
    fn what_is_withheld_does_not_depend_on_what_the_source_sent() {
        let register = Register::from_toml(DEMO).unwrap();
        let requested = BTreeSet::from(["gezondheid".to_string(), "wonen".to_string()]);
        let p = permit(&[("gezondheid", &["beperking"])]);
        let empty = release(&register, &p, &requested, Map::new()).unwrap();
        let full = release(
            &register,
            &p,
            &requested,
            object(json!({"gezondheid": {"diagnose": "x"}, "wonen": {"woonsituatie": "y"}})),
        )
        .unwrap();
        assert_eq!(empty.withheld, full.withheld);
        assert!(
            full.withheld.contains(&"wonen".to_string()),
            "a category not permitted"
        );
    }
}
