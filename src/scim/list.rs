//! Query parameters of a list request, the ListResponse envelope, attribute
//! projection and sorting (RFC 7644 §3.4.2, §3.4.2.3, §3.4.2.4, §3.9).

use std::cmp::Ordering;

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value, json};

use super::error::ScimError;
use super::filter::Filter;
use super::json_keys;
use super::path::AttrPath;
use super::schema::{Attribute, LIST_RESPONSE, ResourceSchema, Returned, Schema};

/// `sortOrder` (RFC 7644 §3.4.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    /// `ascending`, the default.
    #[default]
    Ascending,
    /// `descending`.
    Descending,
}

/// The parameters of `GET /Users` and `GET /Groups` (RFC 7644 §3.4.2).
#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    /// `filter` (RFC 7644 §3.4.2.2).
    pub filter: Option<Filter>,
    /// `startIndex`, 1-based, at least 1 (RFC 7644 §3.4.2.4).
    pub start_index: usize,
    /// `count`, clamped to `0..=max_page_size`; `None` when not given (RFC 7644 §3.4.2.4).
    pub count: Option<usize>,
    /// `attributes` (RFC 7644 §3.9).
    pub attributes: Vec<AttrPath>,
    /// `excludedAttributes` (RFC 7644 §3.9).
    pub excluded_attributes: Vec<AttrPath>,
    /// `sortBy` (RFC 7644 §3.4.2.3).
    pub sort_by: Option<AttrPath>,
    /// `sortOrder` (RFC 7644 §3.4.2.3).
    pub sort_order: SortOrder,
}

/// Form-decodes one query component: `+` is a space, `%XX` a byte, and a
/// literal `"` (Entra's validator) is itself.
fn form_decode(s: &str) -> String {
    let spaced = s.replace('+', " ");
    percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}

fn attribute_list(value: &str) -> Result<Vec<AttrPath>, ScimError> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            AttrPath::parse(s)
                .map_err(|_| ScimError::invalid_value(format!("invalid attribute {s:?}")))
        })
        .collect()
}

fn integer(name: &str, value: &str) -> Result<i64, ScimError> {
    value
        .trim()
        .parse::<i64>()
        .map_err(|_| ScimError::invalid_value(format!("{name} must be an integer, got {value:?}")))
}

impl Default for ListQuery {
    /// No parameter given: every resource from the first, the server's page size.
    fn default() -> Self {
        ListQuery {
            filter: None,
            start_index: 1,
            count: None,
            attributes: Vec::new(),
            excluded_attributes: Vec::new(),
            sort_by: None,
            sort_order: SortOrder::Ascending,
        }
    }
}

impl ListQuery {
    /// Reads a raw query string (RFC 7644 §3.4.2): names case-insensitive,
    /// `startIndex` < 1 → 1, `count` clamped to `0..=max_page_size`,
    /// non-numbers → `invalidValue`, a bad filter → `invalidFilter`.
    pub fn from_query(
        raw_query: Option<&str>,
        max_page_size: usize,
    ) -> Result<ListQuery, ScimError> {
        let mut query = ListQuery::default();
        for pair in raw_query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = form_decode(name);
            let value = form_decode(value);
            match name.trim().to_ascii_lowercase().as_str() {
                "filter" => query.set_filter(&value)?,
                "startindex" => query.set_start_index(integer("startIndex", &value)?),
                "count" => query.set_count(integer("count", &value)?, max_page_size),
                "attributes" => query.attributes = attribute_list(&value)?,
                "excludedattributes" => query.excluded_attributes = attribute_list(&value)?,
                "sortby" => query.set_sort_by(&value)?,
                "sortorder" => query.set_sort_order(&value)?,
                _ => {}
            }
        }
        Ok(query)
    }

    /// `filter`: none when blank, else parsed (`invalidFilter`).
    fn set_filter(&mut self, text: &str) -> Result<(), ScimError> {
        self.filter = match text.trim() {
            "" => None,
            _ => Some(Filter::parse(text)?),
        };
        Ok(())
    }

    /// `startIndex`: below 1 is 1 (RFC 7644 §3.4.2.4).
    fn set_start_index(&mut self, n: i64) {
        self.start_index = n.max(1).try_into().unwrap_or(usize::MAX);
    }

    /// `count`: below 0 is 0, above the page size is the page size (RFC 7644 §3.4.2.4).
    fn set_count(&mut self, n: i64, max_page_size: usize) {
        let count: usize = n.max(0).try_into().unwrap_or(usize::MAX);
        self.count = Some(count.min(max_page_size));
    }

    /// `sortBy`: none when blank, else an attribute path (`invalidValue`).
    fn set_sort_by(&mut self, text: &str) -> Result<(), ScimError> {
        self.sort_by = match text.trim() {
            "" => None,
            path => Some(
                AttrPath::parse(path)
                    .map_err(|_| ScimError::invalid_value(format!("invalid sortBy {text:?}")))?,
            ),
        };
        Ok(())
    }

    /// `sortOrder`: `ascending` (or blank) or `descending`, any case (`invalidValue`).
    fn set_sort_order(&mut self, text: &str) -> Result<(), ScimError> {
        self.sort_order = match text.trim() {
            v if v.eq_ignore_ascii_case("ascending") || v.is_empty() => SortOrder::Ascending,
            v if v.eq_ignore_ascii_case("descending") => SortOrder::Descending,
            v => {
                return Err(ScimError::invalid_value(format!(
                    "sortOrder must be ascending or descending, got {v:?}"
                )));
            }
        };
        Ok(())
    }
}

