//! Applies one PATCH operation to a resource in SCIM JSON form (RFC 7644
//! §3.5.2.1–§3.5.2.3). Values are coerced by the schema first; multi-valued
//! attributes keep at most one `primary: true` (RFC 7643 §2.4).

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::super::error::ScimError;
use super::super::filter::{CompValue, CompareOp, Filter};
use super::super::json_keys;
use super::super::path::{AttrPath, PatchPath};
use super::super::schema::{
    AttrType, Attribute, Mutability, ResolvedAttribute, ResourceSchema, Schema,
};
use super::super::value_coercion::{coerce_single, coerce_value};
use super::{PatchOpKind, PatchOperation};

pub(super) fn apply(
    resource: &mut Value,
    operation: &PatchOperation,
    schema: &ResourceSchema,
) -> Result<(), ScimError> {
    let Value::Object(root) = resource else {
        return Err(ScimError::internal(
            "the resource to patch is not a JSON object",
        ));
    };
    let value = operation.value.as_ref();
    let Some(path) = &operation.path else {
        return apply_pathless(
            root,
            operation.op,
            value.cloned().unwrap_or(Value::Null),
            schema,
        );
    };
    if let Some(ext) = whole_extension(path, schema) {
        if operation.op == PatchOpKind::Remove {
            json_keys::remove(root, ext.id);
            return Ok(());
        }
        let mut wrapped = Map::new();
        wrapped.insert(ext.id.to_owned(), value.cloned().unwrap_or(Value::Null));
        return apply_pathless(root, operation.op, Value::Object(wrapped), schema);
    }
    let Some(resolved) = resolve(&path.attr, schema)? else {
        return Ok(());
    };
    let filtered_sub = match (&path.filter, &path.sub_attr) {
        (Some(_), Some(sub)) => Some(resolved.attribute.sub_attribute(sub).ok_or_else(|| {
            ScimError::invalid_path(format!(
                "{} has no sub-attribute {sub:?}",
                resolved.attribute.name
            ))
        })?),
        _ => None,
    };
    let read_only = [
        Some(resolved.attribute),
        resolved.sub_attribute,
        filtered_sub,
    ]
    .into_iter()
    .flatten()
    .any(|a| a.mutability == Mutability::ReadOnly);
    if read_only {
        return Err(ScimError::mutability(format!("{path} is read-only")));
    }
    apply_resolved(root, operation.op, path, resolved, filtered_sub, value)
}

/// A path that is a whole extension URN, e.g. `urn:...:enterprise:2.0:User`.
fn whole_extension(path: &PatchPath, schema: &ResourceSchema) -> Option<&'static Schema> {
    let urn = path.attr.urn.as_deref()?;
    if path.filter.is_some() || path.attr.sub_attr.is_some() {
        return None;
    }
    schema.extensions.iter().copied().find(|ext| {
        ext.id.len() == urn.len() + 1 + path.attr.attr.len()
            && ext
                .id
                .get(..urn.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(urn))
            && ext
                .id
                .get(urn.len() + 1..)
                .is_some_and(|a| a.eq_ignore_ascii_case(&path.attr.attr))
    })
}

/// The attribute a path names; `None` for attributes of schemas we do not know
/// (ignored, e.g. Entra's ADSCIM Group schema); `invalidPath` for unknown
/// attributes of known schemas.
fn resolve(
    path: &AttrPath,
    schema: &ResourceSchema,
) -> Result<Option<ResolvedAttribute>, ScimError> {
    if let Some(resolved) = schema.resolve(path) {
        return Ok(Some(resolved));
    }
    match &path.urn {
        Some(urn) if !schema.knows_urn(urn) => Ok(None),
        _ => Err(ScimError::invalid_path(format!("unknown attribute {path}"))),
    }
}

