//! What a Group PATCH (RFC 7644 §3.5.2) asks for, read straight from its
//! operations rather than applied to a rendered group holding every member:
//! a new `displayName`, a new `externalId`, and membership operations in
//! request order. Covers the shapes Okta and Entra send (idp-behaviour.md
//! §1.2 G, §2.2): path-less `replace` with `id`/`displayName`/`members`,
//! `add`/`replace` on `members`, `remove` by `members[value eq "…"]` or by a
//! value list, capitalized op names (already folded by the PATCH reader).

use serde_json::{Map, Value};

use crate::scim::error::ScimError;
use crate::scim::filter::{CompValue, CompareOp, Filter};
use crate::scim::patch::{MAX_MEMBERS, PatchOpKind, PatchOperation, PatchRequest};
use crate::scim::path::{AttrPath, PatchPath};
use crate::scim::schema::GROUP;

/// One membership operation, on user ids.
#[derive(Debug, Clone, PartialEq)]
pub enum MemberOp {
    /// `add` on `members`.
    Add(Vec<String>),
    /// `remove` of these members (`members[value eq "…"]` or a value list).
    Remove(Vec<String>),
    /// `remove` of the members a filter other than `value eq` selects.
    RemoveMatching(Filter),
    /// `remove` on `members` without a value: every member leaves.
    RemoveAll,
    /// `replace` on `members`: exactly these members.
    Replace(Vec<String>),
}

impl MemberOp {
    /// How many member ids the operation names.
    pub fn named(&self) -> usize {
        match self {
            MemberOp::Add(ids) | MemberOp::Remove(ids) | MemberOp::Replace(ids) => ids.len(),
            MemberOp::RemoveMatching(_) | MemberOp::RemoveAll => 0,
        }
    }

    /// Whether the outcome depends on who the members are now.
    pub fn needs_current_members(&self) -> bool {
        matches!(
            self,
            MemberOp::RemoveMatching(_) | MemberOp::RemoveAll | MemberOp::Replace(_)
        )
    }
}

/// Everything a Group PATCH asks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupEdit {
    /// The last `displayName` given.
    pub display_name: Option<String>,
    /// `Some(None)` removes the externalId.
    pub external_id: Option<Option<String>>,
    /// Membership operations, in request order.
    pub members: Vec<MemberOp>,
}

impl GroupEdit {
    /// Reads a PatchOp request for a Group; attributes a group does not keep
    /// (`id`, `meta`, member `display`…) are ignored, as the User PATCH does.
    pub fn from_patch(request: &PatchRequest) -> Result<GroupEdit, ScimError> {
        let mut edit = GroupEdit::default();
        for (i, operation) in request.operations.iter().enumerate() {
            edit.read(operation).map_err(|e| ScimError {
                detail: format!("Operations[{i}]: {}", e.detail),
                ..e
            })?;
        }
        let named: usize = edit.members.iter().map(MemberOp::named).sum();
        if named > MAX_MEMBERS {
            return Err(ScimError::too_many(format!(
                "a Group PATCH names at most {MAX_MEMBERS} members; this one names {named}"
            )));
        }
        Ok(edit)
    }

    fn read(&mut self, operation: &PatchOperation) -> Result<(), ScimError> {
        let value = operation.value.as_ref().unwrap_or(&Value::Null);
        let Some(path) = &operation.path else {
            let Value::Object(map) = value else {
                return Err(ScimError::invalid_value(
                    "a PATCH without path needs an object value, e.g. {\"members\": [...]}",
                ));
            };
            return self.read_pathless(operation.op, map);
        };
        if !in_group_schema(&path.attr) {
            return Ok(());
        }
        let attr = path.attr.attr.as_str();
        if attr.eq_ignore_ascii_case("members") {
            return self.read_members(operation.op, path, value);
        }
        if path.filter.is_some() || path.attr.sub_attr.is_some() {
            return Ok(());
        }
        self.read_attribute(operation.op, attr, value)
    }

    fn read_pathless(
        &mut self,
        op: PatchOpKind,
        map: &Map<String, Value>,
    ) -> Result<(), ScimError> {
        for (key, value) in map {
            let Ok(path) = AttrPath::parse(key) else {
                continue;
            };
            if !in_group_schema(&path) || path.sub_attr.is_some() {
                continue;
            }
            if path.attr.eq_ignore_ascii_case("members") {
                let ids = member_ids(value)?;
                self.members.push(match op {
                    PatchOpKind::Replace => MemberOp::Replace(ids),
                    _ => MemberOp::Add(ids),
                });
            } else {
                self.read_attribute(op, &path.attr, value)?;
            }
        }
        Ok(())
    }

    fn read_attribute(
        &mut self,
        op: PatchOpKind,
        attr: &str,
        value: &Value,
    ) -> Result<(), ScimError> {
        if attr.eq_ignore_ascii_case("displayName") {
            match (op, value) {
                (PatchOpKind::Remove, _) => {
                    return Err(ScimError::invalid_value(
                        "displayName is required and cannot be removed",
                    ));
                }
                (_, Value::String(name)) if !name.trim().is_empty() => {
                    self.display_name = Some(name.clone());
                }
                _ => {
                    return Err(ScimError::invalid_value(
                        "displayName must be a non-empty string",
                    ));
                }
            }
        } else if attr.eq_ignore_ascii_case("externalId") {
            self.external_id = Some(match (op, value) {
                (PatchOpKind::Remove, _) | (_, Value::Null) => None,
                (_, Value::String(x)) => Some(x.clone()).filter(|x| !x.is_empty()),
                _ => return Err(ScimError::invalid_value("externalId must be a string")),
            });
        }
        Ok(())
    }

