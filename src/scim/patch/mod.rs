//! SCIM PATCH (RFC 7644 §3.5.2): a lenient reader for the PatchOp body and an
//! all-or-nothing engine applying its operations to a resource in SCIM JSON
//! form. The leniencies are the ones Okta and Entra need (capitalized op names,
//! path-less values with dotted and URN keys, string booleans, value-filter
//! paths that create missing elements, manager given as string/object/array).
//! A request is bounded before anything is applied: [`MAX_OPERATIONS`],
//! [`MAX_VALUES`] per multi-valued attribute, [`MAX_MEMBERS`] for a group's
//! `members` (400 `tooMany` beyond them).

mod engine;
#[cfg(test)]
mod tests;

use serde_json::Value;

use super::error::ScimError;
use super::json_keys;
use super::path::PatchPath;
use super::schema::{PATCH_OP, ResourceSchema};
use super::value_coercion;

/// The most operations one PATCH request may carry.
pub const MAX_OPERATIONS: usize = 100;

/// The most values one operation may give a multi-valued attribute
/// (`emails`, `phoneNumbers`, `entitlements`…).
pub const MAX_VALUES: usize = 100;

/// The most group members one operation, and one Group PATCH, may name.
pub const MAX_MEMBERS: usize = 1000;

/// A PATCH operation's `op` (RFC 7644 §3.5.2), read case-insensitively.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchOpKind {
    /// `add` (RFC 7644 §3.5.2.1).
    Add,
    /// `replace` (RFC 7644 §3.5.2.3).
    Replace,
    /// `remove` (RFC 7644 §3.5.2.2).
    Remove,
}

/// One element of `Operations` (RFC 7644 §3.5.2).
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOperation {
    /// What to do.
    pub op: PatchOpKind,
    /// Where; absent means the resource itself (add/replace only).
    pub path: Option<PatchPath>,
    /// The value; required for add and replace.
    pub value: Option<Value>,
}

/// A PatchOp request body (RFC 7644 §3.5.2).
#[derive(Debug, Clone, PartialEq)]
pub struct PatchRequest {
    /// The operations, applied in order.
    pub operations: Vec<PatchOperation>,
}

impl PatchRequest {
    /// Reads a PatchOp body (RFC 7644 §3.5.2): `schemas`, when present, must list
    /// the PatchOp URN; a body without `schemas` is read as a PatchOp (Postel:
    /// Entra's validator sends one). `Operations` (or `operations`), op names
    /// and keys are case-insensitive.
    pub fn from_json(body: &Value) -> Result<PatchRequest, ScimError> {
        let Value::Object(map) = body else {
            return Err(ScimError::invalid_syntax(
                "the PATCH body must be a JSON object",
            ));
        };
        let lists_patch_op = match json_keys::get(map, "schemas") {
            None => true,
            Some(Value::Array(schemas)) => schemas
                .iter()
                .any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(PATCH_OP))),
            Some(Value::String(s)) => s.eq_ignore_ascii_case(PATCH_OP),
            _ => false,
        };
        if !lists_patch_op {
            return Err(ScimError::invalid_syntax(format!(
                "schemas must contain {PATCH_OP}"
            )));
        }
        let operations = match json_keys::get(map, "Operations") {
            Some(Value::Array(ops)) => ops,
            Some(_) => return Err(ScimError::invalid_syntax("Operations must be an array")),
            None => return Err(ScimError::invalid_syntax("Operations is required")),
        };
        if operations.len() > MAX_OPERATIONS {
            return Err(ScimError::too_many(format!(
                "a PATCH request carries at most {MAX_OPERATIONS} operations; this one has {}",
                operations.len()
            )));
        }
        let operations = operations
            .iter()
            .enumerate()
            .map(|(i, op)| {
                read_operation(op).map_err(|e| ScimError {
                    detail: format!("Operations[{i}]: {}", e.detail),
                    ..e
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(PatchRequest { operations })
    }

    /// Applies every operation in order (RFC 7644 §3.5.2); on any error the
    /// resource is left exactly as it was.
    pub fn apply(&self, resource: &mut Value, schema: &ResourceSchema) -> Result<(), ScimError> {
        let mut working = resource.clone();
        for (i, operation) in self.operations.iter().enumerate() {
            engine::apply(&mut working, operation, schema).map_err(|e| ScimError {
                detail: format!("Operations[{i}]: {}", e.detail),
                ..e
            })?;
        }
        engine::tidy_extensions(&mut working, schema);
        *resource = working;
        Ok(())
    }
}

fn read_operation(op: &Value) -> Result<PatchOperation, ScimError> {
    let Value::Object(map) = op else {
        return Err(ScimError::invalid_syntax(
            "an operation must be a JSON object",
        ));
    };
    let kind = match json_keys::get(map, "op").and_then(Value::as_str) {
        Some(s) if s.eq_ignore_ascii_case("add") => PatchOpKind::Add,
        Some(s) if s.eq_ignore_ascii_case("replace") => PatchOpKind::Replace,
        Some(s) if s.eq_ignore_ascii_case("remove") => PatchOpKind::Remove,
        Some(s) => return Err(ScimError::invalid_syntax(format!("unknown op {s:?}"))),
        None => return Err(ScimError::invalid_syntax("op is required")),
    };
    let path = match json_keys::get(map, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(PatchPath::parse(s)?),
        Some(_) => return Err(ScimError::invalid_path("path must be a string")),
    };
    let value = json_keys::get(map, "value").cloned();
    if let Some(value) = &value {
        let name = path.as_ref().map_or("", |p| p.attr.attr.as_str());
        check_value_counts(name, value)?;
    }
    match (kind, &path, &value) {
        (PatchOpKind::Remove, None, _) => Err(ScimError::no_target("remove requires a path")),
        (PatchOpKind::Add | PatchOpKind::Replace, _, None) => {
            Err(ScimError::invalid_value("add and replace require a value"))
        }
        _ => Ok(PatchOperation {
            op: kind,
            path,
            value,
        }),
    }
}

/// Refuses an array of more than [`MAX_VALUES`] (`members`: [`MAX_MEMBERS`])
/// values for attribute `name`, or inside an object value, under its keys.
fn check_value_counts(name: &str, value: &Value) -> Result<(), ScimError> {
    match value {
        Value::Array(items) => {
            let attr = name.rsplit(':').next().unwrap_or(name);
            let limit = if attr.eq_ignore_ascii_case("members") {
                MAX_MEMBERS
            } else {
                MAX_VALUES
            };
            if items.len() > limit {
                return Err(ScimError::too_many(format!(
                    "{attr}: one operation gives at most {limit} values; this one gives {}",
                    items.len()
                )));
            }
            Ok(())
        }
        Value::Object(map) => map.iter().try_for_each(|(k, v)| check_value_counts(k, v)),
        _ => Ok(()),
    }
}

/// Normalizes a whole POST/PUT body the way PATCH values are (RFC 7644 §3.3,
/// §3.5.1): string booleans and numbers coerced by the schema, canonical
/// attribute names, read-only attributes (`id`, `meta`, `groups`) and unknown
/// schemas dropped; `password` (writeOnly) is kept for the caller to use.
pub fn coerce(resource: &mut Value, schema: &ResourceSchema) -> Result<(), ScimError> {
    value_coercion::coerce_resource(resource, schema)
}