/// A ListResponse (RFC 7644 §3.4.2).
#[derive(Debug, Clone, PartialEq)]
pub struct ListResponse {
    /// The resources of this page.
    pub resources: Vec<Value>,
    /// How many resources match in total.
    pub total_results: usize,
    /// The 1-based index of the first resource of this page.
    pub start_index: usize,
}

impl ListResponse {
    /// A page of results (RFC 7644 §3.4.2).
    pub fn new(resources: Vec<Value>, total_results: usize, start_index: usize) -> ListResponse {
        ListResponse {
            resources,
            total_results,
            start_index,
        }
    }

    /// The RFC 7644 §3.4.2 JSON, with integer paging fields.
    pub fn to_json(&self) -> Value {
        json!({
            "schemas": [LIST_RESPONSE],
            "totalResults": self.total_results,
            "startIndex": self.start_index,
            "itemsPerPage": self.resources.len(),
            "Resources": self.resources,
        })
    }
}

/// Which sub-attributes of an attribute the request selects: all, or some.
enum Selection {
    Whole,
    Subs(Vec<String>),
}

fn select(
    paths: &[AttrPath],
    schema: &ResourceSchema,
    owner: &Schema,
    attr: &Attribute,
) -> Option<Selection> {
    let mut subs = Vec::new();
    for path in paths {
        let Some(r) = schema.resolve(path) else {
            continue;
        };
        if r.schema.id != owner.id || r.attribute.name != attr.name {
            continue;
        }
        match r.sub_attribute {
            None => return Some(Selection::Whole),
            Some(sub) => subs.push(sub.name.to_owned()),
        }
    }
    (!subs.is_empty()).then_some(Selection::Subs(subs))
}

fn keep_subs(value: &Value, subs: &[String]) -> Value {
    let keep = |item: &Value| match item {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| subs.iter().any(|s| s.eq_ignore_ascii_case(k)))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    };
    match value {
        Value::Array(items) => Value::Array(items.iter().map(keep).collect()),
        other => keep(other),
    }
}

fn drop_subs(value: &mut Value, subs: &[String]) {
    let drop = |item: &mut Value| {
        if let Value::Object(m) = item {
            m.retain(|k, _| !subs.iter().any(|s| s.eq_ignore_ascii_case(k)));
        }
    };
    match value {
        Value::Array(items) => items.iter_mut().for_each(drop),
        other => drop(other),
    }
}

/// Whether `path` names a whole extension, e.g. `attributes=urn:...:enterprise:2.0:User`.
fn names_schema(path: &AttrPath, owner: &Schema) -> bool {
    path.sub_attr.is_none()
        && path.urn.as_deref().is_some_and(|urn| {
            owner.id.len() == urn.len() + 1 + path.attr.len()
                && owner
                    .id
                    .get(..urn.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(urn))
                && owner
                    .id
                    .get(urn.len() + 1..)
                    .is_some_and(|a| a.eq_ignore_ascii_case(&path.attr))
        })
}