fn apply_pathless(
    root: &mut Map<String, Value>,
    kind: PatchOpKind,
    value: Value,
    schema: &ResourceSchema,
) -> Result<(), ScimError> {
    let Value::Object(values) = value else {
        return Err(ScimError::invalid_value(
            "an operation without path needs an object value",
        ));
    };
    for (key, v) in values {
        if key.eq_ignore_ascii_case("schemas") {
            continue;
        }
        if let Some(ext) = schema.extension(&key) {
            match v {
                Value::Object(inner) => {
                    // An extension object may repeat `schemas` (scim2-tester sends it).
                    for (name, v) in inner
                        .into_iter()
                        .filter(|(n, _)| !n.eq_ignore_ascii_case("schemas"))
                    {
                        set_from_pathless(
                            root,
                            kind,
                            AttrPath::parse(&format!("{}:{name}", ext.id))?,
                            v,
                            schema,
                        )?;
                    }
                }
                Value::Null => {}
                _ => {
                    return Err(ScimError::invalid_value(format!(
                        "{} must be an object",
                        ext.id
                    )));
                }
            }
            continue;
        }
        match AttrPath::parse(&key) {
            Ok(path) => set_from_pathless(root, kind, path, v, schema)?,
            // A key like "http://schemas.microsoft.com/...": an unknown schema, ignored.
            Err(_) if key.contains(':') || key.contains('/') => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// One key of a path-less value. Read-only attributes echoed back (Okta sends
/// the group's `id`) are ignored unless they try to change `id`.
fn set_from_pathless(
    root: &mut Map<String, Value>,
    kind: PatchOpKind,
    path: AttrPath,
    value: Value,
    schema: &ResourceSchema,
) -> Result<(), ScimError> {
    let Some(resolved) = resolve(&path, schema)? else {
        return Ok(());
    };
    let read_only = [Some(resolved.attribute), resolved.sub_attribute]
        .into_iter()
        .flatten()
        .any(|a| a.mutability == Mutability::ReadOnly);
    if read_only {
        let changes_id = resolved.attribute.name == "id"
            && !resolved.in_extension
            && root
                .get("id")
                .zip(value.as_str())
                .is_some_and(|(current, new)| current.as_str() != Some(new));
        if changes_id {
            return Err(ScimError::mutability("id is read-only"));
        }
        return Ok(());
    }
    let path = PatchPath {
        attr: path,
        filter: None,
        sub_attr: None,
    };
    apply_resolved(root, kind, &path, resolved, None, Some(&value))
}

fn apply_resolved(
    root: &mut Map<String, Value>,
    kind: PatchOpKind,
    path: &PatchPath,
    resolved: ResolvedAttribute,
    filtered_sub: Option<&'static Attribute>,
    value: Option<&Value>,
) -> Result<(), ScimError> {
    let container = if resolved.in_extension {
        object_entry(root, resolved.schema.id)?
    } else {
        root
    };
    let attr = resolved.attribute;
    match (&path.filter, kind) {
        (Some(filter), _) => apply_filtered(container, kind, attr, filter, filtered_sub, value),
        (None, PatchOpKind::Remove) => remove_plain(container, attr, resolved.sub_attribute, value),
        (None, _) => set_plain(
            container,
            kind,
            attr,
            resolved.sub_attribute,
            value.cloned().unwrap_or(Value::Null),
        ),
    }
}

fn lost_shape() -> ScimError {
    ScimError::internal("PATCH engine: a value changed shape while being written")
}

/// The object under `name`, created (or replacing a non-object) if needed.
fn object_entry<'a>(
    map: &'a mut Map<String, Value>,
    name: &str,
) -> Result<&'a mut Map<String, Value>, ScimError> {
    let slot = json_keys::entry(map, name, || Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    slot.as_object_mut().ok_or_else(lost_shape)
}

/// The array under `name`, created (or wrapping a single value) if needed.
fn array_entry<'a>(
    map: &'a mut Map<String, Value>,
    name: &str,
) -> Result<&'a mut Vec<Value>, ScimError> {
    let slot = json_keys::entry(map, name, || Value::Array(Vec::new()));
    if !slot.is_array() {
        let single = std::mem::take(slot);
        *slot = Value::Array(if single.is_null() {
            Vec::new()
        } else {
            vec![single]
        });
    }
    slot.as_array_mut().ok_or_else(lost_shape)
}

