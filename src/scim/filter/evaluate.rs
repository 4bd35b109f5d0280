//! Evaluating a filter against a resource in its SCIM JSON form
//! (RFC 7644 §3.4.2.2): any value of a multi-valued attribute may match,
//! strings compare case-insensitively unless the attribute is `caseExact`,
//! dateTimes compare as instants.

use std::cmp::Ordering;

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::super::json_keys;
use super::super::path::AttrPath;
use super::super::schema::{AttrType, Attribute, ResourceSchema};
use super::{CompValue, CompareOp, Filter};

/// What attribute names are relative to: a whole resource, or one value of a
/// complex attribute inside `[...]`.
#[derive(Clone, Copy)]
enum Scope<'s> {
    Resource(&'s ResourceSchema),
    Complex(&'static [Attribute]),
}

pub(super) fn matches(filter: &Filter, resource: &Value, schema: &ResourceSchema) -> bool {
    eval(filter, resource, Scope::Resource(schema))
}

pub(super) fn matches_value(filter: &Filter, value: &Value, subs: &'static [Attribute]) -> bool {
    eval(filter, value, Scope::Complex(subs))
}

fn eval(filter: &Filter, value: &Value, scope: Scope<'_>) -> bool {
    match filter {
        Filter::Compare {
            path,
            op,
            value: expected,
        } => {
            let (definition, found) = lookup(value, path, scope);
            let leaf = leaf_definition(definition);
            let mut values = Vec::new();
            for v in found {
                flatten(v, true, &mut values);
            }
            compare_all(&values, *op, expected, leaf)
        }
        Filter::Present(path) => {
            let (_, found) = lookup(value, path, scope);
            found.into_iter().any(has_value)
        }
        Filter::And(l, r) => eval(l, value, scope) && eval(r, value, scope),
        Filter::Or(l, r) => eval(l, value, scope) || eval(r, value, scope),
        Filter::Not(inner) => !eval(inner, value, scope),
        Filter::ValuePath { path, filter } => {
            let (definition, found) = lookup(value, path, scope);
            let subs = definition.map(|d| d.sub_attributes).unwrap_or(&[]);
            found.into_iter().any(|v| match v {
                Value::Array(items) => items
                    .iter()
                    .any(|item| eval(filter, item, Scope::Complex(subs))),
                item => eval(filter, item, Scope::Complex(subs)),
            })
        }
    }
}

/// The definition of a complex attribute compared without a sub-attribute is
/// that of its `value` sub-attribute (RFC 7644 §3.4.2.2).
fn leaf_definition(definition: Option<&'static Attribute>) -> Option<&'static Attribute> {
    match definition {
        Some(d) if d.kind == AttrType::Complex => d.sub_attribute("value"),
        other => other,
    }
}

/// Finds the attribute's definition and its JSON values (sub-attribute applied
/// to every value of a multi-valued attribute).
fn lookup<'v>(
    value: &'v Value,
    path: &AttrPath,
    scope: Scope<'_>,
) -> (Option<&'static Attribute>, Vec<&'v Value>) {
    let Value::Object(map) = value else {
        return (None, Vec::new());
    };
    let (definition, top) = match scope {
        Scope::Resource(schema) => {
            let resolved = schema.resolve(path);
            let container = match (&path.urn, resolved) {
                (Some(urn), _) if !schema.core.id.eq_ignore_ascii_case(urn) => {
                    json_keys::get(map, urn).and_then(Value::as_object)
                }
                (None, Some(r)) if r.in_extension => {
                    json_keys::get(map, r.schema.id).and_then(Value::as_object)
                }
                _ => Some(map),
            };
            let top = container.and_then(|c| json_keys::get(c, &path.attr));
            (resolved.map(|r| r.leaf()), top)
        }
        Scope::Complex(subs) => {
            let own = subs
                .iter()
                .find(|a| a.name.eq_ignore_ascii_case(&path.attr));
            let definition = match (&path.sub_attr, own) {
                (Some(sub), Some(own)) => own.sub_attribute(sub),
                (None, own) => own,
                (Some(_), None) => None,
            };
            (definition, json_keys::get(map, &path.attr))
        }
    };
    let Some(top) = top else {
        return (definition, Vec::new());
    };
    let Some(sub) = &path.sub_attr else {
        return (definition, vec![top]);
    };
    let sub_of = |v: &'v Value| v.as_object().and_then(|m| json_keys::get(m, sub));
    let found = match top {
        Value::Array(items) => items.iter().filter_map(sub_of).collect(),
        other => sub_of(other).into_iter().collect(),
    };
    (definition, found)
}

fn flatten<'v>(value: &'v Value, descend_to_value: bool, out: &mut Vec<&'v Value>) {
    match value {
        Value::Array(items) => {
            for item in items {
                flatten(item, descend_to_value, out);
            }
        }
        Value::Object(map) if descend_to_value => {
            if let Some(v) = json_keys::get(map, "value") {
                out.push(v);
            }
        }
        other => out.push(other),
    }
}

