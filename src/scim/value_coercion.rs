//! Lenient, schema-driven normalization of incoming values (RFC 7643 §2.3 types):
//! string booleans and numbers become JSON booleans and numbers, attribute names
//! take their canonical case, and a reference given as a bare string or a
//! one-element array becomes `{"value": ...}`. What cannot be coerced is 400
//! `invalidValue` naming the attribute.

use serde_json::{Map, Number, Value};

use super::error::ScimError;
use super::json_keys;
use super::path::AttrPath;
use super::schema::{AttrType, Attribute, Mutability, ResourceSchema, Schema};

/// What kind of JSON value this is, as an error message names it.
pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn wrong_type(name: &str, want: &str, got: &Value) -> ScimError {
    ScimError::invalid_value(format!(
        "attribute {name} must be {want}, got {}",
        json_kind(got)
    ))
}

/// A boolean from JSON `true`/`false` or the strings `"true"`/`"False"` (Entra).
pub(super) fn parse_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// Coerces a whole attribute value (single or multi-valued); `null` stays `null`.
pub(super) fn coerce_value(attr: &Attribute, value: Value, name: &str) -> Result<Value, ScimError> {
    if value.is_null() || !attr.multi_valued {
        return coerce_single(attr, value, name);
    }
    let items = match value {
        Value::Array(items) => items,
        single => vec![single],
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let item = coerce_single(attr, item, name)?;
        if !item.is_null() {
            out.push(item);
        }
    }
    Ok(Value::Array(out))
}

/// Coerces one value of an attribute (one element of a multi-valued one).
pub(super) fn coerce_single(
    attr: &Attribute,
    value: Value,
    name: &str,
) -> Result<Value, ScimError> {
    match (attr.kind, value) {
        (_, Value::Null) => Ok(Value::Null),
        (AttrType::Boolean, v) => parse_bool(&v)
            .map(Value::Bool)
            .ok_or_else(|| wrong_type(name, "a boolean", &v)),
        (AttrType::Integer, Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(Value::Number(n)),
        (AttrType::Integer, v) => {
            let parsed = match &v {
                Value::String(s) => s.trim().parse::<i64>().ok(),
                Value::Number(n) => n
                    .as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64),
                _ => None,
            };
            parsed
                .map(Value::from)
                .ok_or_else(|| wrong_type(name, "an integer", &v))
        }
        (AttrType::Decimal, Value::Number(n)) => Ok(Value::Number(n)),
        (AttrType::Decimal, v) => v
            .as_str()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .and_then(Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| wrong_type(name, "a decimal", &v)),
        (AttrType::Complex, v) => coerce_complex(attr, v, name),
        (_, Value::String(s)) => Ok(Value::String(s)),
        (_, Value::Number(n)) => Ok(Value::String(n.to_string())),
        (_, Value::Bool(b)) => Ok(Value::String(b.to_string())),
        (_, v) => Err(wrong_type(name, "a string", &v)),
    }
}

fn coerce_complex(attr: &Attribute, value: Value, name: &str) -> Result<Value, ScimError> {
    let has_value_sub = attr.sub_attribute("value").is_some();
    let map = match value {
        Value::Object(map) => map,
        Value::Array(mut items) if !attr.multi_valued && items.len() <= 1 => match items.pop() {
            Some(item) => return coerce_complex(attr, item, name),
            None => return Ok(Value::Null),
        },
        Value::String(s) if has_value_sub && s.is_empty() => return Ok(Value::Null),
        v @ (Value::String(_) | Value::Number(_) | Value::Bool(_)) if has_value_sub => {
            let mut map = Map::new();
            map.insert("value".into(), v);
            map
        }
        v => return Err(wrong_type(name, "an object", &v)),
    };
    let mut out = Map::with_capacity(map.len());
    for (key, v) in map {
        match attr.sub_attribute(&key) {
            Some(sub) if sub.mutability == Mutability::ReadOnly => {}
            Some(sub) => {
                let v = coerce_single(sub, v, &format!("{name}.{}", sub.name))?;
                out.insert(sub.name.to_owned(), v);
            }
            None => {
                out.insert(key, v);
            }
        }
    }
    // An empty reference (`""`, `{"value": ""}`, `{"value": null}`) means "no value" (Entra manager removal).
    if has_value_sub && !attr.multi_valued {
        let empty = match out.get("value") {
            None => !out.values().any(|v| !v.is_null()),
            Some(Value::Null) => true,
            Some(Value::String(s)) => s.is_empty(),
            Some(_) => false,
        };
        if empty {
            return Ok(Value::Null);
        }
    }
    Ok(Value::Object(out))
}

/// Normalizes one schema's attributes in `map` (canonical names, coerced types,
/// read-only and unknown attributes dropped).
fn coerce_attributes(
    schema: &Schema,
    common: &[Attribute],
    map: Map<String, Value>,
) -> Result<Map<String, Value>, ScimError> {
    let mut out = Map::with_capacity(map.len());
    for (key, value) in map {
        let attr = schema
            .attribute(&key)
            .or_else(|| common.iter().find(|a| a.name.eq_ignore_ascii_case(&key)));
        let Some(attr) = attr else { continue };
        if attr.mutability == Mutability::ReadOnly {
            continue;
        }
        let value = coerce_value(attr, value, attr.name)?;
        json_keys::insert(&mut out, attr.name, value);
    }
    Ok(out)
}

/// Normalizes a POST/PUT body like PATCH values (RFC 7644 §3.3, §3.5.1): see the module doc.
pub(super) fn coerce_resource(
    resource: &mut Value,
    schema: &ResourceSchema,
) -> Result<(), ScimError> {
    let Value::Object(map) = std::mem::take(resource) else {
        return Err(ScimError::invalid_syntax(
            "the resource must be a JSON object",
        ));
    };
    let mut core = Map::new();
    let mut out = Map::new();
    for (key, value) in map {
        if key.eq_ignore_ascii_case("schemas") {
            out.insert("schemas".into(), value);
        } else if let Some(ext) = schema.extension(&key) {
            match value {
                Value::Object(inner) => {
                    let inner = coerce_attributes(ext, &[], inner)?;
                    out.insert(ext.id.to_owned(), Value::Object(inner));
                }
                Value::Null => {}
                other => return Err(wrong_type(ext.id, "an object", &other)),
            }
        } else if key.contains(':') || key.contains('/') {
            // A URN-qualified attribute of a schema we know, else an unknown schema: dropped.
            let Ok(path) = AttrPath::parse(&key) else {
                continue;
            };
            let Some(resolved) = schema.resolve(&path) else {
                continue;
            };
            if path.sub_attr.is_some() || resolved.attribute.mutability == Mutability::ReadOnly {
                continue;
            }
            let value = coerce_value(resolved.attribute, value, resolved.attribute.name)?;
            if resolved.in_extension {
                let ext =
                    json_keys::entry(&mut out, resolved.schema.id, || Value::Object(Map::new()));
                if let Value::Object(ext) = ext {
                    json_keys::insert(ext, resolved.attribute.name, value);
                }
            } else {
                core.insert(resolved.attribute.name.to_owned(), value);
            }
        } else {
            core.insert(key, value);
        }
    }
    let core = coerce_attributes(schema.core, super::schema::COMMON_ATTRIBUTES, core)?;
    for (key, value) in core {
        out.insert(key, value);
    }
    *resource = Value::Object(out);
    Ok(())
}