fn remove_if_empty(container: &mut Map<String, Value>, name: &str) {
    let empty = match json_keys::get(container, name) {
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(m)) => m.is_empty(),
        Some(Value::Null) => true,
        _ => false,
    };
    if empty {
        json_keys::remove(container, name);
    }
}

/// Sets (or, for `null`, removes) one key of a complex value.
fn set_sub(item: &mut Value, name: &str, value: Value) {
    if let Value::Object(map) = item {
        if value.is_null() {
            json_keys::remove(map, name);
        } else {
            json_keys::insert(map, name, value);
        }
    }
}

fn merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(into), Value::Object(from)) => {
            for (k, v) in from {
                json_keys::insert(into, &k, v);
            }
        }
        (into, from) => *into = from,
    }
}

fn set_plain(
    container: &mut Map<String, Value>,
    kind: PatchOpKind,
    attr: &'static Attribute,
    sub: Option<&'static Attribute>,
    value: Value,
) -> Result<(), ScimError> {
    let name = attr.name;
    if let Some(sub) = sub {
        let v = coerce_value(sub, value, &format!("{name}.{}", sub.name))?;
        if attr.multi_valued {
            let items = array_entry(container, name)?;
            if items.is_empty() && !v.is_null() {
                let mut element = Map::new();
                element.insert(sub.name.to_owned(), v);
                items.push(Value::Object(element));
            } else {
                items
                    .iter_mut()
                    .for_each(|item| set_sub(item, sub.name, v.clone()));
            }
        } else {
            set_sub_of_object(object_entry(container, name)?, sub.name, v);
        }
        remove_if_empty(container, name);
        return Ok(());
    }
    let v = coerce_value(attr, value, name)?;
    let current = json_keys::get(container, name).filter(|c| !c.is_null());
    if attr.mutability == Mutability::Immutable && current.is_some_and(|c| *c != v) {
        return Err(ScimError::mutability(format!("{name} is immutable")));
    }
    match v {
        Value::Null => {
            json_keys::remove(container, name);
        }
        Value::Array(new_items) => match kind {
            PatchOpKind::Add => add_values(container, attr, new_items)?,
            _ => {
                let mut items = new_items;
                let touched: Vec<usize> = (0..items.len()).collect();
                enforce_single_primary(&mut items, &touched);
                json_keys::insert(container, name, Value::Array(items));
                remove_if_empty(container, name);
            }
        },
        Value::Object(new_map) if attr.kind == AttrType::Complex => {
            let identifies = new_map.contains_key("value") && attr.sub_attribute("value").is_some();
            if kind == PatchOpKind::Replace && identifies {
                json_keys::insert(container, name, Value::Object(new_map));
            } else {
                let target = object_entry(container, name)?;
                for (k, v) in new_map {
                    set_sub_of_object(target, &k, v);
                }
                remove_if_empty(container, name);
            }
        }
        v => json_keys::insert(container, name, v),
    }
    Ok(())
}

fn set_sub_of_object(map: &mut Map<String, Value>, name: &str, value: Value) {
    if value.is_null() {
        json_keys::remove(map, name);
    } else {
        json_keys::insert(map, name, value);
    }
}

/// Two values of a multi-valued attribute are the same value when their keys
/// are equal: equal `value` sub-attributes, or equal primitives (strings
/// case-insensitively unless case-exact). Hashable, so adding or removing n
/// values costs O(n), not O(n²). `None` (an object without `value`) matches nothing.
fn identity(item: &Value, case_exact: bool) -> Option<String> {
    let text = |s: &str| match case_exact {
        true => s.to_owned(),
        false => s.to_ascii_lowercase(),
    };
    match item {
        Value::Object(map) => match json_keys::get(map, "value")? {
            Value::String(s) => Some(format!("o:s:{}", text(s))),
            other => Some(format!("o:j:{other}")),
        },
        Value::String(s) => Some(format!("s:{}", text(s))),
        other => Some(format!("j:{other}")),
    }
}

