//! A filter as it reads for one resource type when a search spans several
//! (RFC 7644 §3.4.3, `POST /.search`): "for filtered attributes that are not
//! part of a particular resource type, the service provider SHALL treat the
//! attribute as if there is no attribute value". Each term naming such an
//! attribute is decided once, as the evaluator decides it for a resource
//! without that attribute, and terms on `meta.resourceType` by the type's
//! name; what is left is that type's own filter.

use serde_json::{Value, json};

use super::super::path::AttrPath;
use super::super::schema::ResourceSchema;
use super::Filter;

/// What a filter selects of one resource type.
#[derive(Debug, Clone, PartialEq)]
pub enum Scoped {
    /// Every resource of the type (no filter left).
    Every,
    /// None of them: the type need not be searched.
    Nothing,
    /// Those this filter selects.
    Filter(Filter),
}

impl Scoped {
    fn of(decided: bool) -> Scoped {
        if decided {
            Scoped::Every
        } else {
            Scoped::Nothing
        }
    }
}

impl Filter {
    /// This filter for the resources of `resource_type` (e.g. `User`) whose
    /// schema is `schema`; see the module docs.
    pub fn scoped_to(&self, schema: &ResourceSchema, resource_type: &str) -> Scoped {
        match self {
            Filter::And(l, r) => match (
                l.scoped_to(schema, resource_type),
                r.scoped_to(schema, resource_type),
            ) {
                (Scoped::Nothing, _) | (_, Scoped::Nothing) => Scoped::Nothing,
                (Scoped::Every, other) | (other, Scoped::Every) => other,
                (Scoped::Filter(l), Scoped::Filter(r)) => {
                    Scoped::Filter(Filter::And(Box::new(l), Box::new(r)))
                }
            },
            Filter::Or(l, r) => match (
                l.scoped_to(schema, resource_type),
                r.scoped_to(schema, resource_type),
            ) {
                (Scoped::Every, _) | (_, Scoped::Every) => Scoped::Every,
                (Scoped::Nothing, other) | (other, Scoped::Nothing) => other,
                (Scoped::Filter(l), Scoped::Filter(r)) => {
                    Scoped::Filter(Filter::Or(Box::new(l), Box::new(r)))
                }
            },
            Filter::Not(inner) => match inner.scoped_to(schema, resource_type) {
                Scoped::Every => Scoped::Nothing,
                Scoped::Nothing => Scoped::Every,
                Scoped::Filter(f) => Scoped::Filter(Filter::Not(Box::new(f))),
            },
            Filter::Compare { path, .. }
            | Filter::Present(path)
            | Filter::ValuePath { path, .. } => {
                if is_resource_type(path) {
                    let typed = json!({"meta": {"resourceType": resource_type}});
                    Scoped::of(self.matches(&typed, schema))
                } else if schema.resolve(path).is_none() {
                    Scoped::of(self.matches(&Value::Object(Default::default()), schema))
                } else {
                    Scoped::Filter(self.clone())
                }
            }
        }
    }
}

/// `meta.resourceType`, with or without the core schema's URN.
fn is_resource_type(path: &AttrPath) -> bool {
    path.attr.eq_ignore_ascii_case("meta")
        && path
            .sub_attr
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("resourceType"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scoped(text: &str, schema: ResourceSchema, resource_type: &str) -> String {
        match Filter::parse(text)
            .unwrap()
            .scoped_to(&schema, resource_type)
        {
            Scoped::Every => "every".into(),
            Scoped::Nothing => "nothing".into(),
            Scoped::Filter(f) => f.to_string(),
        }
    }

    #[test]
    fn an_attribute_the_type_lacks_has_no_value() {
        let user = || ResourceSchema::user();
        let group = || ResourceSchema::group();
        assert_eq!(scoped("userName eq \"a\"", group(), "Group"), "nothing");
        assert_eq!(
            scoped("userName eq \"a\"", user(), "User"),
            "userName eq \"a\""
        );
        assert_eq!(scoped("members pr", user(), "User"), "nothing");
        assert_eq!(scoped("not (members pr)", user(), "User"), "every");
        assert_eq!(
            scoped(
                "userName sw \"a\" or displayName eq \"Agent\"",
                group(),
                "Group"
            ),
            "displayName eq \"Agent\""
        );
        assert_eq!(
            scoped(
                "userName sw \"a\" and displayName eq \"Agent\"",
                group(),
                "Group"
            ),
            "nothing"
        );
        assert_eq!(
            scoped(
                "emails[type eq \"work\"] or externalId eq \"x\"",
                group(),
                "Group"
            ),
            "externalId eq \"x\""
        );
    }

    #[test]
    fn resource_type_terms_are_decided_by_the_type() {
        let text = "meta.resourceType eq \"Group\" and displayName sw \"A\"";
        assert_eq!(
            scoped(text, ResourceSchema::group(), "Group"),
            "displayName sw \"A\""
        );
        assert_eq!(scoped(text, ResourceSchema::user(), "User"), "nothing");
        assert_eq!(
            scoped(
                "meta.resourceType ne \"Group\"",
                ResourceSchema::user(),
                "User"
            ),
            "every"
        );
    }
}
