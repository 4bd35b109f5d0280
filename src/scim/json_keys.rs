//! Case-insensitive access to JSON object keys: SCIM attribute names and
//! schema URNs are case-insensitive (RFC 7643 §2.1), JSON keys are not.

use serde_json::{Map, Value};

/// The stored key equal to `name` ignoring ASCII case.
pub(super) fn key_of<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a String> {
    if map.contains_key(name) {
        return map.get_key_value(name).map(|(k, _)| k);
    }
    map.keys().find(|k| k.eq_ignore_ascii_case(name))
}

/// The value under `name`, ignoring ASCII case.
pub(super) fn get<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    map.get(name)
        .or_else(|| key_of(map, name).and_then(|k| map.get(k)))
}

/// The value under `name` for update, ignoring ASCII case.
pub(super) fn get_mut<'a>(map: &'a mut Map<String, Value>, name: &str) -> Option<&'a mut Value> {
    let key = key_of(map, name)?.clone();
    map.get_mut(&key)
}

/// Removes and returns the value under `name`, ignoring ASCII case.
pub(super) fn remove(map: &mut Map<String, Value>, name: &str) -> Option<Value> {
    let key = key_of(map, name)?.clone();
    map.remove(&key)
}

/// Inserts `value` under the canonical `name`, replacing any differently cased key.
pub(super) fn insert(map: &mut Map<String, Value>, name: &str, value: Value) {
    if !map.contains_key(name) {
        remove(map, name);
    }
    map.insert(name.to_owned(), value);
}

/// The value under `name`, created with `make` (under the canonical name) if absent.
pub(super) fn entry<'a>(
    map: &'a mut Map<String, Value>,
    name: &str,
    make: impl FnOnce() -> Value,
) -> &'a mut Value {
    let key = key_of(map, name)
        .cloned()
        .unwrap_or_else(|| name.to_owned());
    map.entry(key).or_insert_with(make)
}

/// The string under `name` (ignoring case), if it is a string.
pub(super) fn string(map: &Map<String, Value>, name: &str) -> Option<String> {
    get(map, name).and_then(Value::as_str).map(str::to_owned)
}

/// Inserts `value` under `name` when it is present.
pub(super) fn put<T: Into<Value>>(map: &mut Map<String, Value>, name: &str, value: Option<T>) {
    if let Some(value) = value {
        map.insert(name.to_owned(), value.into());
    }
}