fn has_value(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => a.iter().any(has_value),
        Value::Object(m) => m.values().any(has_value),
        _ => true,
    }
}

fn compare_all(
    values: &[&Value],
    op: CompareOp,
    expected: &CompValue,
    definition: Option<&Attribute>,
) -> bool {
    let present: Vec<&Value> = values.iter().copied().filter(|v| !v.is_null()).collect();
    match (op, expected) {
        (CompareOp::Eq, CompValue::Null) => present.is_empty(),
        (CompareOp::Ne, CompValue::Null) => !present.is_empty(),
        (_, CompValue::Null) => false,
        (CompareOp::Ne, _) => !present
            .iter()
            .any(|v| compare(v, CompareOp::Eq, expected, definition)),
        _ => present.iter().any(|v| compare(v, op, expected, definition)),
    }
}

fn compare(
    actual: &Value,
    op: CompareOp,
    expected: &CompValue,
    definition: Option<&Attribute>,
) -> bool {
    match (actual, expected) {
        (Value::String(a), CompValue::String(e)) => compare_strings(a, op, e, definition),
        (Value::Bool(a), CompValue::Bool(e)) => equality(op, a == e),
        (Value::String(a), CompValue::Bool(e)) => {
            parse_bool(a).is_some_and(|a| equality(op, a == *e))
        }
        (Value::Bool(a), CompValue::String(e)) => {
            parse_bool(e).is_some_and(|e| equality(op, *a == e))
        }
        (Value::Number(a), CompValue::Number(e)) => {
            ordering(op, a.as_f64().partial_cmp(&e.as_f64()))
        }
        (Value::Number(a), CompValue::String(e)) => ordering(
            op,
            e.trim()
                .parse::<f64>()
                .ok()
                .and_then(|e| a.as_f64().partial_cmp(&Some(e))),
        ),
        (Value::String(a), CompValue::Number(e)) => ordering(
            op,
            a.trim()
                .parse::<f64>()
                .ok()
                .and_then(|a| Some(a).partial_cmp(&e.as_f64())),
        ),
        _ => false,
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn equality(op: CompareOp, equal: bool) -> bool {
    match op {
        CompareOp::Eq => equal,
        CompareOp::Ne => !equal,
        _ => false,
    }
}

fn ordering(op: CompareOp, cmp: Option<Ordering>) -> bool {
    let Some(cmp) = cmp else { return false };
    match op {
        CompareOp::Eq => cmp == Ordering::Equal,
        CompareOp::Ne => cmp != Ordering::Equal,
        CompareOp::Gt => cmp == Ordering::Greater,
        CompareOp::Ge => cmp != Ordering::Less,
        CompareOp::Lt => cmp == Ordering::Less,
        CompareOp::Le => cmp != Ordering::Greater,
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
}

fn compare_strings(
    actual: &str,
    op: CompareOp,
    expected: &str,
    definition: Option<&Attribute>,
) -> bool {
    let is_date = definition.is_some_and(|d| d.kind == AttrType::DateTime);
    if is_date && !matches!(op, CompareOp::Co | CompareOp::Sw | CompareOp::Ew) {
        let parse = |s: &str| OffsetDateTime::parse(s, &Rfc3339).ok();
        if let (Some(a), Some(e)) = (parse(actual), parse(expected)) {
            return ordering(op, Some(a.cmp(&e)));
        }
    }
    let case_exact = definition.is_some_and(|d| d.case_exact);
    let (a, e) = if case_exact {
        (
            std::borrow::Cow::Borrowed(actual),
            std::borrow::Cow::Borrowed(expected),
        )
    } else {
        (actual.to_lowercase().into(), expected.to_lowercase().into())
    };
    match op {
        CompareOp::Co => a.contains(e.as_ref()),
        CompareOp::Sw => a.starts_with(e.as_ref()),
        CompareOp::Ew => a.ends_with(e.as_ref()),
        _ => ordering(op, Some(a.cmp(&e))),
    }
}
