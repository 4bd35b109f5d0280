//! Attribute paths (RFC 7644 §3.10 `attrPath`) and PATCH target paths
//! (RFC 7644 §3.5.2 `PATH = attrPath / valuePath [subAttr]`).

use std::fmt;

use super::error::ScimError;
use super::filter::Filter;

/// `[URI ":"] ATTRNAME ["." subAttr]` (RFC 7644 §3.10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrPath {
    /// The schema URN prefix, when given (e.g. the Enterprise User URN).
    pub urn: Option<String>,
    /// The attribute name.
    pub attr: String,
    /// The sub-attribute name, e.g. `givenName` in `name.givenName`.
    pub sub_attr: Option<String>,
}

/// Whether `name` is an RFC 7643 §2.1 ATTRNAME (`$ref` is allowed too).
fn is_attr_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '$' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl AttrPath {
    /// A path to a top-level attribute of the core schema.
    pub fn attr(name: &str) -> AttrPath {
        AttrPath {
            urn: None,
            attr: name.to_owned(),
            sub_attr: None,
        }
    }

    /// Parses an RFC 7644 §3.10 attrPath. The dots inside a URN (e.g. `2.0`) are
    /// not separators: the URN ends at the last `:`.
    pub fn parse(input: &str) -> Result<AttrPath, ScimError> {
        let invalid = || ScimError::invalid_path(format!("invalid attribute path {input:?}"));
        let (urn, rest) = match input.rfind(':') {
            Some(colon) => (Some(&input[..colon]), &input[colon + 1..]),
            None => (None, input),
        };
        if let Some(urn) = urn {
            let ok = urn.len() > 4
                && urn.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:"))
                && !urn
                    .chars()
                    .any(|c| c.is_whitespace() || "[]()\"".contains(c));
            if !ok {
                return Err(invalid());
            }
        }
        let (attr, sub_attr) = match rest.split_once('.') {
            Some((a, s)) => (a, Some(s)),
            None => (rest, None),
        };
        if !is_attr_name(attr) || sub_attr.is_some_and(|s| !is_attr_name(s)) {
            return Err(invalid());
        }
        Ok(AttrPath {
            urn: urn.map(str::to_owned),
            attr: attr.to_owned(),
            sub_attr: sub_attr.map(str::to_owned),
        })
    }

    /// The same path with a sub-attribute appended.
    pub fn with_sub_attr(&self, sub: &str) -> AttrPath {
        AttrPath {
            sub_attr: Some(sub.to_owned()),
            ..self.clone()
        }
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.urn {
            write!(f, "{urn}:")?;
        }
        f.write_str(&self.attr)?;
        if let Some(sub) = &self.sub_attr {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

/// A PATCH `path` (RFC 7644 §3.5.2): an attrPath, or a valuePath with an
/// optional trailing sub-attribute, e.g. `emails[type eq "work"].value`.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    /// The attribute the path starts at.
    pub attr: AttrPath,
    /// The value selection filter inside `[...]`, if any.
    pub filter: Option<Filter>,
    /// The sub-attribute after `]`, if any.
    pub sub_attr: Option<String>,
}

impl PatchPath {
    /// Parses an RFC 7644 §3.5.2 PATH; errors are `invalidPath`.
    pub fn parse(input: &str) -> Result<PatchPath, ScimError> {
        let input = input.trim();
        let Some(open) = input.find('[') else {
            return Ok(PatchPath {
                attr: AttrPath::parse(input)?,
                filter: None,
                sub_attr: None,
            });
        };
        let invalid = |why: &str| ScimError::invalid_path(format!("invalid path {input:?}: {why}"));
        let close = input
            .rfind(']')
            .filter(|c| *c > open)
            .ok_or_else(|| invalid("missing ']'"))?;
        let attr = AttrPath::parse(&input[..open])?;
        if attr.sub_attr.is_some() {
            return Err(invalid(
                "a value filter must follow a multi-valued attribute",
            ));
        }
        let filter = Filter::parse(&input[open + 1..close])
            .map_err(|e| invalid(&format!("bad value filter: {}", e.detail)))?;
        let sub_attr = match &input[close + 1..] {
            "" => None,
            tail => match tail.strip_prefix('.') {
                Some(sub) if is_attr_name(sub) => Some(sub.to_owned()),
                _ => return Err(invalid("expected '.subAttr' after ']'")),
            },
        };
        Ok(PatchPath {
            attr,
            filter: Some(filter),
            sub_attr,
        })
    }
}

impl fmt::Display for PatchPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.attr)?;
        if let Some(filter) = &self.filter {
            write!(f, "[{filter}]")?;
        }
        if let Some(sub) = &self.sub_attr {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTERPRISE_MANAGER: &str =
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager";

    #[test]
    fn urn_dots_are_not_separators() {
        let p = AttrPath::parse(ENTERPRISE_MANAGER).unwrap();
        assert_eq!(
            p.urn.as_deref(),
            Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
        );
        assert_eq!(p.attr, "manager");
        assert_eq!(p.sub_attr, None);
        let p = AttrPath::parse(&format!("{ENTERPRISE_MANAGER}.value")).unwrap();
        assert_eq!(
            (p.attr.as_str(), p.sub_attr.as_deref()),
            ("manager", Some("value"))
        );
    }

    #[test]
    fn dotted_sub_attribute() {
        let p = AttrPath::parse("name.givenName").unwrap();
        assert_eq!(
            p,
            AttrPath {
                urn: None,
                attr: "name".into(),
                sub_attr: Some("givenName".into())
            }
        );
        assert_eq!(p.to_string(), "name.givenName");
    }

    #[test]
    fn bad_paths_are_invalid_path() {
        for bad in [
            "",
            "1abc",
            "name.",
            "a.b.c",
            "na me",
            "foo:bar",
            "urn:x:",
            "emails[type",
        ] {
            let e = AttrPath::parse(bad).unwrap_err();
            assert_eq!(
                e.scim_type,
                Some(super::super::error::ScimType::InvalidPath),
                "{bad}"
            );
        }
    }

    #[test]
    fn value_path_with_sub_attribute() {
        let p = PatchPath::parse(r#"emails[type eq "work"].value"#).unwrap();
        assert_eq!(p.attr.attr, "emails");
        assert_eq!(p.sub_attr.as_deref(), Some("value"));
        assert_eq!(p.to_string(), r#"emails[type eq "work"].value"#);
        let p = PatchPath::parse(r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#)
            .unwrap();
        assert!(p.filter.is_some() && p.sub_attr.is_none());
    }

    #[test]
    fn bad_patch_paths_are_invalid_path() {
        for bad in [
            "members[value eq",
            "members]",
            "emails[type eq \"work\"]x",
            "emails[type zz 1]",
        ] {
            assert!(PatchPath::parse(bad).is_err(), "{bad}");
        }
    }
}