fn value_is_case_exact(attr: &Attribute) -> bool {
    match attr.kind {
        AttrType::Complex => attr.sub_attribute("value").is_some_and(|v| v.case_exact),
        _ => attr.case_exact,
    }
}

/// `add` to a multi-valued attribute appends, merging values already present
/// (RFC 7644 §3.5.2.1).
fn add_values(
    container: &mut Map<String, Value>,
    attr: &Attribute,
    new_items: Vec<Value>,
) -> Result<(), ScimError> {
    let case_exact = value_is_case_exact(attr);
    let items = array_entry(container, attr.name)?;
    let mut touched = Vec::with_capacity(new_items.len());
    let mut index: HashMap<String, usize> = HashMap::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if let Some(key) = identity(item, case_exact) {
            index.entry(key).or_insert(i);
        }
    }
    for new in new_items {
        let key = identity(&new, case_exact);
        match key.as_ref().and_then(|k| index.get(k)).copied() {
            Some(i) => {
                merge(&mut items[i], new);
                touched.push(i);
            }
            None => {
                items.push(new);
                if let Some(key) = key {
                    index.insert(key, items.len() - 1);
                }
                touched.push(items.len() - 1);
            }
        }
    }
    enforce_single_primary(items, &touched);
    Ok(())
}

/// RFC 7643 §2.4: when a value just written is `primary`, no other value is.
fn enforce_single_primary(items: &mut [Value], touched: &[usize]) {
    let is_primary = |v: &Value| v.get("primary") == Some(&Value::Bool(true));
    let Some(&winner) = touched
        .iter()
        .rev()
        .find(|&&i| items.get(i).is_some_and(is_primary))
    else {
        return;
    };
    for (i, item) in items.iter_mut().enumerate() {
        if i != winner
            && is_primary(item)
            && let Value::Object(map) = item
        {
            map.remove("primary");
        }
    }
}

fn remove_plain(
    container: &mut Map<String, Value>,
    attr: &'static Attribute,
    sub: Option<&'static Attribute>,
    value: Option<&Value>,
) -> Result<(), ScimError> {
    let name = attr.name;
    match sub {
        Some(sub) => {
            match json_keys::get_mut(container, name) {
                Some(Value::Array(items)) => items
                    .iter_mut()
                    .for_each(|item| set_sub(item, sub.name, Value::Null)),
                Some(item) => set_sub(item, sub.name, Value::Null),
                None => {}
            }
            remove_if_empty(container, name);
        }
        None if attr.required => {
            return Err(ScimError::mutability(format!(
                "{name} is required and cannot be removed"
            )));
        }
        None => match value.filter(|v| attr.multi_valued && !v.is_null()) {
            // Entra: {"op":"Remove","path":"members","value":[{"value":"id"}]} removes just those.
            Some(targets) => {
                let Value::Array(targets) = coerce_value(attr, targets.clone(), name)? else {
                    return Err(ScimError::internal(
                        "coerced multi-valued value is not an array",
                    ));
                };
                let case_exact = value_is_case_exact(attr);
                let targets: HashSet<String> = targets
                    .iter()
                    .filter_map(|t| identity(t, case_exact))
                    .collect();
                if let Some(Value::Array(items)) = json_keys::get_mut(container, name) {
                    items.retain(|item| {
                        identity(item, case_exact).is_none_or(|k| !targets.contains(&k))
                    });
                }
                remove_if_empty(container, name);
            }
            None => {
                json_keys::remove(container, name);
            }
        },
    }
    Ok(())
}

/// The `eq` terms of a value filter as a value: `type eq "work"` → `{"type":"work"}`.
fn eq_terms(filter: &Filter, attr: &Attribute) -> Map<String, Value> {
    let mut element = Map::new();
    for term in filter.conjuncts() {
        if let Filter::Compare {
            path,
            op: CompareOp::Eq,
            value,
        } = term
        {
            if path.urn.is_some() || path.sub_attr.is_some() {
                continue;
            }
            let name = attr
                .sub_attribute(&path.attr)
                .map_or(path.attr.as_str(), |a| a.name);
            let value = match value {
                CompValue::String(s) => Value::from(s.as_str()),
                CompValue::Bool(b) => Value::Bool(*b),
                CompValue::Number(n) => Value::Number(n.clone()),
                CompValue::Null => continue,
            };
            element.insert(name.to_owned(), value);
        }
    }
    element
}