    fn read_members(
        &mut self,
        op: PatchOpKind,
        path: &PatchPath,
        value: &Value,
    ) -> Result<(), ScimError> {
        if path.attr.sub_attr.is_some() || path.sub_attr.is_some() {
            // `members[…].display` and the like: nothing a security profile keeps.
            if path.filter.is_some() {
                return Ok(());
            }
            return Err(ScimError::invalid_path(format!(
                "{} cannot be changed; add or remove whole members",
                path.attr
            )));
        }
        let member_op = match (&path.filter, op) {
            (Some(filter), PatchOpKind::Remove) => match values_of(filter) {
                Some(ids) => MemberOp::Remove(ids),
                None => MemberOp::RemoveMatching(filter.clone()),
            },
            (Some(_), _) => {
                return Err(ScimError::invalid_path(
                    "members[…] selects existing members; to add one, use add on path members",
                ));
            }
            (None, PatchOpKind::Add) => MemberOp::Add(member_ids(value)?),
            (None, PatchOpKind::Replace) => MemberOp::Replace(member_ids(value)?),
            (None, PatchOpKind::Remove) if value.is_null() => MemberOp::RemoveAll,
            (None, PatchOpKind::Remove) => MemberOp::Remove(member_ids(value)?),
        };
        self.members.push(member_op);
        Ok(())
    }
}

/// Whether an attribute path is in the core Group schema (no URN, or its URN).
fn in_group_schema(path: &AttrPath) -> bool {
    path.urn
        .as_deref()
        .is_none_or(|u| u.eq_ignore_ascii_case(GROUP))
}

/// The user ids of a `members` value: a list (or one) of `{"value": id}`
/// objects, or bare id strings; `null` is no members.
pub fn member_ids(value: &Value) -> Result<Vec<String>, ScimError> {
    let items: Vec<&Value> = match value {
        Value::Null => Vec::new(),
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let mut ids: Vec<String> = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let id = match item {
            Value::String(s) => Some(s.trim().to_owned()),
            Value::Object(map) => map
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("value"))
                .and_then(|(_, v)| v.as_str())
                .map(|s| s.trim().to_owned()),
            _ => None,
        };
        match id.filter(|id| !id.is_empty()) {
            Some(id) if !ids.contains(&id) => ids.push(id),
            Some(_) => {}
            None => {
                return Err(ScimError::invalid_value(format!(
                    "members[{i}].value is required"
                )));
            }
        }
    }
    Ok(ids)
}

/// The ids of a `value eq "…"` filter, or an `or` of them; None for any other filter.
fn values_of(filter: &Filter) -> Option<Vec<String>> {
    match filter {
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            value: CompValue::String(id),
        } if path.urn.is_none()
            && path.sub_attr.is_none()
            && path.attr.eq_ignore_ascii_case("value") =>
        {
            Some(vec![id.clone()])
        }
        Filter::Or(a, b) => {
            let mut ids = values_of(a)?;
            ids.extend(values_of(b)?);
            Some(ids)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn edit(ops: Value) -> GroupEdit {
        let body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": ops
        });
        GroupEdit::from_patch(&PatchRequest::from_json(&body).unwrap()).unwrap()
    }

    #[test]
    fn okta_name_push_is_a_display_name_and_nothing_else() {
        let e = edit(json!([{"op": "replace", "value": {"id": "g1", "displayName": "Agents"}}]));
        assert_eq!(e.display_name.as_deref(), Some("Agents"));
        assert!(e.members.is_empty() && e.external_id.is_none());
    }

    #[test]
    fn okta_membership_push_removes_by_filter_then_adds() {
        let e = edit(json!([
            {"op": "remove", "path": "members[value eq \"u1\"]"},
            {"op": "add", "path": "members", "value": [{"value": "u2", "display": "b"}, {"value": "u3"}]}
        ]));
        assert_eq!(
            e.members,
            vec![
                MemberOp::Remove(vec!["u1".into()]),
                MemberOp::Add(vec!["u2".into(), "u3".into()])
            ]
        );
    }

    #[test]
    fn entra_shapes_are_read() {
        let e = edit(json!([
            {"op": "Add", "path": "members", "value": [{"$ref": null, "value": "u1"}]},
            {"op": "Remove", "path": "members", "value": [{"value": "u1"}]},
            {"op": "Replace", "path": "externalId", "value": "8aa1"},
            {"op": "Replace", "path": "displayName", "value": "Sales"}
        ]));
        assert_eq!(
            e.members,
            vec![
                MemberOp::Add(vec!["u1".into()]),
                MemberOp::Remove(vec!["u1".into()])
            ]
        );
        assert_eq!(e.external_id, Some(Some("8aa1".into())));
        assert_eq!(e.display_name.as_deref(), Some("Sales"));
    }

    #[test]
    fn replace_without_path_and_remove_all_need_current_members() {
        let e = edit(json!([
            {"op": "replace", "value": {"members": [{"value": "u1"}]}},
            {"op": "remove", "path": "members"},
            {"op": "remove", "path": "members[display eq \"x\"]"}
        ]));
        assert_eq!(e.members[0], MemberOp::Replace(vec!["u1".into()]));
        assert_eq!(e.members[1], MemberOp::RemoveAll);
        assert!(matches!(e.members[2], MemberOp::RemoveMatching(_)));
        assert!(e.members.iter().all(MemberOp::needs_current_members));
    }

    #[test]
    fn a_member_without_value_is_invalid() {
        let body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "add", "path": "members", "value": [{"display": "x"}]}]
        });
        let e = GroupEdit::from_patch(&PatchRequest::from_json(&body).unwrap()).unwrap_err();
        assert!(e.detail.contains("members[0].value"), "{}", e.detail);
    }
}
