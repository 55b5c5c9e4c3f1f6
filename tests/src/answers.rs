//! Reading answers: status and JSON body, and the parts tests compare.

use std::collections::BTreeSet;

use serde_json::Value;

/// Sends a request; returns its status and JSON body (`Null` when the body is not JSON).
pub async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The vuistregels named in a `403 denied` body's violations.
pub fn vuistregels(body: &Value) -> Vec<u64> {
    body["error"]["violations"]
        .as_array()
        .map(|v| v.iter().filter_map(|v| v["vuistregel"].as_u64()).collect())
        .unwrap_or_default()
}

/// A JSON array of strings as a set (panics on anything else).
pub fn string_set(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("not a string: {v}"))
                .to_owned()
        })
        .collect()
}

/// The keys of a JSON object as a set (panics on anything else).
pub fn key_set(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .cloned()
        .collect()
}

/// Owned strings, for comparing with [`string_set`] and [`key_set`].
pub fn set_of(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}
