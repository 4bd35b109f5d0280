//! The Connect extension's `proficiencies`: `{attribute, value, level}` items
//! (level 1.0–5.0), or, for identity providers that send one string per
//! attribute (Entra), `Language:English=4;Skill:Billing=2`.

use serde_json::{Map, Value, json};

use crate::scim::error::ScimError;
use crate::scim::json_keys;

/// One proficiency as SCIM carries it: a predefined attribute, one of its
/// values, and the agent's level in it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProficiencyValue {
    pub attribute: String,
    pub value: String,
    pub level: f64,
}

impl Eq for ProficiencyValue {}

/// The attribute's path in error messages.
const PATH: &str = "urn:ietf:params:scim:schemas:extension:amazonconnect:2.0:User:proficiencies";

fn invalid(detail: String) -> ScimError {
    ScimError::invalid_value(format!("{PATH}: {detail}"))
}

fn level(raw: &str, item: &str) -> Result<f64, ScimError> {
    let level: f64 = raw
        .trim()
        .parse()
        .map_err(|_| invalid(format!("the level of '{item}' is not a number: '{raw}'")))?;
    checked_level(level, item)
}

fn checked_level(level: f64, item: &str) -> Result<f64, ScimError> {
    if (1.0..=5.0).contains(&level) {
        Ok(level)
    } else {
        Err(invalid(format!(
            "the level of '{item}' must be between 1.0 and 5.0, not {level}"
        )))
    }
}

/// Parses the string form: `Attribute:Value=Level` items separated by `;`
/// (blank items ignored), e.g. `Language:English=4;Skill:Billing=2`.
pub fn parse_string_form(text: &str) -> Result<Vec<ProficiencyValue>, ScimError> {
    let mut out = Vec::new();
    for item in text.split(';').map(str::trim).filter(|i| !i.is_empty()) {
        let (pair, raw_level) = item.rsplit_once('=').ok_or_else(|| {
            invalid(format!(
                "'{item}' is not Attribute:Value=Level (e.g. Language:English=4)"
            ))
        })?;
        let (attribute, value) = pair.split_once(':').ok_or_else(|| {
            invalid(format!(
                "'{item}' is not Attribute:Value=Level (e.g. Language:English=4)"
            ))
        })?;
        let (attribute, value) = (attribute.trim(), value.trim());
        if attribute.is_empty() || value.is_empty() {
            return Err(invalid(format!("'{item}' names no attribute or no value")));
        }
        out.push(ProficiencyValue {
            attribute: attribute.to_owned(),
            value: value.to_owned(),
            level: level(raw_level, item)?,
        });
    }
    Ok(out)
}

/// Reads the attribute as a request sends it: a list of objects, each with
/// `attribute`, `value`, `level`; an object holding only `value` (what a
/// single string becomes after coercion) or a plain string is the string
/// form. `null` or `[]` is no proficiencies.
pub fn read(raw: &Value) -> Result<Vec<ProficiencyValue>, ScimError> {
    let items = match raw {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items.as_slice(),
        single => std::slice::from_ref(single),
    };
    let mut out = Vec::new();
    for item in items {
        match item {
            Value::String(text) => out.extend(parse_string_form(text)?),
            Value::Object(map) if json_keys::get(map, "attribute").is_none() => {
                match json_keys::get(map, "value") {
                    Some(Value::String(text)) => out.extend(parse_string_form(text)?),
                    _ => return Err(invalid(format!("{item} has no attribute"))),
                }
            }
            Value::Object(map) => out.push(read_object(map, item)?),
            other => return Err(invalid(format!("{other} is not a proficiency"))),
        }
    }
    Ok(out)
}

fn read_object(map: &Map<String, Value>, item: &Value) -> Result<ProficiencyValue, ScimError> {
    let text = |key: &str| {
        json_keys::get(map, key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| invalid(format!("{item} has no {key}")))
    };
    let attribute = text("attribute")?;
    let value = text("value")?;
    let name = format!("{attribute}:{value}");
    let level = match json_keys::get(map, "level") {
        Some(Value::Number(n)) => checked_level(n.as_f64().unwrap_or(0.0), &name)?,
        Some(Value::String(s)) => level(s, &name)?,
        _ => return Err(invalid(format!("{item} has no level"))),
    };
    Ok(ProficiencyValue {
        attribute,
        value,
        level,
    })
}

/// The attribute as responses show it.
pub fn to_json(proficiencies: &[ProficiencyValue]) -> Value {
    Value::Array(
        proficiencies
            .iter()
            .map(|p| json!({"attribute": p.attribute, "value": p.value, "level": p.level}))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_string_form_reads_every_item() {
        let read = parse_string_form("Language:English=4; Skill:Billing=2.5;").unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].attribute, "Language");
        assert_eq!(read[0].value, "English");
        assert_eq!(read[0].level, 4.0);
        assert_eq!(read[1].level, 2.5);
    }

    #[test]
    fn a_bad_item_or_level_is_named() {
        let e = parse_string_form("Language=4").unwrap_err();
        assert!(e.detail.contains("'Language=4'"), "{}", e.detail);
        let e = parse_string_form("Language:English=6").unwrap_err();
        assert!(e.detail.contains("between 1.0 and 5.0"), "{}", e.detail);
    }

    #[test]
    fn objects_and_a_coerced_string_are_both_read() {
        let raw = json!([{"attribute": "Language", "value": "French", "level": 3},
                         {"value": "Skill:Sales=1"}]);
        let read = read(&raw).unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[1].value, "Sales");
        assert!(super::read(&json!(null)).unwrap().is_empty());
    }
}