fn apply_filtered(
    container: &mut Map<String, Value>,
    kind: PatchOpKind,
    attr: &'static Attribute,
    filter: &Filter,
    sub: Option<&'static Attribute>,
    value: Option<&Value>,
) -> Result<(), ScimError> {
    let name = attr.name;
    if !attr.multi_valued || attr.kind != AttrType::Complex {
        return Err(ScimError::invalid_path(format!(
            "{name} is not a multi-valued complex attribute"
        )));
    }
    let matched: Vec<usize> = match json_keys::get(container, name) {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter(|(_, item)| filter.matches_value(item, attr))
            .map(|(i, _)| i)
            .collect(),
        _ => Vec::new(),
    };
    if kind == PatchOpKind::Remove {
        if matched.is_empty() {
            // Removing a member that is already gone is harmless (Okta, Entra retries).
            return if name == "members" {
                Ok(())
            } else {
                Err(ScimError::no_target(format!(
                    "no value of {name} matches [{filter}]"
                )))
            };
        }
        let items = array_entry(container, name)?;
        for &i in matched.iter().rev() {
            match sub {
                Some(sub) => set_sub(&mut items[i], sub.name, Value::Null),
                None => {
                    items.remove(i);
                }
            }
        }
        remove_if_empty(container, name);
        return Ok(());
    }
    let value = value.cloned().unwrap_or(Value::Null);
    let new_value = match sub {
        Some(sub) => coerce_value(sub, value, &format!("{name}.{}", sub.name))?,
        None => coerce_single(attr, value, name)?,
    };
    if !new_value.is_null() && sub.is_none() && !new_value.is_object() {
        return Err(ScimError::invalid_value(format!(
            "{name}[{filter}] needs an object value"
        )));
    }
    let items = array_entry(container, name)?;
    let touched = if matched.is_empty() {
        if new_value.is_null() {
            remove_if_empty(container, name);
            return Ok(());
        }
        // No match: create the element from the filter's eq terms (Entra "Add" on emails[type eq "work"]).
        let mut element = Value::Object(eq_terms(filter, attr));
        match sub {
            Some(sub) => set_sub(&mut element, sub.name, new_value),
            None => merge(&mut element, new_value),
        }
        items.push(element);
        vec![items.len() - 1]
    } else {
        for &i in &matched {
            match (sub, kind) {
                (Some(sub), _) => set_sub(&mut items[i], sub.name, new_value.clone()),
                (None, PatchOpKind::Add) => merge(&mut items[i], new_value.clone()),
                (None, _) => {
                    let mut element = Value::Object(eq_terms(filter, attr));
                    merge(&mut element, new_value.clone());
                    items[i] = element;
                }
            }
        }
        matched
    };
    enforce_single_primary(items, &touched);
    Ok(())
}

/// Keeps `schemas` in step with the extensions: listed when they hold values,
/// dropped (with their empty object) when they do not (RFC 7643 §3).
pub(super) fn tidy_extensions(resource: &mut Value, schema: &ResourceSchema) {
    let Value::Object(root) = resource else {
        return;
    };
    for ext in schema.extensions {
        let has_content = match json_keys::get(root, ext.id) {
            Some(Value::Object(m)) => !m.is_empty(),
            Some(Value::Null) | None => false,
            Some(_) => continue,
        };
        if !has_content {
            json_keys::remove(root, ext.id);
        }
        let schemas = json_keys::entry(root, "schemas", || {
            Value::Array(vec![Value::from(schema.core.id)])
        });
        let Value::Array(list) = schemas else {
            continue;
        };
        let listed = list
            .iter()
            .position(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(ext.id)));
        match (has_content, listed) {
            (true, None) => list.push(Value::from(ext.id)),
            (false, Some(i)) => {
                list.remove(i);
            }
            _ => {}
        }
    }
}