/// Projects one schema's attributes of `source` into a new object.
fn project_attributes(
    source: &Map<String, Value>,
    owner: &Schema,
    lookup: impl Fn(&str) -> Option<&'static Attribute>,
    schema: &ResourceSchema,
    attributes: &[AttrPath],
    excluded: &[AttrPath],
) -> Map<String, Value> {
    let whole_schema = attributes.iter().any(|p| names_schema(p, owner));
    let mut out = Map::new();
    for (key, value) in source {
        let Some(attr) = lookup(key) else {
            if attributes.is_empty() {
                out.insert(key.clone(), value.clone());
            }
            continue;
        };
        match attr.returned {
            Returned::Never => continue,
            Returned::Always => {
                out.insert(key.clone(), value.clone());
                continue;
            }
            Returned::Default | Returned::Request => {}
        }
        if !attributes.is_empty() {
            match (whole_schema, select(attributes, schema, owner, attr)) {
                (true, _) | (_, Some(Selection::Whole)) => out.insert(key.clone(), value.clone()),
                (false, Some(Selection::Subs(subs))) => {
                    out.insert(key.clone(), keep_subs(value, &subs))
                }
                (false, None) => None,
            };
            continue;
        }
        if attr.returned == Returned::Request {
            continue;
        }
        match select(excluded, schema, owner, attr) {
            Some(Selection::Whole) => {}
            Some(Selection::Subs(subs)) => {
                let mut value = value.clone();
                drop_subs(&mut value, &subs);
                out.insert(key.clone(), value);
            }
            None => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    out
}

/// Applies `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9):
/// `returned: always` attributes (`id`, `schemas`, `meta`) are always kept,
/// `returned: never` ones (`password`) never; names and URNs are case-insensitive.
pub fn project(
    resource: &Value,
    schema: &ResourceSchema,
    attributes: &[AttrPath],
    excluded: &[AttrPath],
) -> Value {
    let Value::Object(map) = resource else {
        return resource.clone();
    };
    let mut core = Map::new();
    let mut out = Map::new();
    for (key, value) in map {
        match schema.extension(key) {
            Some(ext) => {
                if let Value::Object(inner) = value {
                    let projected = project_attributes(
                        inner,
                        ext,
                        |k| ext.attribute(k),
                        schema,
                        attributes,
                        excluded,
                    );
                    let excluded_whole = excluded.iter().any(|p| names_schema(p, ext));
                    if !projected.is_empty() && !excluded_whole {
                        out.insert(key.clone(), Value::Object(projected));
                    }
                }
            }
            None => {
                core.insert(key.clone(), value.clone());
            }
        }
    }
    let core_lookup = |k: &str| {
        schema
            .resolve(&AttrPath::attr(k))
            .filter(|r| !r.in_extension)
            .map(|r| r.attribute)
    };
    out.extend(project_attributes(
        &core,
        schema.core,
        core_lookup,
        schema,
        attributes,
        excluded,
    ));
    Value::Object(out)
}

/// The string a resource sorts by (RFC 7644 §3.4.2.3): the primary (else first)
/// value of a multi-valued attribute; lower-cased unless `caseExact`.
fn sort_key(resource: &Value, by: &AttrPath, schema: &ResourceSchema) -> Option<String> {
    let resolved = schema.resolve(by);
    let root = resource.as_object()?;
    let container = match (&by.urn, resolved) {
        (Some(urn), _) if !schema.core.id.eq_ignore_ascii_case(urn) => {
            json_keys::get(root, urn)?.as_object()?
        }
        (None, Some(r)) if r.in_extension => json_keys::get(root, r.schema.id)?.as_object()?,
        _ => root,
    };
    let mut value = json_keys::get(container, &by.attr)?;
    if let Value::Array(items) = value {
        value = items
            .iter()
            .find(|v| v.get("primary") == Some(&Value::Bool(true)))
            .or_else(|| items.first())?;
    }
    let sub = by
        .sub_attr
        .as_deref()
        .or(value.is_object().then_some("value"));
    if let (Some(sub), Value::Object(m)) = (sub, value) {
        value = json_keys::get(m, sub)?;
    }
    let case_exact = resolved.is_some_and(|r| r.leaf().case_exact);
    match value {
        Value::String(s) if case_exact => Some(s.clone()),
        Value::String(s) => Some(s.to_lowercase()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Sorts resources in memory (RFC 7644 §3.4.2.3); resources without a value
/// come last when ascending and first when descending. Stable.
pub fn sort(resources: &mut [Value], by: &AttrPath, order: SortOrder, schema: &ResourceSchema) {
    let mut keyed: Vec<(Option<String>, Value)> = resources
        .iter_mut()
        .map(|r| (sort_key(r, by, schema), std::mem::take(r)))
        .collect();
    keyed.sort_by(|(a, _), (b, _)| {
        let ascending = match (a, b) {
            (Some(a), Some(b)) => a.cmp(b),
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (None, None) => Ordering::Equal,
        };
        match order {
            SortOrder::Ascending => ascending,
            SortOrder::Descending => ascending.reverse(),
        }
    });
    for (slot, (_, value)) in resources.iter_mut().zip(keyed) {
        *slot = value;
    }
}

mod search;
pub use search::SEARCH_REQUEST;

#[cfg(test)]
mod tests;
