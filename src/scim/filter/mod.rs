//! SCIM filters (RFC 7644 §3.4.2.2): the parsed expression tree, its canonical
//! text form, and helpers the provisioning layer uses to turn simple filters
//! into directory searches. Parsing is in `parser`, evaluation in `evaluate`.

mod evaluate;
mod parser;
mod scope;
#[cfg(test)]
mod tests;

use std::fmt;

use super::error::ScimError;
use super::path::AttrPath;
use super::schema::{Attribute, ResourceSchema};

pub use scope::Scoped;

/// Longest filter text accepted, in bytes; longer is `invalidFilter`.
pub const MAX_FILTER_LEN: usize = 8 * 1024;
/// Deepest nesting of `(`, `[` and `not` accepted; deeper is `invalidFilter`.
pub const MAX_FILTER_DEPTH: usize = 32;

/// A comparison operator (RFC 7644 §3.4.2.2, table 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `eq`: equal.
    Eq,
    /// `ne`: not equal.
    Ne,
    /// `co`: contains.
    Co,
    /// `sw`: starts with.
    Sw,
    /// `ew`: ends with.
    Ew,
    /// `gt`: greater than.
    Gt,
    /// `ge`: greater than or equal to.
    Ge,
    /// `lt`: less than.
    Lt,
    /// `le`: less than or equal to.
    Le,
}

impl CompareOp {
    /// The operator keyword, lower case.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Ew => "ew",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
        }
    }

    /// The operator for a keyword, case-insensitively (RFC 7644 §3.4.2.2).
    pub fn from_keyword(word: &str) -> Option<CompareOp> {
        const ALL: [CompareOp; 9] = [
            CompareOp::Eq,
            CompareOp::Ne,
            CompareOp::Co,
            CompareOp::Sw,
            CompareOp::Ew,
            CompareOp::Gt,
            CompareOp::Ge,
            CompareOp::Lt,
            CompareOp::Le,
        ];
        ALL.into_iter()
            .find(|op| op.as_str().eq_ignore_ascii_case(word))
    }
}

/// A comparison value: `false / null / true / number / string` (RFC 7644 §3.4.2.2).
#[derive(Debug, Clone, PartialEq)]
pub enum CompValue {
    /// A JSON string.
    String(String),
    /// `true` or `false`.
    Bool(bool),
    /// A JSON number.
    Number(serde_json::Number),
    /// `null`.
    Null,
}

impl CompValue {
    /// The string, if this is a string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            CompValue::String(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for CompValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompValue::String(s) => write!(f, "{}", serde_json::Value::from(s.as_str())),
            CompValue::Bool(b) => write!(f, "{b}"),
            CompValue::Number(n) => write!(f, "{n}"),
            CompValue::Null => f.write_str("null"),
        }
    }
}

/// A parsed SCIM filter expression (RFC 7644 §3.4.2.2 `FILTER`).
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `attrPath compareOp compValue`.
    Compare {
        /// The attribute compared.
        path: AttrPath,
        /// The operator.
        op: CompareOp,
        /// The value compared against.
        value: CompValue,
    },
    /// `attrPath pr`.
    Present(AttrPath),
    /// `FILTER and FILTER`.
    And(Box<Filter>, Box<Filter>),
    /// `FILTER or FILTER`.
    Or(Box<Filter>, Box<Filter>),
    /// `not (FILTER)`.
    Not(Box<Filter>),
    /// `attrPath[valFilter]`: some value of a multi-valued attribute matches.
    ValuePath {
        /// The (multi-valued, complex) attribute.
        path: AttrPath,
        /// The filter applied to each of its values.
        filter: Box<Filter>,
    },
}

impl Filter {
    /// Parses RFC 7644 §3.4.2.2 filter text; errors are 400 `invalidFilter`
    /// naming the position and what was expected.
    pub fn parse(input: &str) -> Result<Filter, ScimError> {
        parser::parse(input)
    }

    /// Whether `resource` (SCIM JSON) matches, per RFC 7644 §3.4.2.2 semantics.
    pub fn matches(&self, resource: &serde_json::Value, schema: &ResourceSchema) -> bool {
        evaluate::matches(self, resource, schema)
    }

    /// Whether one value of the complex attribute `attribute` matches this
    /// value-selection filter (the `[...]` of RFC 7644 §3.5.2 PATH).
    pub(super) fn matches_value(&self, value: &serde_json::Value, attribute: &Attribute) -> bool {
        evaluate::matches_value(self, value, attribute.sub_attributes)
    }

    /// `attr eq value` as its parts, for translating lookups (RFC 7644 §3.4.2.2).
    pub fn as_simple_eq(&self) -> Option<(&AttrPath, &CompValue)> {
        match self {
            Filter::Compare {
                path,
                op: CompareOp::Eq,
                value,
            } => Some((path, value)),
            _ => None,
        }
    }

    /// The operands of a chain of `and`, flattened; a non-`and` filter is its own
    /// single conjunct.
    pub fn conjuncts(&self) -> Vec<&Filter> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(f) = stack.pop() {
            match f {
                Filter::And(l, r) => {
                    stack.push(r);
                    stack.push(l);
                }
                other => out.push(other),
            }
        }
        out
    }
}

impl fmt::Display for Filter {
    /// The canonical text form: lower-case keywords, JSON-escaped strings, and
    /// parentheses only where precedence needs them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::Compare { path, op, value } => write!(f, "{path} {} {value}", op.as_str()),
            Filter::Present(path) => write!(f, "{path} pr"),
            Filter::And(l, r) => {
                for (i, side) in [l, r].into_iter().enumerate() {
                    if i == 1 {
                        f.write_str(" and ")?;
                    }
                    match side.as_ref() {
                        Filter::Or(..) => write!(f, "({side})")?,
                        _ => write!(f, "{side}")?,
                    }
                }
                Ok(())
            }
            Filter::Or(l, r) => write!(f, "{l} or {r}"),
            Filter::Not(inner) => write!(f, "not ({inner})"),
            Filter::ValuePath { path, filter } => write!(f, "{path}[{filter}]"),
        }
    }
}
